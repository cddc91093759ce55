// The `kubernetes` Service in `default`, as the apiserver keeps it: the first address of the service range, port
// 443 (https) to the API's port, and an Endpoints and an EndpointSlice (named `kubernetes`, not managed by the
// controllers) pointing at where pods reach the API. Refreshed at every start, since the port or the address may
// have changed; without a reachable address (the API bound to loopback) the Service has no endpoints.
import type { EndpointSlice, Endpoints, Service } from '../../api/service-types.js';
import { SERVICE_NAME_LABEL, SKIP_MIRROR_LABEL } from '../../api/service-types.js';
import { allocateNext, firstAddress } from '../../core/service/ip-range.js';
import type { ServiceRange } from '../../core/service/ip-range.js';
import { jsonEqual } from '../../store/metadata.js';
import type { ObjectStore, StoredObject } from '../../store/types.js';

const NAME = 'kubernetes';
const NS = 'default';

function ensure<T extends StoredObject>(store: ObjectStore, resource: string, want: T, same: (cur: T) => boolean, merge: (cur: T) => T): void {
  const cur = store.tryGet<T>(resource, NS, NAME);
  if (cur === undefined) store.create(resource, want);
  else if (!same(cur)) store.update<T>(resource, NS, NAME, merge);
}

export function seedKubernetesService(store: ObjectStore, range: ServiceRange, api: { ip: string; port: number } | undefined): void {
  const port = api?.port ?? 6443;
  const ports = [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }];
  if (store.tryGet('services', NS, NAME) === undefined) {
    const taken = new Set(store.list<Service>('services', undefined).items.flatMap((s) => s.spec.clusterIPs ?? []));
    const first = firstAddress(range);
    const ip = taken.has(first) ? allocateNext(range, taken, () => 0) : first;
    if (ip === undefined) return;
    const svc: Service = {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: NAME, namespace: NS, labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: {
        clusterIP: ip, clusterIPs: [ip], internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
        ports, sessionAffinity: 'None', type: 'ClusterIP',
      },
      status: { loadBalancer: {} },
    };
    store.create('services', svc);
  } else if (!jsonEqual(store.get<Service>('services', NS, NAME).spec.ports, ports)) {
    store.update<Service>('services', NS, NAME, (cur) => ({ ...cur, spec: { ...cur.spec, ports } }));
  }
  if (api === undefined) {
    for (const resource of ['endpoints', 'endpointslices']) if (store.tryGet(resource, NS, NAME) !== undefined) store.delete(resource, NS, NAME);
    return;
  }
  const epPorts = [{ name: 'https', port, protocol: 'TCP' }];
  const subsets = [{ addresses: [{ ip: api.ip }], ports: epPorts }];
  ensure<Endpoints>(store, 'endpoints', {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: NAME, namespace: NS, labels: { [SKIP_MIRROR_LABEL]: 'true' } }, subsets,
  }, (cur) => jsonEqual(cur.subsets, subsets), (cur) => ({ ...cur, subsets }));
  const endpoints = [{ addresses: [api.ip], conditions: { ready: true } }];
  ensure<EndpointSlice>(store, 'endpointslices', {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: NAME, namespace: NS, labels: { [SERVICE_NAME_LABEL]: NAME } },
    addressType: 'IPv4', endpoints, ports: epPorts,
  }, (cur) => jsonEqual(cur.endpoints, endpoints) && jsonEqual(cur.ports, epPorts), (cur) => ({ ...cur, endpoints, ports: epPorts }));
}
