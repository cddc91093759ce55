import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Endpoints, Service } from '../../api/service-types.js';
import type { Pod } from '../../api/types.js';
import { desiredEndpoints, hasManagedEndpoints } from './endpoints.js';
import { findPort, shouldPodBeInEndpoints } from './pod-endpoint.js';
import { MAX_ENDPOINTS_PER_SLICE, mirrorSliceTemplate, planSlices, serviceSliceTemplate, sliceGroupsForEndpoints, sliceGroupsForPods } from './endpoint-slices.js';

interface PodOpts {
  ip?: string;
  ready?: boolean;
  phase?: Pod['status'] extends infer S ? S extends { phase: infer P } ? P : never : never;
  terminating?: boolean;
  labels?: Record<string, string>;
  ns?: string;
  ports?: { name?: string; containerPort: number; protocol?: 'TCP' | 'UDP' }[];
  hostname?: string;
  subdomain?: string;
}

function pod(name: string, o: PodOpts = {}): Pod {
  const p: Pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: o.ns ?? 'default', uid: `uid-${name}`, labels: o.labels ?? { app: 'web' } },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'busybox', ports: o.ports ?? [{ name: 'http', containerPort: 8080 }] }] },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' }],
    },
  };
  if (o.ip !== '' && p.status) {
    p.status.podIP = o.ip ?? '10.86.0.9';
    p.status.podIPs = [{ ip: p.status.podIP }];
  }
  if (o.terminating === true) p.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  if (o.hostname !== undefined) p.spec.hostname = o.hostname;
  if (o.subdomain !== undefined) p.spec.subdomain = o.subdomain;
  return p;
}

function service(spec: Partial<Service['spec']> = {}, name = 'web'): Service {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: `uid-svc-${name}`, labels: { team: 'a' } },
    spec: { selector: { app: 'web' }, clusterIP: '10.87.0.10', clusterIPs: ['10.87.0.10'], type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }], ...spec },
  };
}

const ref = (name: string, ns = 'default'): { kind: string; namespace: string; name: string; uid: string } => ({ kind: 'Pod', namespace: ns, name, uid: `uid-${name}` });

test('shouldPodBeInEndpoints and findPort', () => {
  assert.equal(shouldPodBeInEndpoints(pod('a'), false), true);
  assert.equal(shouldPodBeInEndpoints(pod('a', { ip: '' }), true), false, 'no address yet');
  assert.equal(shouldPodBeInEndpoints(pod('a', { phase: 'Succeeded' }), true), false, 'finished');
  assert.equal(shouldPodBeInEndpoints(pod('a', { phase: 'Failed' }), true), false, 'finished');
  assert.equal(shouldPodBeInEndpoints(pod('a', { terminating: true }), false), false);
  assert.equal(shouldPodBeInEndpoints(pod('a', { terminating: true }), true), true);
  const p = pod('a', { ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] });
  assert.equal(findPort(p, { port: 80, targetPort: 9000 }), 9000);
  assert.equal(findPort(p, { port: 80, targetPort: 'http', protocol: 'TCP' }), 8080);
  assert.equal(findPort(p, { port: 80, targetPort: 'dns', protocol: 'TCP' }), undefined, 'protocol must match');
  assert.equal(findPort(p, { port: 53, targetPort: 'dns', protocol: 'UDP' }), 53);
  assert.equal(findPort(p, { port: 80, targetPort: 'nope' }), undefined);
  const sidecar = pod('s');
  sidecar.spec.initContainers = [{ name: 'side', restartPolicy: 'Always', ports: [{ name: 'metrics', containerPort: 9090 }] }, { name: 'init', ports: [{ name: 'once', containerPort: 1 }] }];
  assert.equal(findPort(sidecar, { port: 80, targetPort: 'metrics' }), 9090, 'sidecars serve');
  assert.equal(findPort(sidecar, { port: 80, targetPort: 'once' }), undefined, 'plain init containers do not');
});

