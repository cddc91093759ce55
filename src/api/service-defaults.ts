// v1 defaulting of Services (SetDefaults_Service), Endpoints (SetDefaults_Endpoints) and EndpointSlices, as the
// apiserver applies it before admission. Every function returns a new object.
import { DEFAULT_NAMESPACE } from './defaults.js';
import type { EndpointSlice, Endpoints, Service } from './service-types.js';
import type { ObjectMeta } from './types.js';

/** DefaultClientIPServiceAffinitySeconds: three hours. */
export const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;

function defaultMeta(meta: ObjectMeta | undefined): ObjectMeta {
  const m = { ...(meta ?? {}) };
  if (m.namespace === undefined || m.namespace === '') m.namespace = DEFAULT_NAMESPACE;
  return m;
}

export function defaultService(input: Service): Service {
  const svc = structuredClone(input);
  svc.metadata = defaultMeta(svc.metadata);
  const spec = svc.spec ?? {};
  svc.spec = spec;
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_AFFINITY_SECONDS } };
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const p of spec.ports ?? []) {
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const externallyAccessible = spec.type === 'NodePort' || spec.type === 'LoadBalancer' || (spec.externalIPs ?? []).length > 0;
  if (externallyAccessible && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy === undefined && spec.type !== 'ExternalName') spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) spec.allocateLoadBalancerNodePorts = true;
  return svc;
}

/** SetDefaults_Endpoints: ports without a protocol are TCP. */
export function defaultEndpoints(input: Endpoints): Endpoints {
  const ep = structuredClone(input);
  ep.metadata = defaultMeta(ep.metadata);
  for (const s of ep.subsets ?? []) for (const p of s.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
  return ep;
}

/** discovery/v1 defaults: port protocol TCP and port name "" (what the apiserver stores and prints). */
export function defaultEndpointSlice(input: EndpointSlice): EndpointSlice {
  const slice = structuredClone(input);
  slice.metadata = defaultMeta(slice.metadata);
  for (const p of slice.ports ?? []) {
    if (p.protocol === undefined) p.protocol = 'TCP';
    if (p.name === undefined) p.name = '';
  }
  return slice;
}
