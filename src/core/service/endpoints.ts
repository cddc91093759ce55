// The endpoints controller's answer for one Service (pkg/controller/endpoint syncService), as data: the
// Endpoints object it would write given the pods of the namespace. Subsets come out repacked into the canonical
// layout (RepackSubsets): one subset per distinct set of addresses sharing the same ports, sorted.
import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Service } from '../../api/service-types.js';
import { ENDPOINTS_CONTROLLER, ENDPOINTS_MANAGED_BY_LABEL, HEADLESS_LABEL, isHeadless } from '../../api/service-types.js';
import type { Pod } from '../../api/types.js';
import { findPort, isPodReady, podIPv4, podRef, selectorMatches, shouldPodBeInEndpoints, shouldSetHostname } from './pod-endpoint.js';

/** Services whose endpoints the controllers compute: a non-empty selector, and not ExternalName. */
export function hasManagedEndpoints(svc: Service): boolean {
  return svc.spec.type !== 'ExternalName' && Object.keys(svc.spec.selector ?? {}).length > 0;
}

/** The pods of `pods` that the Service selects (same namespace, labels match). */
export function selectedPods(svc: Service, pods: readonly Pod[]): Pod[] {
  const selector = svc.spec.selector ?? {};
  return pods.filter((p) => p.metadata.namespace === svc.metadata.namespace && selectorMatches(selector, p.metadata.labels));
}

interface Flat {
  address: EndpointAddress;
  ready: boolean;
  /** undefined: a headless Service without ports (the address is listed with no ports). */
  port: EndpointPort | undefined;
}

function cmpText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function addressKey(a: EndpointAddress): string {
  return `${a.ip}/${a.targetRef?.uid ?? ''}`;
}

function portKey(p: EndpointPort): string {
  return JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? '']);
}

/** RepackSubsets: group ports by the exact set of (address, ready) offering them, then one subset per group. */
export function repackSubsets(flat: readonly Flat[]): EndpointSubset[] {
  const addresses = new Map<string, EndpointAddress>();
  // port key -> (address key -> ready)
  const byPort = new Map<string, { port: EndpointPort | undefined; addrs: Map<string, boolean> }>();
  for (const f of flat) {
    const ak = addressKey(f.address);
    addresses.set(ak, f.address);
    const pk = f.port === undefined ? '' : portKey(f.port);
    const entry = byPort.get(pk) ?? { port: f.port, addrs: new Map<string, boolean>() };
    // Ready wins over not ready for the same address.
    entry.addrs.set(ak, (entry.addrs.get(ak) ?? false) || f.ready);
    byPort.set(pk, entry);
  }
  const groups = new Map<string, { addrs: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, addrs } of byPort.values()) {
    const key = [...addrs.entries()].map(([k, r]) => `${k}=${r}`).sort().join(',');
    const g = groups.get(key) ?? { addrs, ports: [] };
    if (port !== undefined) g.ports.push(port);
    groups.set(key, g);
  }
  const byIP = (a: EndpointAddress, b: EndpointAddress): number => cmpText(a.ip, b.ip) || cmpText(a.targetRef?.uid ?? '', b.targetRef?.uid ?? '');
  const subsets = [...groups.values()].map(({ addrs, ports }) => {
    const s: EndpointSubset = {};
    const ready = [...addrs].filter(([, r]) => r).map(([k]) => addresses.get(k) as EndpointAddress).sort(byIP);
    const notReady = [...addrs].filter(([, r]) => !r).map(([k]) => addresses.get(k) as EndpointAddress).sort(byIP);
    if (ready.length > 0) s.addresses = ready;
    if (notReady.length > 0) s.notReadyAddresses = notReady;
    if (ports.length > 0) s.ports = ports.sort((a, b) => cmpText(a.name ?? '', b.name ?? '') || a.port - b.port);
    return s;
  });
  const first = (s: EndpointSubset): string => (s.addresses ?? s.notReadyAddresses ?? [])[0]?.ip ?? '';
  return subsets.sort((a, b) => cmpText(first(a), first(b)) || cmpText(JSON.stringify(a.ports ?? []), JSON.stringify(b.ports ?? [])));
}

/** The subsets for a selector Service over its namespace's pods. */
export function computeSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const tolerateUnready = svc.spec.publishNotReadyAddresses === true;
  const flat: Flat[] = [];
  const sorted = [...selectedPods(svc, pods)].sort((a, b) => cmpText(a.metadata.name ?? '', b.metadata.name ?? ''));
  for (const pod of sorted) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const address: EndpointAddress = { ip: podIPv4(pod) ?? '', nodeName: pod.spec.nodeName ?? '', targetRef: podRef(pod) };
    if (shouldSetHostname(pod, svc)) address.hostname = pod.spec.hostname ?? '';
    const ready = tolerateUnready || isPodReady(pod);
    const ports = svc.spec.ports ?? [];
    if (ports.length === 0) {
      // A headless Service may have no ports: its addresses are listed bare.
      if (isHeadless(svc)) flat.push({ address, ready, port: undefined });
      continue;
    }
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
      if (ep.name === '') delete ep.name;
      if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
      flat.push({ address, ready, port: ep });
    }
  }
  return repackSubsets(flat);
}

/** The Endpoints object the controller keeps for `svc`: the Service's labels, the headless label, the subsets. */
export function desiredEndpoints(svc: Service, pods: readonly Pod[]): Endpoints {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  labels[ENDPOINTS_MANAGED_BY_LABEL] = ENDPOINTS_CONTROLLER;
  const ep: Endpoints = {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: svc.metadata.name ?? '', namespace: svc.metadata.namespace ?? '', labels },
  };
  const subsets = computeSubsets(svc, pods);
  if (subsets.length > 0) ep.subsets = subsets;
  return ep;
}
