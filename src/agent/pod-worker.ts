// One serialized worker per pod (the kubelet's pod worker): observe → plan → execute → derive status, again on every
// container exit, back-off expiry, termination request or resync tick.
import type { Pod } from '../api/types.js';
import { computePodActions } from '../core/plan/compute-pod-actions.js';
import { backoffConfigFromAnnotations } from '../core/plan/backoff.js';
import type { ProbeResults } from '../core/pod-runtime.js';
import { activeDeadlineAt, DEADLINE_EXCEEDED, DEADLINE_EXCEEDED_MESSAGE } from '../core/status/active-deadline.js';
import { derivePodStatus } from '../core/status/derive-pod-status.js';
import { formatRfc3339 } from '../core/time.js';
import { removeCgroup, podCgroupPath } from '../runtime/oci/cgroups.js';
import { rm } from 'node:fs/promises';
import { removePodShm } from '../runtime/volume/pod-shm.js';
import { unmountAllUnder } from '../runtime/volume/mounts.js';
import { PlanExecutor } from './executor.js';
import { isPoddError } from '../core/errors.js';
import { ImageEnsurer } from './image-ensurer.js';
import { podRuntimeView } from './observe.js';
import type { InstanceMeta } from '../runtime/oci/container-runtime.js';
import type { AgentDeps, PodContext, PodHooks, PodSources } from './pod-context.js';
import { podDir, podLogDir, podUid } from './pod-paths.js';
import { PodProber } from './prober/pod-prober.js';

const RESYNC_MS = 2_000;
const NO_PROBES: ProbeResults = { liveness: new Map(), readiness: new Map(), startup: new Map() };

export class PodWorker {
  readonly ctx: PodContext;
  private readonly executor: PlanExecutor;
  private readonly deps: AgentDeps;
  private wake: (() => void) | undefined;
  /** Set by a poke that came while a sync was running: the next sleep returns at once. */
  private poked = false;
  /** The last wake-up was the resync timer, not an event: a good moment to ask runc as well (the PLEG relist). */
  private relist = false;
  /** Startup, liveness and readiness probes of the running instances (when the node runs probes). */
  private readonly prober: PodProber | undefined;

  constructor(pod: Pod, sources: () => PodSources, deps: AgentDeps, private readonly hooks: PodHooks) {
    const backoff = backoffConfigFromAnnotations(pod.metadata.annotations, deps.backoff);
    this.deps = { ...deps, backoff };
    this.ctx = {
      pod, sources,
      instances: new Map(), startFailures: new Map(), backoff: new Map(), restartCounts: new Map(),
    };
    this.prober = deps.probes === undefined ? undefined : new PodProber(this.ctx, {
      handlers: deps.probes, clock: deps.clock, ...(deps.hostIP === undefined ? {} : { hostIP: deps.hostIP }),
      onEvent: (e) => hooks.onEvent(e),
      // As the kubelet's status manager and sync loop: a changed result shows in the status at once, even while a
      // sync is busy (readiness during a graceful kill), and the next sync acts on it (a liveness failure kills).
      onChange: () => {
        this.updateStatus();
        this.poke();
      },
    });
    // A container's probes begin as it starts, not after the rest of the sync (pulls, other containers' starts).
    const executorHooks: PodHooks = this.prober === undefined ? hooks : {
      ...hooks,
      onEvent: (e) => {
        hooks.onEvent(e);
        if (e.reason === 'Started') this.prober?.sync();
      },
    };
    this.executor = new PlanExecutor(this.deps, new ImageEnsurer(deps.images, backoff), executorHooks);
    deps.runtime.exits.on('exit', this.onExit);
  }

  private readonly onExit = (rec: { id: string }): void => {
    if (!this.ctx.instances.has(rec.id)) return;
    this.prober?.instanceExited(rec.id);
    this.poke();
  };

  private probeResults(): ProbeResults {
    return this.prober?.probeResults ?? NO_PROBES;
  }

  get pod(): Pod {
    return this.ctx.pod;
  }

