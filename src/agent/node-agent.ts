// The node agent of `podd serve`: one pod worker per pod in the store, started on ADDED, told of spec changes and
// deletions, writing status and events back. The API never calls the runtime; this is the only place joining them.
import type { ConfigMap, Pod, Secret } from '../api/types.js';
import { NODE_PORTS_REJECTION, conflictingHostPort } from '../core/network/host-port-conflicts.js';
import { isPoddError } from '../core/errors.js';
import { formatRfc3339 } from '../core/time.js';
import type { InstanceMeta } from '../runtime/oci/container-runtime.js';
import type { ObjectStore, StoredObject, WatchHandle } from '../store/types.js';
import type { PodEvent } from './events.js';
import type { AgentDeps, PodSources } from './pod-context.js';
import { forgetOwner, recordOwner } from './orphans.js';
import { PodWorker } from './pod-worker.js';

interface Running {
  worker: PodWorker;
  done: Promise<void>;
  /** The pod is being deleted: a finished pod's worker, which keeps its containers until then, may clean up. */
  release: () => void;
}

const STATUS_RETRY_MS = 1_000;

export interface NodeAgentOptions {
  /** Where pod ownership is recorded, so `podd run`'s reaper leaves this agent's pods alone. */
  stateDir: string;
  /** The store's database file: the pods' owner, so that only a serve on it re-adopts them. */
  db: string;
  log?: (line: string) => void;
}

export class NodeAgent {
  private readonly workers = new Map<string, Running>();
  private watch: WatchHandle | undefined;
  /** Instances a previous agent left, by pod uid, until each pod's worker takes them over. */
  private leftovers = new Map<string, InstanceMeta[]>();
  private readonly log: (line: string) => void;
  /**
   * Statuses the store refused for a passing reason (a full disk, a busy database), by pod uid: written again
   * until one lands, as the kubelet's status manager retries. A finished pod's worker syncs no more, so nothing
   * else would ever write its last status.
   */
  private readonly unwrittenStatus = new Map<string, Pod>();
  private statusRetry: NodeJS.Timeout | undefined;
  private stopped = false;
  /**
   * Secrets and ConfigMaps by namespace, as the kubelet's watch-based manager keeps them: listed on first use, dropped
   * when one of the namespace changes. Mounted volumes are compared with them on every resync of every pod, so
   * reading the store each time would parse every Secret and ConfigMap of the namespace, per pod, every 2 s.
   */
  private readonly sourceCache = new Map<string, PodSources>();
  private sourceWatches: WatchHandle[] | undefined;

  constructor(private readonly store: ObjectStore, private readonly deps: AgentDeps, private readonly opts: NodeAgentOptions) {
    this.log = opts.log ?? (() => undefined);
  }

  /**
   * Starts a worker per stored pod. Containers a previous agent left (conmon kept them running) are re-adopted by
   * their pod's worker, never restarted; call reapOrphanedPods first for the pods that are no longer stored.
   */
  async start(): Promise<void> {
    for (const m of await this.deps.runtime.list()) this.leftovers.set(m.podUid, [...(this.leftovers.get(m.podUid) ?? []), m]);
    this.sourceWatches = ['secrets', 'configmaps'].map((resource) => this.store.watch(resource, undefined, undefined, (e) => {
      if (e.type === 'ERROR') {
        // The store is closing, or the watch ended: read the store every time from now on.
        this.sourceWatches = undefined;
        this.sourceCache.clear();
      } else if (e.type !== 'BOOKMARK') {
        this.sourceCache.delete(e.object.metadata.namespace ?? 'default');
      }
    }));
    const { items, resourceVersion } = this.store.list<Pod>('pods', undefined);
    for (const pod of items) this.reconcile(pod);
    this.watch = this.store.watch<Pod>('pods', undefined, resourceVersion, (e) => {
      if (e.type === 'ADDED' || e.type === 'MODIFIED') this.reconcile(e.object);
      if (e.type === 'DELETED') this.onDeleted(e.object);
    });
  }

