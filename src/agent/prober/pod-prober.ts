// The prober of one pod (the kubelet's prober manager, one per pod worker): a worker per running container
// instance and probe type, the published results by instance id (the planner's and the status's ProbeResults),
// the events of every run, and a poke to the pod worker whenever a result changes, so a liveness failure is acted
// on at once and readiness shows in the status without waiting for the next sync.
//
// Where network probes go: the pod's IP from the host (as the kubelet); the node's address for hostNetwork pods;
// for a pod without an IP (PODD_NETWORK=none) its loopback, from inside its network namespace (the pause
// process's /proc/<pid>/ns/net; see runtime/probe/dialer.ts).
import type { Pod } from '../../api/types.js';
import type { ProbeResults } from '../../core/pod-runtime.js';
import { resolveProbeAction } from '../../core/probe/action.js';
import { probeTiming } from '../../core/probe/timing.js';
import type { ProbeOutcome, ProbeResult, ProbeType } from '../../core/probe/types.js';
import { isContainerStarted, wantedWorkers } from '../../core/probe/workers.js';
import type { WantedWorker } from '../../core/probe/workers.js';
import type { ProbeHandlers, ProbeTarget } from '../../runtime/probe/handlers.js';
import type { PodEvent } from '../events.js';
import { containerFieldPath } from '../events.js';
import type { TrackedInstance } from '../observe.js';
import { ProbeWorker } from './probe-worker.js';

export interface PodProberDeps {
  handlers: ProbeHandlers;
  clock: () => number;
  /** The node's address: where a hostNetwork pod's probes go. */
  hostIP?: string;
  onEvent: (e: PodEvent) => void;
  /** A published result changed. */
  onChange: (type: ProbeType, id: string, result: ProbeResult) => void;
}

/** The pod worker's live view: its pod (spec, deletionTimestamp) and its instances. */
export interface ProberView {
  readonly pod: Pod;
  readonly instances: ReadonlyMap<string, TrackedInstance>;
}

export class PodProber {
  private readonly workers = new Map<string, ProbeWorker>();
  private readonly results: Record<ProbeType, Map<string, ProbeResult>> = { liveness: new Map(), readiness: new Map(), startup: new Map() };
  /** Instances whose exit was seen before the pod worker observed it: no worker is made for them again. */
  private readonly exited = new Set<string>();
  private closed = false;

  constructor(private readonly view: ProberView, private readonly deps: PodProberDeps) {}

  get probeResults(): ProbeResults {
    return this.results;
  }

  /** Brings the workers in line with the running instances; called after every observation and container start. */
  sync(): void {
    if (this.closed) return;
    const instances = [...this.view.instances.values()];
    for (const id of this.exited) {
      if (this.view.instances.get(id)?.state !== 'running') this.exited.delete(id);
    }
    const wanted = wantedWorkers(this.view.pod, instances.map((t) => ({
      id: t.meta.id, name: t.meta.name, role: t.meta.role, state: t.state,
      ...(t.meta.startedAt === undefined ? {} : { startedAt: t.meta.startedAt }),
    })), this.exited);
    const keys = new Set(wanted.map((w) => w.key));
    for (const [key, w] of this.workers) {
      if (keys.has(key)) continue;
      w.stop();
      this.workers.delete(key);
      this.results[w.type].delete(w.id);
    }
    for (const w of wanted) if (!this.workers.has(w.key)) this.add(w);
    // Termination: liveness and startup go quiet at once (readiness goes on until the container is gone).
    if (this.terminating()) for (const w of this.workers.values()) if (w.type !== 'readiness') w.trigger();
  }

  /** The instance exited (its exit file came): its workers stop and its results go, before the next observation. */
  instanceExited(id: string): void {
    if (this.closed) return;
    this.exited.add(id);
    for (const [key, w] of this.workers) {
      if (w.id !== id) continue;
      w.stop();
      this.workers.delete(key);
      this.results[w.type].delete(id);
    }
  }

  close(): void {
    this.closed = true;
    for (const w of this.workers.values()) w.stop();
    this.workers.clear();
    for (const m of Object.values(this.results)) m.clear();
  }

  private terminating(): boolean {
    return this.view.pod.metadata.deletionTimestamp !== undefined;
  }

  private add(w: WantedWorker): void {
    const fieldPath = containerFieldPath(w.kind, w.container.name);
    const worker = new ProbeWorker(w.id, w.type, probeTiming(w.probe), w.startedAt, {
      clock: this.deps.clock,
      started: () => isContainerStarted(w.container, this.results.startup.get(w.id)),
      terminating: () => this.terminating(),
      run: (timeoutMs) => this.run(w, timeoutMs),
      publish: (result, changed) => {
        if (!this.workers.has(w.key)) return;
        this.results[w.type].set(w.id, result);
        if (!changed) return;
        // Readiness need not wait a period once the container has started.
        if (w.type === 'startup' && result === 'success') this.workers.get(`${w.id}/readiness`)?.trigger();
        this.deps.onChange(w.type, w.id, result);
      },
      event: (e) => this.deps.onEvent({ type: e.type, reason: e.reason, message: e.message, fieldPath, time: this.deps.clock() }),
    });
    this.workers.set(w.key, worker);
    this.results[w.type].set(w.id, worker.result);
    worker.start();
  }

  /** Where the pod's network probes go, from its sandbox record. */
  private target(id: string): { target: ProbeTarget; podIP: string } | { error: string } {
    const inst = this.view.instances.get(id);
    if (this.view.pod.spec.hostNetwork === true) return { target: { containerId: id, network: { kind: 'host' } }, podIP: this.deps.hostIP ?? '127.0.0.1' };
    const sandbox = inst === undefined ? undefined : this.view.instances.get(inst.meta.sandboxId);
    const ip = sandbox?.meta.ips?.[0];
    if (ip !== undefined) return { target: { containerId: id, network: { kind: 'host' } }, podIP: ip };
    const pid = sandbox?.state === 'running' ? sandbox.meta.pid : undefined;
    if (pid !== undefined && pid > 0) return { target: { containerId: id, network: { kind: 'netns', path: `/proc/${pid}/ns/net` } }, podIP: '127.0.0.1' };
    return { error: `the pod's sandbox ${inst?.meta.sandboxId ?? ''} has no IP and no running pause process to probe through` };
  }

  private run(w: WantedWorker, timeoutMs: number): Promise<ProbeOutcome> {
    const where = this.target(w.id);
    // exec needs no network; the others have nowhere to go without one.
    if ('error' in where && w.probe.exec === undefined) return Promise.resolve({ result: 'unknown', output: '', error: where.error });
    const target = 'error' in where ? { containerId: w.id, network: { kind: 'host' as const } } : where.target;
    const action = resolveProbeAction(w.probe, w.container, 'error' in where ? '' : where.podIP);
    return this.deps.handlers.run(action, target, timeoutMs);
  }
}