  /**
   * The API changed the pod: the mutable parts of the spec (images, activeDeadlineSeconds, grace) are taken, the
   * status stays the worker's own. The next sync sees a changed image through the container's spec hash.
   */
  updateSpec(next: Pod): void {
    const merged: Pod = { ...next, status: this.ctx.pod.status ?? { phase: 'Pending' } };
    if (this.isTerminating()) merged.metadata = { ...next.metadata, deletionTimestamp: this.ctx.pod.metadata.deletionTimestamp ?? '' };
    const changed = JSON.stringify(next.spec) !== JSON.stringify(this.ctx.pod.spec);
    const deletionBegins = next.metadata.deletionTimestamp !== undefined && !this.isTerminating();
    this.ctx.pod = merged;
    // Our own status writes come back as MODIFIED too: only a spec change or the start of a deletion needs a sync.
    if (changed || deletionBegins) this.poke();
  }

  poke(): void {
    this.poked = true;
    this.wake?.();
  }

  /**
   * Takes over the instances a previous agent made for this pod (conmon kept them running): their records become
   * this worker's, restart counts continue from them, and ones that never started are removed to be made again.
   */
  async adopt(instances: readonly InstanceMeta[]): Promise<void> {
    for (const m of instances) {
      // An instance podd cannot read back is the kubelet's "unknown" state: the plan kills and replaces it.
      const st = await this.deps.runtime.recover(m.id).catch((err: unknown) => (isPoddError(err, 'NotFound') ? undefined : { meta: m, state: 'unknown' as const }));
      if (!st) continue;
      this.ctx.instances.set(m.id, { meta: st.meta, state: st.state });
      if (st.meta.role !== 'sandbox') {
        this.ctx.restartCounts.set(st.meta.name, Math.max(this.ctx.restartCounts.get(st.meta.name) ?? 0, st.meta.restartCount + 1));
      }
    }
  }

  private async observe(): Promise<void> {
    // On the resync tick runc is asked too, in case conmon itself died (an exit file that will never come).
    const verify = this.relist;
    await Promise.all([...this.ctx.instances.values()].map(async (t) => {
      if (t.state === 'exited') return;
      try {
        const st = await this.deps.runtime.status(t.meta.id, verify);
        t.meta = st.meta;
        t.state = st.state;
      } catch (err) {
        // Removed behind podd's back (or its record lost): the kubelet's "unknown" state, which the plan kills
        // and replaces. Other errors are transient: keep the last known state until the next sync.
        if (isPoddError(err, 'NotFound')) t.state = 'unknown';
      }
    }));
  }

  private isTerminating(): boolean {
    return this.ctx.pod.metadata.deletionTimestamp !== undefined;
  }

  private anyRunning(): boolean {
    return [...this.ctx.instances.values()].some((t) => t.state === 'running' || t.state === 'created');
  }

  private updateStatus(): void {
    const now = this.deps.clock();
    const runtime = podRuntimeView(this.ctx.instances.values());
    const status = derivePodStatus({
      pod: this.ctx.pod,
      runtime,
      startFailures: this.ctx.startFailures,
      probes: this.probeResults(),
      podIsTerminal: this.isTerminating() && !this.anyRunning(),
      now,
      ...(this.deps.hostIP === undefined ? {} : { hostIP: this.deps.hostIP }),
    });
    const wasExceeded = this.ctx.pod.status?.reason === DEADLINE_EXCEEDED;
    this.ctx.pod = { ...this.ctx.pod, status };
    if (status.reason === DEADLINE_EXCEEDED && !wasExceeded) {
      this.hooks.onEvent({ type: 'Normal', reason: DEADLINE_EXCEEDED, message: DEADLINE_EXCEEDED_MESSAGE, fieldPath: '', time: now });
    }
    this.hooks.onStatus?.(this.ctx.pod);
  }

  async syncOnce(): Promise<void> {
    this.ctx.wakeAt = undefined;
    this.poked = false;
    await this.observe();
    this.prober?.sync();
    // As the kubelet: the status of what was observed is published before acting on it, so a crash is seen
    // (Init:Error) before its back-off (Init:CrashLoopBackOff), and a deletion (Terminating) before the kill.
    this.updateStatus();
    const view = podRuntimeView(this.ctx.instances.values());
    const plan = computePodActions({ pod: this.ctx.pod, runtime: view, probes: this.probeResults(), now: this.deps.clock() });
    await this.executor.execute(this.ctx, plan, view);
    if (this.relist && !this.isTerminating()) await this.executor.refreshVolumes(this.ctx);
    this.relist = false;
    await this.observe();
    this.prober?.sync();
    this.updateStatus();
    // The activeDeadlineHandler: the worker wakes when the pod's deadline passes.
    const deadline = activeDeadlineAt(this.ctx.pod);
    if (deadline !== undefined && deadline > this.deps.clock()) this.ctx.wakeAt = Math.min(this.ctx.wakeAt ?? Infinity, deadline);
  }