  /**
   * Stops watching; the pods' containers keep running under conmon. Pods already being deleted are finished first
   * (for up to `graceMs`): a pod gone from the store would otherwise wait for the next start to be cleaned up.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.watch?.stop();
    for (const w of this.sourceWatches ?? []) w.stop();
    this.sourceWatches = undefined;
    this.stopped = true;
    clearTimeout(this.statusRetry);
    const deleting = [...this.workers.values()].filter((w) => w.worker.pod.metadata.deletionTimestamp !== undefined).map((w) => w.done);
    if (deleting.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(deleting), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }

  /** Resolves once every worker has finished (for tests and shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.done));
  }

  private reconcile(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    const running = this.workers.get(uid);
    if (running) {
      running.worker.updateSpec(pod);
      if (pod.metadata.deletionTimestamp !== undefined) {
        running.worker.requestTermination(pod.metadata.deletionGracePeriodSeconds);
        running.release();
      }
      return;
    }
    const phase = pod.status?.phase;
    // A finished pod keeps its exited containers (logs, statuses) until it is deleted; nothing runs for it.
    if ((phase === 'Succeeded' || phase === 'Failed') && pod.metadata.deletionTimestamp === undefined) return;
    if (pod.metadata.deletionTimestamp === undefined && !this.leftovers.has(uid) && this.rejectOnHostPorts(pod)) return;
    this.startWorker(pod);
  }

  /** The kubelet's admission: a pod wanting a host port an admitted pod holds fails at once, nothing started. */
  private rejectOnHostPorts(pod: Pod): boolean {
    const admitted = [...this.workers.values()].map((w) => w.worker.pod).filter((p) => p.metadata.deletionTimestamp === undefined && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    if (conflictingHostPort(pod, admitted) === undefined) return false;
    const ns = pod.metadata.namespace ?? 'default';
    this.recordEvent(pod, { type: 'Warning', reason: NODE_PORTS_REJECTION.reason, message: NODE_PORTS_REJECTION.message.replace('Pod was rejected: ', ''), fieldPath: '', time: this.deps.clock() });
    try {
      this.store.update<Pod>('pods', ns, pod.metadata.name ?? '', (cur) => ({
        ...cur, status: { ...cur.status, phase: 'Failed', reason: NODE_PORTS_REJECTION.reason, message: NODE_PORTS_REJECTION.message },
      }), { expectedUid: pod.metadata.uid ?? '' });
    } catch {
      // deleted meanwhile
    }
    return true;
  }

  /** Removed from the store: its worker stops it now, or one is started to remove what a finished pod left. */
  private onDeleted(pod: Pod): void {
    const running = this.workers.get(pod.metadata.uid ?? '');
    if (running) {
      running.worker.requestTermination(0);
      running.release();
      return;
    }
    if (!this.leftovers.has(pod.metadata.uid ?? '')) return;
    this.startWorker({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: pod.metadata.deletionTimestamp ?? formatRfc3339(this.deps.clock()), deletionGracePeriodSeconds: 0 } });
  }

  private sources(namespace: string): PodSources {
    const cached = this.sourceCache.get(namespace);
    if (cached !== undefined) return cached;
    const secrets = new Map(this.store.list<Secret>('secrets', namespace).items.map((s) => [s.metadata.name ?? '', s]));
    const configMaps = new Map(this.store.list<ConfigMap>('configmaps', namespace).items.map((c) => [c.metadata.name ?? '', c]));
    const sources = { secrets, configMaps };
    if (this.sourceWatches !== undefined) this.sourceCache.set(namespace, sources);
    return sources;
  }

