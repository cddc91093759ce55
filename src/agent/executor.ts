// Runs a PodActions plan in the kubelet's fixed order (SyncPod): kill pod or containers → create sandbox →
// init containers → app containers. It makes no decisions of its own beyond what the plan and back-off say.
import type { Container, LifecycleHandler } from '../api/types.js';
import { isSidecar } from '../api/types.js';
import { DEFAULT_CLUSTER_DOMAIN, podDnsType, podHostDomain } from '../core/dns/resolv-conf.js';
import { errorCode } from '../core/errors.js';
import { sandboxNamespacePaths } from '../core/oci/types.js';
import { checkBackoff } from '../core/plan/backoff.js';
import { containerSpecHash } from '../core/plan/container-hash.js';
import type { PodActions } from '../core/plan/types.js';
import type { PodRuntimeStatus } from '../core/pod-runtime.js';
import { containerGracePeriod, MIN_GRACE_SECONDS } from '../core/termination/grace.js';
import { containerSpec, terminationPlan, type LiveContainer } from '../core/termination/order.js';
import { containerCgroupPath, ensurePodCgroup } from '../runtime/oci/cgroups.js';
import { podCgroupLimits } from '../core/resources/pod-cgroup.js';
import { projectedVersions } from '../core/volume/payload.js';
import type { InstanceMeta } from '../runtime/oci/container-runtime.js';
import { writePodEtcFiles } from '../runtime/volume/etc-files.js';
import { ensurePodShm } from '../runtime/volume/pod-shm.js';
import { buildContainerSpec } from './container-config.js';
import { containerFieldPath, type EventType } from './events.js';
import type { ImageEnsurer } from './image-ensurer.js';
import { ContainerKiller, type KillRequest } from './lifecycle/container-killer.js';
import { HandlerRunner, type HandlerRunnerDeps, type HookOutcome } from './lifecycle/handler-runner.js';
import { realHookDeps } from './lifecycle/hook-deps.js';
import type { TrackedInstance } from './observe.js';
import type { AgentDeps, PodContext, PodHooks } from './pod-context.js';
import { containerLogPath, podDir, podUid } from './pod-paths.js';
import { podHostname } from './sandbox-service.js';
import { hostname } from 'node:os';

/** The kill reason and message of a container whose postStart hook failed (kuberuntime_container.go startContainer). */
const FAILED_POST_START_HOOK = 'FailedPostStartHook';

/** A stop in progress: the container, and what its stop needs (its spec for the preStop hook, its stop signal). */
interface ContainerKill extends KillRequest {
  ctx: PodContext;
  meta: InstanceMeta;
  spec: Container | undefined;
  stopSignal: string;
}

/** The IP a container's env sees as status.podIP: the sandbox's, or the node's for hostNetwork. */
function podIPOf(pod: { spec: { hostNetwork?: boolean } }, sandbox: InstanceMeta, hostIP: string | undefined): { podIP?: string } {
  const ip = pod.spec.hostNetwork === true ? hostIP : sandbox.ips?.[0];
  return ip === undefined ? {} : { podIP: ip };
}

export class PlanExecutor {
  private readonly lifecycle: HandlerRunner;
  private readonly killer: ContainerKiller<ContainerKill>;
  /** postStart hooks running now: a termination request ends them. */
  private readonly postStarts = new Set<AbortController>();
  /** The pod is being terminated: nothing more is started, whatever the plan in hand says. */
  private terminating = false;

  constructor(private readonly deps: AgentDeps, private readonly images: ImageEnsurer, private readonly hooks: PodHooks, hookDeps?: HandlerRunnerDeps) {
    this.lifecycle = new HandlerRunner(hookDeps ?? realHookDeps(deps.hookExec, (type, reason, message) => {
      this.hooks.onEvent({ type, reason, message, fieldPath: '', time: this.deps.clock() });
    }));
    this.killer = new ContainerKiller<ContainerKill>({
      clock: deps.clock,
      preStop: (k, signal) => this.runPreStop(k, signal),
      stop: (k, graceMs) => this.deps.runtime.stopContainer(k.id, graceMs, k.stopSignal),
      sigkill: (k) => this.deps.runtime.kill(k.id, 'SIGKILL'),
    });
  }

  private emit(ctx: PodContext, type: EventType, reason: string, message: string, fieldPath = ''): void {
    this.hooks.onEvent({ type, reason, message, fieldPath, time: this.deps.clock() });
  }

