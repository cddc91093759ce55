// The EndpointSlices of one Service, as the endpointslice controller computes them (k8s.io/endpointslice
// reconciler): pods grouped by the ports they resolve to, at most 100 endpoints a slice, every endpoint with
// ready/serving/terminating conditions (terminating pods stay listed, not ready), and an empty placeholder slice
// when nothing is selected. For a Service without selector the slices mirror the user's own Endpoints, as the
// endpointslice-mirroring controller does. planSlices turns desired slices plus the existing ones into writes,
// reusing existing slices (and their names) where it can.
import type { EndpointSlice, Endpoints, ObjectReference, Service, SliceEndpoint, SlicePort } from '../../api/service-types.js';
import {
  HEADLESS_LABEL, MANAGED_BY_LABEL, MIRROR_CONTROLLER, SERVICE_NAME_LABEL, SLICE_CONTROLLER, isHeadless,
} from '../../api/service-types.js';
import type { ObjectMeta, OwnerReference, Pod } from '../../api/types.js';
import { selectedPods } from './endpoints.js';
import { findPort, isPodReady, isTerminating, podIPv4, podRef, shouldPodBeInEndpoints, shouldSetHostname } from './pod-endpoint.js';

export const MAX_ENDPOINTS_PER_SLICE = 100;

export interface SliceGroup {
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

function cmpText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function portsKey(ports: readonly SlicePort[]): string {
  return JSON.stringify(ports.map((p) => [p.name ?? '', p.port ?? 0, p.protocol ?? '', p.appProtocol ?? '']));
}

/** getEndpointPorts: the service ports the pod resolves, in the Service's order. */
function endpointPorts(svc: Service, pod: Pod): SlicePort[] {
  const out: SlicePort[] = [];
  for (const sp of svc.spec.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const p: SlicePort = { name: sp.name ?? '', protocol: sp.protocol ?? 'TCP', port };
    if (sp.appProtocol !== undefined) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

/** podToEndpoint. */
function podEndpoint(svc: Service, pod: Pod): SliceEndpoint {
  const serving = isPodReady(pod);
  const terminating = isTerminating(pod);
  const ready = svc.spec.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: SliceEndpoint = { addresses: [podIPv4(pod) ?? ''], conditions: { ready, serving, terminating }, targetRef: podRef(pod) };
  if ((pod.spec.nodeName ?? '') !== '') ep.nodeName = pod.spec.nodeName ?? '';
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec.hostname ?? '';
  return ep;
}

function byAddress(a: SliceEndpoint, b: SliceEndpoint): number {
  return cmpText(a.addresses[0] ?? '', b.addresses[0] ?? '') || cmpText(a.targetRef?.uid ?? '', b.targetRef?.uid ?? '');
}

/** Endpoints grouped by port mapping; no group at all when nothing is selected. */
export function sliceGroupsForPods(svc: Service, pods: readonly Pod[]): SliceGroup[] {
  const groups = new Map<string, SliceGroup>();
  for (const pod of selectedPods(svc, pods)) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(svc, pod);
    const key = portsKey(ports);
    const g = groups.get(key) ?? { ports, endpoints: [] };
    g.endpoints.push(podEndpoint(svc, pod));
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ ports: g.ports, endpoints: g.endpoints.sort(byAddress) }));
}

/** The mirroring controller's groups: one per Endpoints subset; not-ready addresses are neither ready nor serving. */
export function sliceGroupsForEndpoints(ep: Endpoints): SliceGroup[] {
  return (ep.subsets ?? []).map((s) => {
    const ports: SlicePort[] = (s.ports ?? []).map((p) => {
      const out: SlicePort = { name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port };
      if (p.appProtocol !== undefined) out.appProtocol = p.appProtocol;
      return out;
    });
    const endpoint = (ready: boolean) => (a: { ip: string; hostname?: string; nodeName?: string; targetRef?: ObjectReference }): SliceEndpoint => {
      const e: SliceEndpoint = { addresses: [a.ip], conditions: { ready, serving: ready, terminating: false } };
      if (a.hostname !== undefined) e.hostname = a.hostname;
      if (a.targetRef !== undefined) e.targetRef = a.targetRef;
      if (a.nodeName !== undefined) e.nodeName = a.nodeName;
      return e;
    };
    return { ports, endpoints: [...(s.addresses ?? []).map(endpoint(true)), ...(s.notReadyAddresses ?? []).map(endpoint(false))].sort(byAddress) };
  }).filter((g) => g.endpoints.length > 0);
}

