// The cluster's DNS names (the Kubernetes DNS-Based Service Discovery spec), built once per change of the objects
// and then only read by the resolver: a Service's A/AAAA and SRV records, a headless Service's ready endpoints
// (and their hostname records), an ExternalName's CNAME, PTRs for all of those addresses.
import { ancestors, canonicalName, dashedIp, ipFamily, ipKey } from './names.js';
import type {
  ClusterObjects, EndpointPortLike, EndpointSliceLike, EndpointsLike, PodLike, ServiceLike, ServicePortLike,
} from './types.js';

export interface SrvData { port: number; target: string }

export interface NameRecords {
  a: string[];
  aaaa: string[];
  cname?: string;
  srv: SrvData[];
  txt: string[];
}

export interface ClusterIndex {
  zone: string;
  /** The SOA serial: changes when the objects change. */
  serial: number;
  /** Canonical names with records of their own. */
  records: Map<string, NameRecords>;
  /** Names that exist only because names below them do (`default.svc.cluster.local`): NOERROR, no data. */
  nonTerminals: Set<string>;
  /** ipKey → canonical names pointing at that address. */
  ptr: Map<string, string[]>;
}

/** The schema version CoreDNS reports in `dns-version.<zone>`. */
export const DNS_SCHEMA_VERSION = '1.1.0';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const TOLERATE_UNREADY = 'service.alpha.kubernetes.io/tolerate-unready-endpoints';

interface Endpoint {
  ip: string;
  hostname?: string;
  ports: EndpointPortLike[];
}

class Builder {
  readonly records = new Map<string, NameRecords>();
  readonly ptr = new Map<string, string[]>();

  entry(name: string): NameRecords {
    let e = this.records.get(name);
    if (!e) {
      e = { a: [], aaaa: [], srv: [], txt: [] };
      this.records.set(name, e);
    }
    return e;
  }

  /** An A/AAAA record, and with `ptr` the reverse record for the address. */
  address(name: string, ip: string, ptr = true): void {
    const family = ipFamily(ip);
    if (family === undefined) return;
    const list = family === 4 ? this.entry(name).a : this.entry(name).aaaa;
    if (!list.includes(ip)) list.push(ip);
    if (!ptr) return;
    const key = ipKey(ip) ?? ip;
    const names = this.ptr.get(key) ?? [];
    if (!names.includes(name)) names.push(name);
    this.ptr.set(key, names);
  }

  srv(name: string, data: SrvData): void {
    const list = this.entry(name).srv;
    if (!list.some((s) => s.port === data.port && s.target === data.target)) list.push(data);
  }
}

function nsOf(obj: { metadata: { namespace?: string } }): string {
  return obj.metadata.namespace ?? 'default';
}

function srvOwner(port: { name?: string; protocol?: string }, svcName: string): string | undefined {
  if (port.name === undefined || port.name === '') return undefined;
  return canonicalName(`_${port.name}._${(port.protocol ?? 'TCP').toLowerCase()}.${svcName}`);
}

function publishesUnready(svc: ServiceLike): boolean {
  return svc.spec?.publishNotReadyAddresses === true || svc.metadata.annotations?.[TOLERATE_UNREADY] === 'true';
}

function fromSlices(slices: readonly EndpointSliceLike[], unready: boolean): Endpoint[] {
  return slices.flatMap((slice) => (slice.endpoints ?? [])
    .filter((ep) => unready || ep.conditions?.ready !== false)
    .flatMap((ep) => (ep.addresses ?? []).map((ip) => ({
      ip, ports: slice.ports ?? [], ...(ep.hostname ? { hostname: ep.hostname } : {}),
    }))));
}

function fromEndpoints(eps: EndpointsLike, unready: boolean): Endpoint[] {
  return (eps.subsets ?? []).flatMap((subset) => [...(subset.addresses ?? []), ...(unready ? subset.notReadyAddresses ?? [] : [])]
    .filter((a) => a.ip !== undefined && a.ip !== '')
    .map((a) => ({ ip: a.ip ?? '', ports: subset.ports ?? [], ...(a.hostname ? { hostname: a.hostname } : {}) })));
}

function podReady(pod: PodLike): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function podPort(pod: PodLike, port: ServicePortLike): number | undefined {
  const target = port.targetPort;
  if (typeof target === 'number') return target;
  if (typeof target === 'string' && target !== '') {
    const byName = (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []).find((p) => p.name === target);
    return /^\d+$/.test(target) ? Number(target) : byName?.containerPort;
  }
  return port.port;
}