  /** Finished: nothing runs and nothing will be started again. */
  isDone(): boolean {
    if (this.anyRunning()) return false;
    const phase = this.ctx.pod.status?.phase;
    return this.isTerminating() || phase === 'Succeeded' || phase === 'Failed';
  }

  /** Syncs until the pod is done or the signal aborts; returns the final pod. */
  async run(signal?: AbortSignal): Promise<Pod> {
    while (!signal?.aborted) {
      await this.syncOnce();
      if (this.isDone()) break;
      await this.sleepUntilWoken();
    }
    return this.ctx.pod;
  }

  private sleepUntilWoken(): Promise<void> {
    if (this.poked) {
      this.poked = false;
      return Promise.resolve();
    }
    const delay = Math.max(0, Math.min(RESYNC_MS, (this.ctx.wakeAt ?? Infinity) - this.deps.clock()));
    return new Promise((resolve) => {
      const timer: { handle?: NodeJS.Timeout } = {};
      const done = (): void => {
        clearTimeout(timer.handle);
        this.wake = undefined;
        this.poked = false;
        resolve();
      };
      timer.handle = setTimeout(() => {
        this.relist = delay === RESYNC_MS;
        done();
      }, delay);
      this.wake = done;
    });
  }

  /** Graceful deletion: deletionTimestamp + grace, then the next sync kills everything. */
  requestTermination(graceSeconds?: number): void {
    const grace = graceSeconds ?? this.ctx.pod.spec.terminationGracePeriodSeconds ?? 30;
    if (this.isTerminating()) {
      // A later request may only shorten the grace period (the pod worker's effective grace never grows).
      // Stops in progress take the shorter grace, and postStart hooks in progress end.
      const current = this.ctx.pod.metadata.deletionGracePeriodSeconds ?? grace;
      if (grace < current) this.ctx.pod = { ...this.ctx.pod, metadata: { ...this.ctx.pod.metadata, deletionGracePeriodSeconds: grace } };
      this.executor.terminationRequested(Math.min(grace, current));
      return;
    }
    this.ctx.pod = {
      ...this.ctx.pod,
      metadata: { ...this.ctx.pod.metadata, deletionTimestamp: formatRfc3339(this.deps.clock()), deletionGracePeriodSeconds: grace },
    };
    this.executor.terminationRequested(grace);
    this.poke();
  }

  /** Removes every runtime object, mount, cgroup and file of the pod. Safe to call more than once. */
  async cleanUp(opts: { keepLogs?: boolean } = {}): Promise<void> {
    const errors: unknown[] = [];
    // Every step runs even when an earlier one failed: one stuck container must not leak the rest.
    const step = async (fn: () => Promise<unknown>): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    };
    this.deps.runtime.exits.off('exit', this.onExit);
    this.prober?.close();
    await step(() => this.executor.killPod(this.ctx));
    // Each removal mostly waits (runc, conmon's exit, umount): done side by side, as containerd's sandbox teardown.
    await Promise.all([...this.ctx.instances.values()].map((t) => step(() => (t.meta.role === 'sandbox'
      ? this.deps.sandboxes.removePodSandbox(t.meta)
      : this.deps.runtime.removeContainer(t.meta.id)))));
    const dir = podDir(this.deps.paths, this.ctx.pod);
    await step(() => this.deps.volumes.tearDown(dir));
    await step(() => removePodShm(dir));
    // Whatever else is still mounted below the pod dir (nothing, normally) must go before the directory does.
    await step(() => unmountAllUnder(dir));
    await step(() => rm(dir, { recursive: true, force: true }));
    await step(() => removeCgroup(podCgroupPath(podUid(this.ctx.pod))));
    if (!opts.keepLogs) await step(() => rm(podLogDir(this.deps.paths, this.ctx.pod), { recursive: true, force: true }));
    if (errors.length > 0) throw new AggregateError(errors, `cleaning up pod ${this.ctx.pod.metadata.name ?? ''} left ${errors.length} error(s)`);
  }
}