/** Metadata every slice of one owner shares (name and generateName aside). */
export interface SliceTemplate {
  namespace: string;
  serviceName: string;
  labels: Record<string, string>;
  ownerReferences: OwnerReference[];
  /** Which controller's slices these are: the only existing slices planSlices may touch. */
  managedBy: string;
}

function ownerRef(apiVersion: string, kind: string, meta: ObjectMeta): OwnerReference {
  return { apiVersion, kind, name: meta.name ?? '', uid: meta.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** setEndpointSliceLabels: the Service's labels (the reserved ones replaced), headless marker, service name, owner. */
export function serviceSliceTemplate(svc: Service): SliceTemplate {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  delete labels[SERVICE_NAME_LABEL];
  delete labels[MANAGED_BY_LABEL];
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  labels[SERVICE_NAME_LABEL] = svc.metadata.name ?? '';
  labels[MANAGED_BY_LABEL] = SLICE_CONTROLLER;
  return {
    namespace: svc.metadata.namespace ?? '', serviceName: svc.metadata.name ?? '', labels,
    ownerReferences: [ownerRef('v1', 'Service', svc.metadata)], managedBy: SLICE_CONTROLLER,
  };
}

export function mirrorSliceTemplate(ep: Endpoints): SliceTemplate {
  const labels: Record<string, string> = { ...(ep.metadata.labels ?? {}) };
  delete labels[MANAGED_BY_LABEL];
  labels[SERVICE_NAME_LABEL] = ep.metadata.name ?? '';
  labels[MANAGED_BY_LABEL] = MIRROR_CONTROLLER;
  return {
    namespace: ep.metadata.namespace ?? '', serviceName: ep.metadata.name ?? '', labels,
    ownerReferences: [ownerRef('v1', 'Endpoints', ep.metadata)], managedBy: MIRROR_CONTROLLER,
  };
}

export interface SlicePlan {
  create: EndpointSlice[];
  /** Existing slices (by name) with their new content. */
  update: EndpointSlice[];
  /** Names of slices to delete. */
  delete: string[];
}

function body(t: SliceTemplate, g: SliceGroup): Omit<EndpointSlice, 'metadata'> {
  const s: Omit<EndpointSlice, 'metadata'> = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4', endpoints: g.endpoints };
  if (g.ports.length > 0) s.ports = g.ports;
  return s;
}

function sameContent(a: EndpointSlice, b: Omit<EndpointSlice, 'metadata'>, t: SliceTemplate): boolean {
  return JSON.stringify([a.addressType, a.endpoints ?? [], a.ports ?? [], a.metadata.labels ?? {}, a.metadata.ownerReferences ?? []])
    === JSON.stringify([b.addressType, b.endpoints, b.ports ?? [], t.labels, t.ownerReferences]);
}

/**
 * Writes that bring `existing` (the owner's slices) to the desired groups. `placeholder`: keep one empty slice when
 * there is nothing to list (the endpointslice controller does; the mirroring controller does not).
 */
export function planSlices(t: SliceTemplate, groups: readonly SliceGroup[], existing: readonly EndpointSlice[], placeholder: boolean): SlicePlan {
  const chunks: SliceGroup[] = [];
  for (const g of groups) {
    for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) chunks.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE) });
  }
  if (chunks.length === 0 && placeholder) chunks.push({ ports: [], endpoints: [] });
  const mine = existing.filter((s) => s.metadata.labels?.[MANAGED_BY_LABEL] === t.managedBy)
    .sort((a, b) => cmpText(a.metadata.name ?? '', b.metadata.name ?? ''));
  const free = new Set(mine);
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const assign: [SliceGroup, EndpointSlice | undefined][] = chunks.map((c) => {
    const same = [...free].find((s) => portsKey(s.ports ?? []) === portsKey(c.ports));
    if (same !== undefined) free.delete(same);
    return [c, same];
  });
  for (const [c, found] of assign) {
    let slice = found;
    if (slice === undefined) {
      slice = [...free][0];
      if (slice !== undefined) free.delete(slice);
    }
    const b = body(t, c);
    if (slice === undefined) {
      // The endpointslice controller's name: the Service name and a dash as generateName prefix.
      plan.create.push({
        ...b, metadata: { generateName: `${t.serviceName}-`, namespace: t.namespace, labels: t.labels, ownerReferences: t.ownerReferences },
      } as EndpointSlice);
    } else if (!sameContent(slice, b, t)) {
      const next: EndpointSlice = { ...slice, ...b, metadata: { ...slice.metadata, labels: t.labels, ownerReferences: t.ownerReferences } };
      if (b.ports === undefined) delete next.ports;
      plan.update.push(next);
    }
  }
  for (const s of free) plan.delete.push(s.metadata.name ?? '');
  return plan;
}
