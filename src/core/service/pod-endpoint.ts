// What the endpoints and endpointslice controllers read from a pod (k8s.io/endpointslice/util and
// pkg/api/v1/pod): whether it belongs in a Service's endpoints at all, whether it is ready, which port a service
// port reaches on it, and its address record.
import type { ObjectReference, ServicePort, Service } from '../../api/service-types.js';
import { isSidecar } from '../../api/types.js';
import type { Pod } from '../../api/types.js';

/** IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function isTerminating(pod: Pod): boolean {
  return pod.metadata.deletionTimestamp !== undefined;
}

/** The pod's IPv4 address (podd's services are IPv4 only), or undefined before it has one. */
export function podIPv4(pod: Pod): string | undefined {
  const ips = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)].filter((ip): ip is string => ip !== undefined && ip !== '');
  return ips.find((ip) => !ip.includes(':'));
}

/**
 * ShouldPodBeInEndpoints: not finished (Succeeded/Failed), has an address, and unless `includeTerminating` is not
 * being deleted. The Endpoints controller passes publishNotReadyAddresses; the EndpointSlice controller true.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (podIPv4(pod) === undefined) return false;
  return includeTerminating || !isTerminating(pod);
}

/** Label-selector match of a Service's map selector: every key present with the same value. */
export function selectorMatches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/**
 * FindPort: a numeric targetPort as it is; a named one is the containerPort of that name and the service port's
 * protocol in a container or a sidecar (an init container that keeps running). undefined: the pod lacks it.
 */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  const protocol = sp.protocol ?? 'TCP';
  for (const c of [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? []).filter(isSidecar)]) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** ShouldSetHostname: a pod with hostname whose subdomain names this Service gets a DNS name under it. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return (pod.spec.hostname ?? '') !== '' && pod.spec.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace;
}

export function podRef(pod: Pod): ObjectReference {
  return { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' };
}