/** The endpoints the endpoint controllers would publish, taken from the pods directly (no Endpoint objects yet). */
function fromPods(svc: ServiceLike, pods: readonly PodLike[], unready: boolean): Endpoint[] {
  const selector = svc.spec?.selector ?? {};
  const keys = Object.keys(selector);
  if (keys.length === 0) return [];
  const name = svc.metadata.name ?? '';
  return pods
    .filter((p) => nsOf(p) === nsOf(svc) && p.metadata.deletionTimestamp === undefined)
    .filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
    .filter((p) => keys.every((k) => p.metadata.labels?.[k] === selector[k]))
    .filter((p) => unready || podReady(p))
    .flatMap((p) => {
      const ips = (p.status?.podIPs ?? []).map((i) => i.ip ?? '').filter((ip) => ip !== '');
      if (ips.length === 0 && p.status?.podIP) ips.push(p.status.podIP);
      const hostname = p.spec?.hostname && p.spec.subdomain === name ? p.spec.hostname : undefined;
      const ports = (svc.spec?.ports ?? []).flatMap((sp) => {
        const port = podPort(p, sp);
        return port === undefined ? [] : [{ ...(sp.name === undefined ? {} : { name: sp.name }), port, protocol: sp.protocol ?? 'TCP' }];
      });
      return ips.map((ip) => ({ ip, ports, ...(hostname ? { hostname } : {}) }));
    });
}

function serviceEndpoints(svc: ServiceLike, objects: ClusterObjects): Endpoint[] {
  const ns = nsOf(svc);
  const name = svc.metadata.name ?? '';
  const unready = publishesUnready(svc);
  const slices = objects.endpointSlices.filter((s) => nsOf(s) === ns && s.metadata.labels?.[SERVICE_NAME_LABEL] === name);
  if (slices.length > 0) return fromSlices(slices, unready);
  const eps = objects.endpoints.find((e) => nsOf(e) === ns && e.metadata.name === name);
  if (eps !== undefined) return fromEndpoints(eps, unready);
  return fromPods(svc, objects.pods, unready);
}

function addService(b: Builder, svc: ServiceLike, objects: ClusterObjects, zone: string): void {
  const svcName = canonicalName(`${svc.metadata.name ?? ''}.${nsOf(svc)}.svc.${zone}`);
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') {
    if (spec.externalName) b.entry(svcName).cname = canonicalName(spec.externalName);
    return;
  }
  if (spec.clusterIP === 'None') {
    // headless: the ready endpoints themselves; none at all is NXDOMAIN (the spec)
    for (const ep of serviceEndpoints(svc, objects)) {
      const host = canonicalName(`${ep.hostname ?? dashedIp(ep.ip)}.${svcName}`);
      b.address(host, ep.ip);
      // the reverse name of an endpoint is its own name, not the service's (the spec's 2.4.3)
      b.address(svcName, ep.ip, false);
      for (const p of ep.ports) {
        const owner = srvOwner(p, svcName);
        if (owner === undefined || p.port === undefined) continue;
        b.srv(owner, { port: p.port, target: host });
        b.srv(svcName, { port: p.port, target: host });
      }
    }
    return;
  }
  const ips = (spec.clusterIPs ?? []).length > 0 ? spec.clusterIPs ?? [] : spec.clusterIP ? [spec.clusterIP] : [];
  b.entry(svcName);
  for (const ip of ips) b.address(svcName, ip);
  for (const p of spec.ports ?? []) {
    const owner = srvOwner(p, svcName);
    if (owner === undefined || p.port === undefined) continue;
    b.srv(owner, { port: p.port, target: svcName });
    b.srv(svcName, { port: p.port, target: svcName });
  }
}

export function buildClusterIndex(objects: ClusterObjects, opts: { zone: string; serial: number }): ClusterIndex {
  const zone = canonicalName(opts.zone);
  const b = new Builder();
  b.entry(`dns-version.${zone}`).txt.push(DNS_SCHEMA_VERSION);
  for (const svc of objects.services) {
    if (svc.metadata.name) addService(b, svc, objects, zone);
  }
  const nonTerminals = new Set<string>([zone]);
  for (const name of b.records.keys()) for (const a of ancestors(name, zone)) nonTerminals.add(a);
  return { zone, serial: opts.serial, records: b.records, nonTerminals, ptr: b.ptr };
}
