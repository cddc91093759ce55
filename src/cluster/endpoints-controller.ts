// The endpoints, endpointslice and endpointslice-mirroring controllers of kube-controller-manager in one loop:
// for every Service with a selector, the Endpoints (same name) and EndpointSlices (`<svc>-<random>`) listing the
// selected pods; for a Service without one, slices mirroring the user's own Endpoints. Services are queued by key
// on pod, Service and Endpoints changes and synced after a short debounce, recomputing from the store (the pure
// part is core/service); everything is resynced periodically in case a write failed or a managed object was
// edited. What a deleted Service leaves behind is deleted at once, and at start for Services deleted while podd
// was down.
import type { EndpointSlice, Endpoints, Service } from '../api/service-types.js';
import {
  ENDPOINTS_CONTROLLER, ENDPOINTS_MANAGED_BY_LABEL, MANAGED_BY_LABEL, MIRROR_CONTROLLER, SERVICE_NAME_LABEL, SKIP_MIRROR_LABEL, SLICE_CONTROLLER,
} from '../api/service-types.js';
import type { Pod } from '../api/types.js';
import { jsonEqual } from '../store/metadata.js';
import type { ObjectStore, StoredObject } from '../store/types.js';
import { desiredEndpoints, hasManagedEndpoints } from '../core/service/endpoints.js';
import { mirrorSliceTemplate, planSlices, serviceSliceTemplate, sliceGroupsForEndpoints, sliceGroupsForPods } from '../core/service/endpoint-slices.js';
import type { SlicePlan } from '../core/service/endpoint-slices.js';
import { ResyncWatch } from './resync-watch.js';

export interface EndpointsControllerOptions {
  log?: (line: string) => void;
  /** Changes within this window are synced together (default 50 ms). */
  debounceMs?: number;
  /** Full resync period (default 30 s). */
  resyncMs?: number;
}

