// Table printers for Services, Endpoints and EndpointSlices, as kubectl's printers.go prints them: services
// NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE (+ SELECTOR wide), endpoints NAME ENDPOINTS AGE, endpointslices
// NAME ADDRESSTYPE PORTS ENDPOINTS AGE. Lists longer than three print "a,b,c + N more...".
import type { EndpointSlice, Endpoints, Service } from '../../api/service-types.js';
import { age, ageColumn, column, nameColumn } from './table.js';
import type { KindColumns } from './table.js';

/** makePortString: `80/TCP`, `80:30080/TCP` with a node port, comma-joined. */
export function servicePorts(svc: Service): string {
  const s = (svc.spec.ports ?? []).map((p) => ((p.nodePort ?? 0) > 0 ? `${p.port}:${p.nodePort ?? 0}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`)).join(',');
  return s === '' ? '<none>' : s;
}

/** getServiceExternalIP for the types podd serves (NodePort prints like ClusterIP; LoadBalancer has no ingress here). */
export function serviceExternalIP(svc: Service): string {
  const external = svc.spec.externalIPs ?? [];
  switch (svc.spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer':
      return external.length > 0 ? external.join(',') : '<pending>';
    case 'ExternalName':
      return svc.spec.externalName ?? '';
  }
  return '<unknown>';
}

/** labels.FormatLabels: sorted k=v, or <none>. */
export function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels?.[k] ?? ''}`).join(',');
}

export const serviceColumns: KindColumns<Service> = {
  columns: [
    nameColumn,
    column('Type', 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.'),
    column('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    column('External-IP', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    column('Port(s)', 'The list of ports that are exposed by this service.'),
    ageColumn,
    column('Selector', 'Route service traffic to pods with label keys and values matching this selector.', { priority: 1 }),
  ],
  cells: (svc, now) => [
    svc.metadata.name ?? '', svc.spec.type ?? '', svc.spec.clusterIPs?.[0] ?? '<none>', serviceExternalIP(svc), servicePorts(svc),
    age(svc.metadata, now), formatLabels(svc.spec.selector),
  ],
};

/** formatEndpoints: ip:port of ready addresses for every port (ip alone without ports), at most three. */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  let more = false;
  const add = (text: string): void => {
    if (list.length === max) more = true;
    else list.push(text);
  };
  for (const ss of subsets) {
    const addrs = ss.addresses ?? [];
    if ((ss.ports ?? []).length === 0) {
      count += addrs.length;
      for (const a of addrs) add(a.ip);
      continue;
    }
    for (const p of ss.ports ?? []) {
      count += addrs.length;
      for (const a of addrs) add(a.ip.includes(':') ? `[${a.ip}]:${p.port}` : `${a.ip}:${p.port}`);
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

function listWithMore(list: string[], count: number): string {
  const max = 3;
  const ret = list.slice(0, max).join(',');
  if (count > max) return `${ret} + ${count - max} more...`;
  return ret === '' ? '<unset>' : ret;
}

export const endpointsColumns: KindColumns<Endpoints> = {
  columns: [
    nameColumn,
    column('Endpoints', 'The set of all endpoints is the union of all subsets.'),
    ageColumn,
  ],
  cells: (ep, now) => [ep.metadata.name ?? '', formatEndpoints(ep), age(ep.metadata, now)],
};

export const endpointSliceColumns: KindColumns<EndpointSlice> = {
  columns: [
    nameColumn,
    column('AddressType', 'addressType specifies the type of address carried by this EndpointSlice.'),
    column('Ports', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    column('Endpoints', 'endpoints is a list of unique endpoints in this slice.'),
    ageColumn,
  ],
  cells: (s, now) => {
    const ports = (s.ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : (p.name ?? '') !== '' ? p.name ?? '' : '*'));
    const addrs = (s.endpoints ?? []).flatMap((e) => e.addresses);
    return [s.metadata.name ?? '', s.addressType ?? '', listWithMore(ports, ports.length), listWithMore(addrs, addrs.length), age(s.metadata, now)];
  },
};