  private startWorker(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    const ns = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name ?? '';
    const worker = new PodWorker(pod, () => this.sources(ns), this.deps, {
      onEvent: (e) => this.recordEvent(pod, e),
      onStatus: (p) => this.writeStatus(p),
    });
    const adopted = this.leftovers.get(uid) ?? [];
    this.leftovers.delete(uid);
    // There is no scheduler: a pod is bound to this node when created, and users look for the event saying so.
    if (pod.status?.conditions === undefined && pod.metadata.deletionTimestamp === undefined) {
      this.recordEvent(pod, { type: 'Normal', reason: 'Scheduled', message: `Successfully assigned ${ns}/${name} to ${this.deps.nodeName}`, fieldPath: '', time: this.deps.clock() }, 'default-scheduler');
    }
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const done = (async () => {
      try {
        await recordOwner(this.opts.stateDir, uid, { agent: 'serve', pid: process.pid, db: this.opts.db });
        await worker.adopt(adopted);
        await worker.run();
        // A finished pod keeps its exited containers (logs, statuses) until it is deleted.
        if (worker.pod.metadata.deletionTimestamp === undefined && this.store.tryGet<Pod>('pods', ns, name)?.metadata.uid === uid) await released;
        await worker.cleanUp();
        await forgetOwner(this.opts.stateDir, uid);
        const current = this.store.tryGet<Pod>('pods', ns, name);
        if (current?.metadata.uid === uid) this.store.delete('pods', ns, name, { expectedUid: uid });
      } catch (err) {
        this.log(`pod ${ns}/${name}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        this.workers.delete(uid);
      }
    })();
    this.workers.set(uid, { worker, done, release });
  }

  private writeStatus(pod: Pod): void {
    const ns = pod.metadata.namespace ?? 'default';
    const uid = pod.metadata.uid ?? '';
    const retrying = this.unwrittenStatus.size > 0;
    this.unwrittenStatus.delete(uid);
    try {
      this.store.update<Pod>('pods', ns, pod.metadata.name ?? '', (cur) => ({ ...cur, status: pod.status ?? { phase: 'Pending' } }), { expectedUid: uid });
    } catch (err) {
      // Only a passing refusal is tried again. NotFound or Conflict: deleted, or replaced by a pod of the same name,
      // meanwhile, and the worker is being told.
      if (this.stopped || !(isPoddError(err, 'Internal') || isPoddError(err, 'Unavailable'))) return;
      if (!retrying) this.log(`podd serve: cannot write pod statuses (will retry): ${err instanceof Error ? err.message : String(err)}`);
      this.unwrittenStatus.set(uid, pod);
      this.statusRetry ??= setTimeout(() => {
        this.statusRetry = undefined;
        for (const unwritten of [...this.unwrittenStatus.values()]) this.writeStatus(unwritten);
      }, STATUS_RETRY_MS).unref();
    }
  }

  private lastEventNanos = 0n;

  /** client-go's event name suffix, the time in hex nanoseconds: names sort in the order events happened. */
  private eventSuffix(timeMs: number): string {
    const nanos = BigInt(timeMs) * 1_000_000n;
    this.lastEventNanos = nanos > this.lastEventNanos ? nanos : this.lastEventNanos + 1n;
    return this.lastEventNanos.toString(16);
  }

  /** Events already recorded, by client-go's aggregation key: a repeat bumps count and lastTimestamp instead. */
  private readonly recentEvents = new Map<string, { name: string; at: number }>();

  /** client-go's EventCorrelator: the same event about the same object within 10 minutes is counted, not repeated. */
  private countRepeat(key: string, ns: string, at: string, now: number): boolean {
    const seen = this.recentEvents.get(key);
    if (seen === undefined || now - seen.at > 10 * 60_000) return false;
    try {
      this.store.update<StoredObject & { count?: number; lastTimestamp?: string }>('events', ns, seen.name, (cur) => ({ ...cur, count: (cur.count ?? 1) + 1, lastTimestamp: at }));
      seen.at = now;
      return true;
    } catch {
      // expired (event TTL) or deleted: record it anew
      this.recentEvents.delete(key);
      return false;
    }
  }

  private recordEvent(pod: Pod, e: PodEvent, component = 'podd'): void {
    const ns = pod.metadata.namespace ?? 'default';
    const at = formatRfc3339(e.time);
    const key = JSON.stringify([component, pod.metadata.uid, e.fieldPath, e.type, e.reason, e.message]);
    if (this.countRepeat(key, ns, at, e.time)) return;
    const name = `${pod.metadata.name ?? ''}.${this.eventSuffix(e.time)}`;
    if (this.recentEvents.size >= 4096) this.recentEvents.delete(this.recentEvents.keys().next().value ?? '');
    this.recentEvents.set(key, { name, at: e.time });
    try {
      this.store.create('events', {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: ns },
        involvedObject: { kind: 'Pod', namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid, apiVersion: 'v1', ...(e.fieldPath ? { fieldPath: e.fieldPath } : {}) },
        reason: e.reason,
        message: e.message,
        type: e.type,
        source: component === 'podd' ? { component, host: this.deps.nodeName } : { component },
        firstTimestamp: at,
        lastTimestamp: at,
        count: 1,
        reportingComponent: component,
        reportingInstance: component === 'podd' ? this.deps.nodeName : '',
      });
    } catch (err) {
      this.log(`event for ${ns}/${pod.metadata.name ?? ''}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