const keyOf = (o: StoredObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

function isManagedEndpoints(ep: StoredObject): boolean {
  return ep.metadata.labels?.[ENDPOINTS_MANAGED_BY_LABEL] === ENDPOINTS_CONTROLLER;
}

function isManagedSlice(s: StoredObject): boolean {
  const by = s.metadata.labels?.[MANAGED_BY_LABEL];
  return by === SLICE_CONTROLLER || by === MIRROR_CONTROLLER;
}

export class EndpointsController {
  private readonly queue = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private readonly watch: ResyncWatch;
  private readonly log: (line: string) => void;
  private stopped = false;

  constructor(private readonly store: ObjectStore, private readonly opts: EndpointsControllerOptions = {}) {
    this.log = opts.log ?? (() => undefined);
    this.watch = new ResyncWatch(store, {
      resources: ['services', 'pods', 'endpoints'],
      onEvent: (resource, e) => this.onEvent(resource, e.type, e.object),
      onResync: () => this.resyncAll(),
      log: (line) => this.log(`endpoints controller: ${line}`),
    });
  }

  start(): void {
    this.collectOrphans();
    this.watch.start();
    this.resyncTimer = setInterval(() => this.resyncAll(), this.opts.resyncMs ?? 30_000);
  }

  stop(): void {
    this.stopped = true;
    this.watch.stop();
    clearTimeout(this.timer);
    clearInterval(this.resyncTimer);
  }

  /** Syncs whatever is queued now (tests; the timer does it otherwise). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const keys = [...this.queue];
    this.queue.clear();
    for (const key of keys) {
      try {
        this.sync(key);
      } catch (err) {
        // A concurrent edit (Conflict, AlreadyExists) or a closing store: the next resync tries again.
        this.log(`endpoints controller: sync of service ${key}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  private enqueue(key: string): void {
    if (this.stopped) return;
    this.queue.add(key);
    this.timer ??= setTimeout(() => this.flush(), this.opts.debounceMs ?? 50);
  }

  private resyncAll(): void {
    for (const s of this.store.list('services', undefined).items) this.enqueue(keyOf(s));
  }

  private onEvent(resource: string, type: string, obj: StoredObject): void {
    if (resource === 'services') {
      this.enqueue(keyOf(obj));
    } else if (resource === 'pods') {
      // Labels may have changed either way, so every selecting Service of the namespace is a candidate.
      for (const s of this.store.list<Service>('services', obj.metadata.namespace ?? '').items) {
        if (hasManagedEndpoints(s)) this.enqueue(keyOf(s));
      }
    } else if (resource === 'endpoints' && !isManagedEndpoints(obj)) {
      // A user's own Endpoints: its slices mirror it (or go, when it is deleted).
      if (type === 'DELETED' || obj.metadata.labels?.[SKIP_MIRROR_LABEL] === undefined) this.enqueue(keyOf(obj));
    }
  }

  /** Endpoints and slices the controllers made for Services that no longer exist. */
  private collectOrphans(): void {
    for (const ep of this.store.list('endpoints', undefined).items) {
      if (isManagedEndpoints(ep) && this.store.tryGet('services', ep.metadata.namespace ?? '', ep.metadata.name ?? '') === undefined) {
        this.enqueue(keyOf(ep));
      }
    }
    for (const s of this.store.list('endpointslices', undefined).items) {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL] ?? '';
      if (isManagedSlice(s) && this.store.tryGet('services', s.metadata.namespace ?? '', svc) === undefined) this.enqueue(`${s.metadata.namespace ?? ''}/${svc}`);
    }
  }

  private sync(key: string): void {
    const [ns = '', name = ''] = key.split('/');
    const svc = this.store.tryGet<Service>('services', ns, name);
    const slices = this.store.list<EndpointSlice>('endpointslices', ns, { labelSelector: (l) => l[SERVICE_NAME_LABEL] === name }).items;
    const existing = this.store.tryGet<Endpoints>('endpoints', ns, name);
    if (svc === undefined) {
      if (existing !== undefined && isManagedEndpoints(existing)) this.store.delete('endpoints', ns, name);
      for (const s of slices) if (isManagedSlice(s)) this.store.delete('endpointslices', ns, s.metadata.name ?? '');
      return;
    }
    if (hasManagedEndpoints(svc)) {
      const pods = this.store.list<Pod>('pods', ns).items;
      this.writeEndpoints(desiredEndpoints(svc, pods), existing);
      this.apply(ns, planSlices(serviceSliceTemplate(svc), sliceGroupsForPods(svc, pods), slices, true));
      for (const s of slices) if (s.metadata.labels?.[MANAGED_BY_LABEL] === MIRROR_CONTROLLER) this.store.delete('endpointslices', ns, s.metadata.name ?? '');
      return;
    }
    // No selector: Endpoints are the user's. Ours from when the Service had one go.
    if (existing !== undefined && isManagedEndpoints(existing)) this.store.delete('endpoints', ns, name);
    const mirrored = existing !== undefined && !isManagedEndpoints(existing) && existing.metadata.labels?.[SKIP_MIRROR_LABEL] === undefined
      && svc.spec.type !== 'ExternalName';
    const mirror = mirrored ? planSlices(mirrorSliceTemplate(existing), sliceGroupsForEndpoints(existing), slices, false) : undefined;
    if (mirror !== undefined) this.apply(ns, mirror);
    for (const s of slices) {
      const by = s.metadata.labels?.[MANAGED_BY_LABEL];
      if (by === SLICE_CONTROLLER || (by === MIRROR_CONTROLLER && mirror === undefined)) this.store.delete('endpointslices', ns, s.metadata.name ?? '');
    }
  }

  private writeEndpoints(want: Endpoints, existing: Endpoints | undefined): void {
    const ns = want.metadata.namespace ?? '';
    const name = want.metadata.name ?? '';
    if (existing === undefined) {
      this.store.create('endpoints', want);
      return;
    }
    if (jsonEqual(existing.subsets, want.subsets) && jsonEqual(existing.metadata.labels, want.metadata.labels)) return;
    this.store.update<Endpoints>('endpoints', ns, name, (cur) => {
      const next: Endpoints = { ...cur, metadata: { ...cur.metadata, labels: want.metadata.labels ?? {} } };
      if (want.subsets === undefined) delete next.subsets;
      else next.subsets = want.subsets;
      return next;
    });
  }

  private apply(ns: string, plan: SlicePlan): void {
    for (const name of plan.delete) this.store.delete('endpointslices', ns, name);
    for (const s of plan.update) this.store.update<EndpointSlice>('endpointslices', ns, s.metadata.name ?? '', () => s);
    for (const s of plan.create) this.store.create('endpointslices', s);
  }
}