test('desiredEndpoints: ready and not-ready addresses, selection by labels and namespace, repacked subsets', () => {
  const pods = [
    pod('b', { ip: '10.86.0.6' }), pod('a', { ip: '10.86.0.5' }), pod('slow', { ip: '10.86.0.7', ready: false }),
    pod('gone', { ip: '10.86.0.8', terminating: true }), pod('new', { ip: '' }), pod('done', { ip: '10.86.0.4', phase: 'Succeeded' }),
    pod('other', { ip: '10.86.0.20', labels: { app: 'db' } }), pod('elsewhere', { ip: '10.86.0.21', ns: 'team' }),
  ];
  assert.deepEqual(desiredEndpoints(service(), pods), {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: 'web', namespace: 'default', labels: { team: 'a', 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' } },
    subsets: [{
      addresses: [{ ip: '10.86.0.5', nodeName: 'node-1', targetRef: ref('a') }, { ip: '10.86.0.6', nodeName: 'node-1', targetRef: ref('b') }],
      notReadyAddresses: [{ ip: '10.86.0.7', nodeName: 'node-1', targetRef: ref('slow') }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }],
  });
  assert.equal(desiredEndpoints(service(), []).subsets, undefined, 'nothing selected: no subsets');
  const tolerant = desiredEndpoints(service({ publishNotReadyAddresses: true }), pods).subsets;
  assert.deepEqual(tolerant?.[0]?.addresses?.map((a) => a.ip), ['10.86.0.5', '10.86.0.6', '10.86.0.7', '10.86.0.8'], 'publishNotReadyAddresses: all ready, terminating included');
});

test('desiredEndpoints: named targetPort resolves per pod; pods without the port are left out; ports grouped', () => {
  const svc = service({ ports: [{ name: 'web', port: 80, protocol: 'TCP', targetPort: 'http' }, { name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 9090 }] });
  const pods = [
    pod('a', { ip: '10.86.0.5', ports: [{ name: 'http', containerPort: 8080 }] }),
    pod('b', { ip: '10.86.0.6', ports: [{ name: 'http', containerPort: 8081 }] }),
    pod('c', { ip: '10.86.0.7', ports: [] }),
  ];
  const subsets = desiredEndpoints(svc, pods).subsets ?? [];
  // RepackSubsets groups each port with the exact set of addresses offering it.
  assert.deepEqual(subsets.map((s) => [s.addresses?.map((a) => a.ip), s.ports?.map((p) => `${p.name ?? ''}:${p.port}`)]), [
    [['10.86.0.5', '10.86.0.6', '10.86.0.7'], ['metrics:9090']],
    [['10.86.0.5'], ['web:8080']],
    [['10.86.0.6'], ['web:8081']],
  ]);
});

test('desiredEndpoints: headless Services, hostnames under the subdomain, labels', () => {
  const headless = service({ clusterIP: 'None', clusterIPs: ['None'], ports: [] });
  const ep = desiredEndpoints(headless, [pod('a', { ip: '10.86.0.5', hostname: 'a-0', subdomain: 'web' }), pod('b', { ip: '10.86.0.6', hostname: 'b-0', subdomain: 'other' })]);
  assert.deepEqual(ep.metadata.labels, { team: 'a', 'service.kubernetes.io/headless': '', 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' });
  assert.deepEqual(ep.subsets, [{ addresses: [
    { ip: '10.86.0.5', nodeName: 'node-1', targetRef: ref('a'), hostname: 'a-0' },
    { ip: '10.86.0.6', nodeName: 'node-1', targetRef: ref('b') },
  ] }]);
  assert.equal(desiredEndpoints(service({ ports: [] }), [pod('a')]).subsets, undefined, 'a ClusterIP Service without ports lists nothing');
  assert.equal(hasManagedEndpoints(service()), true);
  assert.equal(hasManagedEndpoints(service({ selector: {} })), false);
  assert.equal(hasManagedEndpoints(service({ type: 'ExternalName' })), false);
});

test('sliceGroupsForPods: conditions (ready, serving, terminating), terminating pods kept, one group per port mapping', () => {
  const pods = [pod('a', { ip: '10.86.0.5' }), pod('slow', { ip: '10.86.0.7', ready: false }), pod('gone', { ip: '10.86.0.8', terminating: true })];
  assert.deepEqual(sliceGroupsForPods(service(), pods), [{
    ports: [{ name: '', protocol: 'TCP', port: 8080 }],
    endpoints: [
      { addresses: ['10.86.0.5'], conditions: { ready: true, serving: true, terminating: false }, targetRef: ref('a'), nodeName: 'node-1' },
      { addresses: ['10.86.0.7'], conditions: { ready: false, serving: false, terminating: false }, targetRef: ref('slow'), nodeName: 'node-1' },
      { addresses: ['10.86.0.8'], conditions: { ready: false, serving: true, terminating: true }, targetRef: ref('gone'), nodeName: 'node-1' },
    ],
  }]);
  const named = service({ ports: [{ name: 'web', port: 80, protocol: 'TCP', targetPort: 'http' }] });
  const groups = sliceGroupsForPods(named, [pod('a', { ip: '10.86.0.5' }), pod('b', { ip: '10.86.0.6', ports: [{ name: 'http', containerPort: 9000 }] })]);
  assert.deepEqual(groups.map((g) => [g.ports.map((p) => p.port), g.endpoints.map((e) => e.addresses[0])]), [[[8080], ['10.86.0.5']], [[9000], ['10.86.0.6']]]);
  assert.deepEqual(sliceGroupsForPods(service({ publishNotReadyAddresses: true }), pods).flatMap((g) => g.endpoints.map((e) => e.conditions?.ready)), [true, true, true]);
});

function slice(name: string, managedBy: string, ports: number[], ips: string[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': managedBy } },
    endpoints: ips.map((ip) => ({ addresses: [ip] })), ports: ports.map((port) => ({ name: '', protocol: 'TCP', port })),
  };
}

test('planSlices: create with the controller metadata, update in place, placeholder, chunks of 100, other managers untouched', () => {
  const svc = service();
  const t = serviceSliceTemplate(svc);
  assert.deepEqual(t.labels, { team: 'a', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
  assert.deepEqual(t.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'uid-svc-web', controller: true, blockOwnerDeletion: true }]);
  const groups = sliceGroupsForPods(svc, [pod('a', { ip: '10.86.0.5' })]);

  const fresh = planSlices(t, groups, [], true);
  assert.equal(fresh.create.length, 1);
  assert.deepEqual(fresh.create[0]?.metadata, { generateName: 'web-', namespace: 'default', labels: t.labels, ownerReferences: t.ownerReferences });
  assert.deepEqual(fresh.create[0]?.ports, [{ name: '', protocol: 'TCP', port: 8080 }]);
  assert.deepEqual([fresh.update, fresh.delete], [[], []]);

  const placeholder = planSlices(t, [], [], true);
  assert.deepEqual(placeholder.create.map((s) => [s.endpoints, s.ports]), [[[], undefined]]);
  assert.deepEqual(planSlices(t, [], [], false), { create: [], update: [], delete: [] });

  const existing = { ...(fresh.create[0] as EndpointSlice), metadata: { ...(fresh.create[0] as EndpointSlice).metadata, name: 'web-abcde' } };
  assert.deepEqual(planSlices(t, groups, [existing], true), { create: [], update: [], delete: [] }, 'unchanged: no write');
  const two = sliceGroupsForPods(svc, [pod('a', { ip: '10.86.0.5' }), pod('b', { ip: '10.86.0.6' })]);
  const upd = planSlices(t, two, [existing], true);
  assert.deepEqual([upd.create.length, upd.update.map((s) => [s.metadata.name, s.endpoints.map((e) => e.addresses[0])]), upd.delete], [0, [['web-abcde', ['10.86.0.5', '10.86.0.6']]], []]);

  const stale = slice('web-old', 'endpointslice-controller.k8s.io', [9999], ['10.86.0.99']);
  const users = slice('web-mine', 'someone-else', [8080], ['10.86.0.50']);
  const reuse = planSlices(t, groups, [stale, users], true);
  assert.deepEqual(reuse.update.map((s) => [s.metadata.name, s.ports?.map((p) => p.port)]), [['web-old', [8080]]], 'a slice of other ports is reused, not recreated');
  assert.deepEqual([reuse.create, reuse.delete], [[], []]);
  assert.deepEqual(planSlices(t, [], [stale, existing], true).delete, ['web-old'], 'extra slices go; the placeholder keeps one');

  const many = Array.from({ length: 230 }, (_, i) => pod(`p${i}`, { ip: `10.86.${Math.floor(i / 200)}.${i % 200 + 1}` }));
  const chunks = planSlices(t, sliceGroupsForPods(svc, many), [], true).create;
  assert.deepEqual(chunks.map((c) => c.endpoints.length), [MAX_ENDPOINTS_PER_SLICE, MAX_ENDPOINTS_PER_SLICE, 30]);
});

test('mirroring a user\'s Endpoints: slices per subset, not-ready neither ready nor serving, owned by the Endpoints', () => {
  const ep: Endpoints = {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ext', namespace: 'default', uid: 'uid-ep', labels: { a: 'b' } },
    subsets: [{ addresses: [{ ip: '192.0.2.10' }], notReadyAddresses: [{ ip: '192.0.2.11' }], ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }],
  };
  assert.deepEqual(sliceGroupsForEndpoints(ep), [{
    ports: [{ name: 'https', protocol: 'TCP', port: 443 }],
    endpoints: [
      { addresses: ['192.0.2.10'], conditions: { ready: true, serving: true, terminating: false } },
      { addresses: ['192.0.2.11'], conditions: { ready: false, serving: false, terminating: false } },
    ],
  }]);
  const t = mirrorSliceTemplate(ep);
  assert.deepEqual(t.labels, { a: 'b', 'kubernetes.io/service-name': 'ext', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' });
  assert.deepEqual(t.ownerReferences.map((o) => `${o.kind}/${o.name}/${o.uid}`), ['Endpoints/ext/uid-ep']);
  const mine = slice('ext-x', 'endpointslice-controller.k8s.io', [443], []);
  assert.deepEqual(planSlices(t, sliceGroupsForEndpoints(ep), [mine], false).update, [], 'the other controller\'s slices are not the mirror\'s');
});