  async execute(ctx: PodContext, plan: PodActions, view: PodRuntimeStatus): Promise<void> {
    if (plan.createSandbox && plan.sandboxId !== '') {
      this.emit(ctx, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
    }
    if (plan.killPod) {
      await this.killPod(ctx);
    } else {
      await Promise.all(plan.containersToKill.map((k) => this.killContainer(ctx, k.id, k.message, k.reason)));
    }

    let sandbox = this.readySandbox(ctx);
    if (plan.createSandbox) {
      // The kubelet mounts a pod's volumes before it makes the sandbox.
      if (!(await this.mountVolumes(ctx))) return;
      try {
        sandbox = await this.createSandbox(ctx, plan.attempt);
        this.deps.failpoint?.('sandbox-started');
      } catch (err) {
        this.emit(ctx, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${err instanceof Error ? err.message : String(err)}`);
        ctx.wakeAt = Math.min(ctx.wakeAt ?? Infinity, this.deps.clock() + 2_000);
        return;
      }
    }
    if (!sandbox) return;
    if ((ctx.volumes === undefined || ctx.etcFiles === undefined) && (plan.initContainersToStart.length > 0 || plan.containersToStart.length > 0)) {
      // A sandbox this worker did not make (a new agent took the pod over): its storage is set up again (each
      // step finds what the previous agent made), so the containers it starts see the same volumes and files.
      if (!(await this.mountVolumes(ctx))) return;
      await this.writePodFiles(ctx, sandbox);
    }

    const inits = ctx.pod.spec.initContainers ?? [];
    for (const idx of plan.initContainersToStart) {
      const c = inits[idx];
      if (!c) continue;
      if (this.terminating) return;
      const created = await this.createContainer(ctx, c, 'init', sandbox, view);
      const ok = created !== false && (await this.startCreated(ctx, c, 'init', created));
      // A sidecar that fails to start does not block the rest; a regular init container does.
      if (!ok && !isSidecar(c)) return;
    }
    // App containers are created together (the slow part) and then started one by one in spec order, as the
    // kubelet starts them: a later postStart hook must still find the earlier containers started.
    const apps = plan.containersToStart.map((idx) => ctx.pod.spec.containers[idx]).filter((c): c is Container => c !== undefined);
    const created = await Promise.all(apps.map((c) => this.createContainer(ctx, c, 'app', sandbox, view)));
    for (const [i, c] of apps.entries()) {
      const meta = created[i];
      // Created but left unstarted by a termination: the pod's kill removes it with the rest.
      if (meta && !this.terminating) await this.startCreated(ctx, c, 'app', meta);
    }
  }

  private readySandbox(ctx: PodContext): InstanceMeta | undefined {
    let best: InstanceMeta | undefined;
    for (const t of ctx.instances.values()) {
      if (t.meta.role === 'sandbox' && t.state === 'running' && (!best || t.meta.attempt > best.attempt)) best = t.meta;
    }
    return best;
  }

  /** The IP an httpGet hook without a host goes to: the instance's sandbox's, or the node's for hostNetwork pods. */
  private podIPFor(ctx: PodContext, meta: InstanceMeta): string | undefined {
    if (ctx.pod.spec.hostNetwork === true) return this.deps.hostIP;
    return ctx.instances.get(meta.sandboxId)?.meta.ips?.[0];
  }

  private runHook(ctx: PodContext, spec: Container, meta: InstanceMeta, handler: LifecycleHandler, signal: AbortSignal): Promise<HookOutcome> {
    return this.lifecycle.run({ pod: ctx.pod, container: spec, instance: meta, podIP: this.podIPFor(ctx, meta) }, handler, signal);
  }

  /** executePreStopHook: a failure is only an event (the hook's output is not recorded, as secrets may be in it). */
  private async runPreStop(k: ContainerKill, signal: AbortSignal): Promise<void> {
    const handler = k.spec?.lifecycle?.preStop;
    if (k.spec === undefined || handler === undefined) return;
    const outcome = await this.runHook(k.ctx, k.spec, k.meta, handler, signal);
    // A sleep cut short because its container is gone is not a failure of the hook.
    if (outcome.ok || (outcome.aborted && handler.sleep !== undefined)) return;
    this.emit(k.ctx, 'Warning', 'FailedPreStopHook', 'PreStopHook failed', containerFieldPath(k.meta.role === 'init' ? 'init' : 'app', k.meta.name));
  }

  /** Emits the Killing event and makes the stop request (the image's STOPSIGNAL, else SIGTERM). */
  private async killRequest(ctx: PodContext, t: TrackedInstance, step: KillRequest, message?: string): Promise<ContainerKill> {
    const m = t.meta;
    this.emit(ctx, 'Normal', 'Killing', message ?? `Stopping container ${m.name}`, containerFieldPath(m.role === 'init' ? 'init' : 'app', m.name));
    const image = await this.deps.images.resolve(m.image).catch(() => undefined);
    return { ...step, ctx, meta: m, spec: containerSpec(ctx.pod, m.name), stopSignal: image?.config.StopSignal || 'SIGTERM' };
  }

  /**
   * killContainer for one container the plan names (a probe failure, a changed spec, an unknown state) or whose
   * postStart failed: its preStop, then its stop signal, on its own grace (setTerminationGracePeriod).
   */
  private async killContainer(ctx: PodContext, id: string, message?: string, reason = ''): Promise<void> {
    const tracked = ctx.instances.get(id);
    if (!tracked || tracked.state === 'exited') return;
    const spec = containerSpec(ctx.pod, tracked.meta.name);
    const graceSeconds = containerGracePeriod(ctx.pod, spec, reason);
    const runPreStop = tracked.state === 'running' && spec?.lifecycle?.preStop !== undefined && graceSeconds > 0;
    const k = await this.killRequest(ctx, tracked, { id, name: tracked.meta.name, graceSeconds, runPreStop, waitFor: [] }, message);
    await this.killer.kill(k);
    await this.refresh(ctx, id);
  }

  /**
   * The pod is to be terminated (deleted, `podd run` interrupted) with `graceSeconds`: postStart hooks in progress are
   * ended, nothing more is started, and stops already under way get the shorter grace.
   */
  terminationRequested(graceSeconds: number): void {
    this.terminating = true;
    for (const abort of this.postStarts) abort.abort();
    this.shortenKills(graceSeconds);
  }

  /**
   * The grace period was shortened while containers are being stopped: a container still in its preStop or waiting
   * for its turn gets its stop signal by now + the new grace; one already signalled gets SIGKILL then (but never
   * sooner than the kubelet's 2 s minimum after its stop signal). The pod worker's grace is at least 1 s.
   */
  shortenKills(graceSeconds: number): void {
    this.killer.shorten(Math.max(graceSeconds, 1));
  }

  /**
   * killPodWithSyncResult: every live container at once (each preStop starts now; app containers and regular init
   * containers get their stop signal right after theirs; sidecars after every app container and every later sidecar
   * has exited), then every sandbox. A deleted pod's grace (the pod worker's, at least 1 s) overrides each
   * container's own; otherwise (completion, activeDeadlineSeconds, a failed init container) each has its own.
   */
  async killPod(ctx: PodContext): Promise<void> {
    const live = [...ctx.instances.values()].filter((t) => t.meta.role !== 'sandbox' && t.state !== 'exited');
    const terminating = ctx.pod.metadata.deletionTimestamp !== undefined;
    const alive = live.map((t): LiveContainer => ({
      id: t.meta.id, name: t.meta.name, state: t.state === 'running' || t.state === 'created' ? t.state : 'unknown',
    }));
    const steps = terminationPlan(ctx.pod, alive, terminating);
    const byId = new Map(live.map((t) => [t.meta.id, t]));
    const kills = await Promise.all(steps.flatMap((step) => {
      const t = byId.get(step.id);
      return t === undefined ? [] : [this.killRequest(ctx, t, step)];
    }));
    await this.killer.killAll(kills);
    await Promise.all(live.map((t) => this.refresh(ctx, t.meta.id)));
    const sandboxes = [...ctx.instances.values()].filter((t) => t.meta.role === 'sandbox' && t.state !== 'exited');
    await Promise.all(sandboxes.map(async (t) => {
      await this.deps.runtime.stopContainer(t.meta.id, MIN_GRACE_SECONDS * 1000);
      await this.refresh(ctx, t.meta.id);
      await this.deps.sandboxes.releaseNetwork(t.meta);
    }));
  }

  /**
   * Removes the runtime containers of exited instances of `name` except the newest, before a new one is created
   * (the kubelet's pruneInitContainersBeforeStart), so a crash loop does not pile up rootfs mounts. Their records
   * stay: podd's own state, not the runtime, says what ran.
   */
  private async pruneOlderInstances(ctx: PodContext, name: string): Promise<void> {
    const exited = [...ctx.instances.values()]
      .filter((t) => t.meta.role !== 'sandbox' && t.meta.name === name && t.state === 'exited')
      .sort((a, b) => b.meta.createdAt - a.meta.createdAt);
    for (const t of exited.slice(1)) {
      if (t.removed) continue;
      await this.deps.runtime.removeContainer(t.meta.id);
      t.removed = true;
    }
  }

  /** Re-reads an instance after a stop, so its exit code and time are recorded. */
  private async refresh(ctx: PodContext, id: string): Promise<void> {
    const tracked = ctx.instances.get(id);
    if (!tracked) return;
    const st = await this.deps.runtime.status(id, true).catch(() => undefined);
    tracked.meta = st?.meta ?? tracked.meta;
    tracked.state = st?.state ?? 'exited';
  }

  /**
   * What every container of the pod mounts beside its volumes: /etc files (hosts names the sandbox's IP, so they
   * are written again for each sandbox) and /dev/shm.
   */
  private async writePodFiles(ctx: PodContext, sandbox: InstanceMeta): Promise<void> {
    const dir = podDir(this.deps.paths, ctx.pod);
    const { spec } = ctx.pod;
    const hostNetwork = spec.hostNetwork === true;
    const namespace = ctx.pod.metadata.namespace ?? 'default';
    const domain = this.deps.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
    const hostDomain = podHostDomain(spec.subdomain, namespace, domain);
    const cluster = this.deps.clusterDns;
    ctx.etcFiles = await writePodEtcFiles(dir, {
      hostname: hostNetwork ? hostname() : podHostname(ctx.pod),
      hostResolvConf: this.deps.hostResolvConf,
      hostNetwork,
      podIPs: sandbox.ips ?? [],
      ...(spec.automountServiceAccountToken === false ? {} : { serviceAccountNamespace: namespace }),
      ...(hostDomain === undefined ? {} : { hostDomain }),
      ...(spec.hostAliases === undefined ? {} : { hostAliases: spec.hostAliases }),
      dns: {
        pod: { namespace, hostNetwork, ...(spec.dnsPolicy === undefined ? {} : { dnsPolicy: spec.dnsPolicy }), ...(spec.dnsConfig === undefined ? {} : { dnsConfig: spec.dnsConfig }) },
        ...(cluster === undefined ? {} : { cluster: { nameservers: cluster.nameservers, domain } }),
      },
      onDnsWarning: (w) => this.emit(ctx, 'Warning', w.reason, w.message),
    });
    if (cluster?.ready !== undefined && podDnsType(spec.dnsPolicy, hostNetwork) === 'cluster') await cluster.ready();
    ctx.shmDir ??= ctx.pod.spec.hostIPC === true ? '/dev/shm' : await ensurePodShm(dir);
  }

  /** Sets the pod's volumes up once; a failure is the kubelet's FailedMount, retried on a later sync. */
  private async mountVolumes(ctx: PodContext): Promise<boolean> {
    try {
      if (ctx.volumes === undefined) {
        const sources = ctx.sources();
        ctx.volumes = await this.deps.volumes.setUp(ctx.pod, podDir(this.deps.paths, ctx.pod), sources);
        ctx.volumeSources = projectedVersions(ctx.pod, sources);
      }
      return true;
    } catch (err) {
      this.emit(ctx, 'Warning', 'FailedMount', err instanceof Error ? err.message : String(err));
      ctx.wakeAt = Math.min(ctx.wakeAt ?? Infinity, this.deps.clock() + 2_000);
      return false;
    }
  }

  /**
   * On the periodic sync: each Secret and ConfigMap volume follows its object, as the kubelet's do (subPath mounts
   * keep what they had). One that cannot be projected (its Secret deleted, a full disk) keeps its files, reports
   * FailedMount and is tried again on the next sync; the others are not held up by it.
   */
  async refreshVolumes(ctx: PodContext): Promise<void> {
    if (ctx.volumes === undefined) {
      // A sandbox this worker did not make (a new agent took the pod over) and nothing to start: set up again here.
      if (this.readySandbox(ctx) !== undefined) await this.mountVolumes(ctx);
      return;
    }
    // No Secret or ConfigMap volume: nothing to follow, no need to read the store.
    if (ctx.volumeSources === undefined || ctx.volumeSources.size === 0) return;
    const sources = ctx.sources();
    for (const [name, version] of projectedVersions(ctx.pod, sources)) {
      const volume = ctx.pod.spec.volumes?.find((v) => v.name === name);
      if (volume === undefined || ctx.volumeSources.get(name) === version) continue;
      try {
        const one = await this.deps.volumes.setUp({ ...ctx.pod, spec: { ...ctx.pod.spec, volumes: [volume] } }, podDir(this.deps.paths, ctx.pod), sources);
        for (const [n, prepared] of one) ctx.volumes.set(n, prepared);
        ctx.volumeSources.set(name, version);
      } catch (err) {
        this.emit(ctx, 'Warning', 'FailedMount', err instanceof Error ? err.message : String(err));
      }
    }
  }

  private async createSandbox(ctx: PodContext, attempt: number): Promise<InstanceMeta> {
    await ensurePodCgroup(podUid(ctx.pod), podCgroupLimits(ctx.pod.spec));
    const meta = await this.deps.sandboxes.runPodSandbox(ctx.pod, attempt);
    ctx.instances.set(meta.id, { meta, state: 'running' });
    for (const t of ctx.instances.values()) {
      if (t.meta.role === 'sandbox' && t.state === 'exited' && !t.removed) {
        await this.deps.sandboxes.removePodSandbox(t.meta);
        t.removed = true;
      }
    }
    await this.writePodFiles(ctx, meta);
    return meta;
  }

  private failStart(ctx: PodContext, c: Container, kind: 'init' | 'app', reason: string, message: string): false {
    ctx.startFailures.set(c.name, { reason, message });
    this.emit(ctx, 'Warning', 'Failed', `Error: ${message}`, containerFieldPath(kind, c.name));
    return false;
  }

  /** The first half of the kubelet's start(): back-off, image, config, create. False when nothing was created. */
  private async createContainer(ctx: PodContext, c: Container, kind: 'init' | 'app', sandbox: InstanceMeta, view: PodRuntimeStatus): Promise<InstanceMeta | false> {
    const pod = ctx.pod;
    const now = this.deps.clock();
    const fieldPath = containerFieldPath(kind, c.name);
    const back = checkBackoff({
      podUid: podUid(pod), podName: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? 'default',
      container: c, runtime: view, entries: ctx.backoff, now, cfg: this.deps.backoff,
    });
    if (back.inBackoff) {
      ctx.startFailures.set(c.name, { reason: 'CrashLoopBackOff', message: back.message });
      this.emit(ctx, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? 'default'}(${podUid(pod)})`, fieldPath);
      ctx.wakeAt = Math.min(ctx.wakeAt ?? Infinity, now + back.remainingMs);
      return false;
    }

    const image = await this.images.ensure(podUid(pod), c, now, (type, reason, message) => this.emit(ctx, type, reason, message, fieldPath),
      { imagePullSecrets: pod.spec.imagePullSecrets ?? [], secrets: ctx.sources().secrets });
    if (!image.ok) {
      ctx.startFailures.set(c.name, { reason: image.reason, message: image.message });
      if (image.retryInMs !== undefined) ctx.wakeAt = Math.min(ctx.wakeAt ?? Infinity, now + Math.max(image.retryInMs, 100));
      return false;
    }
    if (back.next) ctx.backoff.set(back.key, back.next);

    await this.pruneOlderInstances(ctx, c.name);
    const restartCount = ctx.restartCounts.get(c.name) ?? 0;
    const uid = podUid(pod);
    const cgroupsPath = containerCgroupPath(uid, `${kind}-${c.name}-${restartCount}-a${sandbox.attempt}`);
    const layers = this.deps.images.layerDirs(image.image);
    let spec;
    try {
      spec = await buildContainerSpec({
        pod, container: c, image: image.image, layers,
        namespaces: sandboxNamespacePaths(sandbox.pid ?? 0, pod.spec.shareProcessNamespace === true),
        hostname: podHostname(pod),
        volumes: ctx.volumes ?? new Map(),
        etcFiles: ctx.etcFiles ?? { hosts: '', hostname: '', resolvConf: '' },
        shmDir: ctx.shmDir ?? '/dev/shm',
        hostCapabilities: this.deps.hostCapabilities,
        ...ctx.sources(),
        services: this.deps.services?.() ?? [],
        nodeName: this.deps.nodeName,
        ...(this.deps.hostIP === undefined ? {} : { hostIP: this.deps.hostIP }),
        ...podIPOf(pod, sandbox, this.deps.hostIP),
        cgroupsPath, pidsLimit: this.deps.pidsLimit,
        annotations: { 'io.kubernetes.container.name': c.name, 'io.kubernetes.pod.uid': uid },
        podDir: podDir(this.deps.paths, pod),
      });
    } catch (err) {
      return this.failStart(ctx, c, kind, errorCode(err) === 'Internal' ? 'CreateContainerError' : 'CreateContainerConfigError', err instanceof Error ? err.message : String(err));
    }

    let meta: InstanceMeta;
    try {
      meta = await this.deps.runtime.createContainer({
        meta: {
          role: kind, podUid: uid, podName: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? 'default',
          name: c.name, sandboxId: sandbox.id, attempt: sandbox.attempt, restartCount,
          specHash: containerSpecHash(c), image: c.image ?? '', imageId: image.image.repoDigests?.[0] ?? image.image.id,
          logPath: containerLogPath(this.deps.paths, pod, c.name, restartCount), cgroupsPath,
        },
        spec,
        rootfs: { kind: 'layers', layers },
      });
    } catch (err) {
      return this.failStart(ctx, c, kind, 'CreateContainerError', err instanceof Error ? err.message : String(err));
    }
    ctx.restartCounts.set(c.name, restartCount + 1);
    ctx.instances.set(meta.id, { meta, state: 'created' });
    this.emit(ctx, 'Normal', 'Created', `Created container: ${c.name}`, fieldPath);
    this.hooks.onInstanceCreated?.(meta);
    this.deps.failpoint?.(`created:${c.name}`);
    return meta;
  }

  /** The second half of start(): runc start. False when it failed (RunContainerError). */
  private async startCreated(ctx: PodContext, c: Container, kind: 'init' | 'app', meta: InstanceMeta): Promise<boolean> {
    try {
      const started = await this.deps.runtime.startContainer(meta.id);
      ctx.instances.set(meta.id, { meta: started, state: 'running' });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // The instance is over (containerd's StartError, exit 128): the plan restarts it with back-off, and it holds
      // no process, mount or cgroup meanwhile once pruned.
      const ended = await this.deps.runtime.recordStartError(meta.id, message).catch(() => undefined);
      if (ended) ctx.instances.set(meta.id, { meta: ended, state: 'exited' });
      return this.failStart(ctx, c, kind, 'RunContainerError', message);
    }
    ctx.startFailures.delete(c.name);
    this.emit(ctx, 'Normal', 'Started', `Started container ${c.name}`, containerFieldPath(kind, c.name));
    this.deps.failpoint?.(`started:${c.name}`);
    return this.postStart(ctx, c, kind, meta.id);
  }

  /**
   * startContainer's step 4: the postStart hook, to its end, before anything else of the pod starts. A failure kills
   * the container (its preStop runs) and is its start failure (PostStartHookError with the hook's message); the event
   * does not quote the hook's output. A termination request ends the hook and leaves the container to the pod's kill.
   */
  private async postStart(ctx: PodContext, c: Container, kind: 'init' | 'app', id: string): Promise<boolean> {
    const handler = c.lifecycle?.postStart;
    const tracked = ctx.instances.get(id);
    if (handler === undefined || tracked === undefined) return true;
    const abort = new AbortController();
    this.postStarts.add(abort);
    if (this.terminating) abort.abort();
    let outcome: HookOutcome;
    try {
      outcome = await this.runHook(ctx, c, tracked.meta, handler, abort.signal);
    } finally {
      this.postStarts.delete(abort);
    }
    if (outcome.ok) return true;
    if (this.terminating) return false;
    this.emit(ctx, 'Warning', FAILED_POST_START_HOOK, 'PostStartHook failed', containerFieldPath(kind, c.name));
    await this.killContainer(ctx, id, FAILED_POST_START_HOOK, FAILED_POST_START_HOOK);
    ctx.startFailures.set(c.name, { reason: 'PostStartHookError', message: outcome.message });
    return false;
  }
}
