// The objects the cluster DNS answers from, kept current by watching the store (list, then watch from the list's
// resourceVersion: no gap), and the index built from them on the first query after a change.
import { buildClusterIndex, type ClusterIndex } from '../../core/dns/cluster-index.js';
import type { ClusterObjects } from '../../core/dns/types.js';
import type { ObjectStore, StoredObject, WatchHandle } from '../../store/types.js';

/** Store resources read, by the name the API stores them under. */
export const DNS_RESOURCES = {
  services: 'services',
  endpointSlices: 'endpointslices',
  endpoints: 'endpoints',
  pods: 'pods',
} as const satisfies Record<keyof ClusterObjects, string>;

type Kind = keyof typeof DNS_RESOURCES;

export interface ClusterSnapshotOptions {
  zone: string;
  log(line: string): void;
  /** Wait before listing again after a watch ended (the store stopped it). */
  relistDelayMs?: number;
}

export class ClusterSnapshot {
  private readonly objects = new Map<Kind, Map<string, StoredObject>>();
  private readonly watches = new Map<Kind, WatchHandle>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private cached: ClusterIndex | undefined;
  private stopped = false;

  constructor(private readonly store: ObjectStore, private readonly opts: ClusterSnapshotOptions) {}

  start(): void {
    for (const kind of Object.keys(DNS_RESOURCES) as Kind[]) this.sync(kind);
  }

  /** The index of the current objects (rebuilt only after a change). */
  index(): ClusterIndex {
    if (this.cached === undefined) {
      const list = <T>(kind: Kind): T[] => [...(this.objects.get(kind)?.values() ?? [])] as T[];
      const objects: ClusterObjects = {
        services: list('services'), endpointSlices: list('endpointSlices'), endpoints: list('endpoints'), pods: list('pods'),
      };
      this.cached = buildClusterIndex(objects, { zone: this.opts.zone, serial: Number(this.store.resourceVersion()) >>> 0 });
    }
    return this.cached;
  }

  private sync(kind: Kind): void {
    if (this.stopped) return;
    const resource = DNS_RESOURCES[kind];
    try {
      const listed = this.store.list(resource, undefined);
      const objects = new Map(listed.items.map((o) => [keyOf(o), o]));
      this.objects.set(kind, objects);
      this.cached = undefined;
      this.watches.set(kind, this.store.watch(resource, undefined, listed.resourceVersion, (ev) => {
        if (ev.type === 'ADDED' || ev.type === 'MODIFIED') objects.set(keyOf(ev.object), ev.object);
        else if (ev.type === 'DELETED') objects.delete(keyOf(ev.object));
        else if (ev.type === 'ERROR') this.relist(kind, ev.error.message);
        if (ev.type !== 'BOOKMARK') this.cached = undefined;
      }));
    } catch (err) {
      this.relist(kind, err instanceof Error ? err.message : String(err));
    }
  }

  private relist(kind: Kind, why: string): void {
    this.watches.delete(kind);
    if (this.stopped) return;
    this.opts.log(`podd dns: watch of ${DNS_RESOURCES[kind]} ended (${why}); listing again`);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.sync(kind);
    }, this.opts.relistDelayMs ?? 1_000);
    timer.unref();
    this.timers.add(timer);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const w of this.watches.values()) w.stop();
    this.watches.clear();
  }
}

function keyOf(o: StoredObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}
