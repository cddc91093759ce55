import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Endpoints, Service } from '../api/service-types.js';
import type { Pod } from '../api/types.js';
import { tempStore } from '../store/store-fixtures.js';
import type { ObjectStore } from '../store/types.js';
import { EndpointsController } from './endpoints-controller.js';

function pod(name: string, ip: string, ready = true, labels: Record<string, string> = { app: 'web' }): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' }] },
  };
}

function service(name: string, selector: Record<string, string> | undefined): Service {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' },
    spec: { ...(selector ? { selector } : {}), clusterIP: '10.87.0.10', clusterIPs: ['10.87.0.10'], type: 'ClusterIP', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }] },
  };
}

function setup(t: TestContext): { store: ObjectStore; ctl: EndpointsController; sync(): Promise<void> } {
  const { store } = tempStore(t);
  const ctl = new EndpointsController(store, { debounceMs: 5, resyncMs: 60_000 });
  t.after(() => ctl.stop());
  return {
    store, ctl,
    // Watch events arrive asynchronously; then the debounced queue runs.
    async sync() {
      await new Promise((r) => setTimeout(r, 30));
      ctl.flush();
    },
  };
}

const readyIPs = (store: ObjectStore, name: string): string[] => (store.tryGet<Endpoints>('endpoints', 'default', name)?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip));
const slicesOf = (store: ObjectStore, name: string): EndpointSlice[] =>
  store.list<EndpointSlice>('endpointslices', 'default', { labelSelector: (l) => l['kubernetes.io/service-name'] === name }).items;

test('Endpoints and an EndpointSlice follow pods: added, becoming unready, relabelled, deleted; and go with the Service', async (t) => {
  const { store, ctl, sync } = setup(t);
  store.create('pods', pod('a', '10.86.0.5'));
  store.create('services', service('web', { app: 'web' }));
  ctl.start();
  await sync();
  assert.deepEqual(readyIPs(store, 'web'), ['10.86.0.5']);
  const [first] = slicesOf(store, 'web');
  assert.match(first?.metadata.name ?? '', /^web-[a-z0-9]{5}$/);
  assert.deepEqual(first?.ports, [{ name: 'http', protocol: 'TCP', port: 8080 }]);

  store.create('pods', pod('b', '10.86.0.6'));
  await sync();
  assert.deepEqual(readyIPs(store, 'web'), ['10.86.0.5', '10.86.0.6']);
  assert.deepEqual(slicesOf(store, 'web').map((s) => s.metadata.name), [first?.metadata.name], 'the same slice, updated');

  store.update<Pod>('pods', 'default', 'b', (p) => ({ ...p, status: { ...pod('b', '10.86.0.6', false).status, phase: 'Running' } }));
  await sync();
  assert.deepEqual(readyIPs(store, 'web'), ['10.86.0.5']);
  assert.deepEqual(store.get<Endpoints>('endpoints', 'default', 'web').subsets?.[0]?.notReadyAddresses?.map((a) => a.ip), ['10.86.0.6']);

  store.update<Pod>('pods', 'default', 'a', (p) => ({ ...p, metadata: { ...p.metadata, labels: { app: 'other' } } }));
  await sync();
  assert.deepEqual(readyIPs(store, 'web'), [], 'relabelled out of the selector');

  store.update<Pod>('pods', 'default', 'b', (p) => ({ ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }));
  await sync();
  assert.equal(store.get<Endpoints>('endpoints', 'default', 'web').subsets, undefined, 'terminating: not in Endpoints');
  assert.deepEqual(slicesOf(store, 'web')[0]?.endpoints.map((e) => e.conditions), [{ ready: false, serving: false, terminating: true }], 'still in the slice');
  store.delete('pods', 'default', 'b');
  await sync();
  assert.deepEqual(slicesOf(store, 'web')[0]?.endpoints, [], 'a placeholder slice stays');

  const rv = store.resourceVersion();
  ctl.flush();
  await sync();
  assert.equal(store.resourceVersion(), rv, 'nothing changed: nothing written');

  store.delete('services', 'default', 'web');
  await sync();
  assert.equal(store.tryGet('endpoints', 'default', 'web'), undefined);
  assert.deepEqual(slicesOf(store, 'web'), []);
});

test('without a selector: a user\'s Endpoints are left alone and mirrored into slices; the mirror goes with them', async (t) => {
  const { store, ctl, sync } = setup(t);
  ctl.start();
  store.create('services', service('ext', undefined));
  store.create('endpoints', {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ext', namespace: 'default', labels: { mine: 'yes' } },
    subsets: [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ name: 'http', port: 443, protocol: 'TCP' }] }],
  } as Endpoints);
  await sync();
  assert.deepEqual(store.get<Endpoints>('endpoints', 'default', 'ext').metadata.labels, { mine: 'yes' }, 'not taken over');
  const [mirror] = slicesOf(store, 'ext');
  assert.equal(mirror?.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslicemirroring-controller.k8s.io');
  assert.deepEqual(mirror?.endpoints.map((e) => e.addresses[0]), ['192.0.2.10']);
  store.delete('endpoints', 'default', 'ext');
  await sync();
  assert.deepEqual(slicesOf(store, 'ext'), []);
});

test('a Service losing its selector loses the managed Endpoints and slices; at start, leftovers of deleted Services go', async (t) => {
  const { store, ctl, sync } = setup(t);
  store.create('pods', pod('a', '10.86.0.5'));
  store.create('services', service('web', { app: 'web' }));
  ctl.start();
  await sync();
  assert.equal(slicesOf(store, 'web').length, 1);
  store.update<Service>('services', 'default', 'web', (s) => ({ ...s, spec: { ...s.spec, selector: {} } }));
  await sync();
  assert.equal(store.tryGet('endpoints', 'default', 'web'), undefined);
  assert.deepEqual(slicesOf(store, 'web'), []);
  ctl.stop();

  // What a controller made before podd stopped, for a Service deleted while it was down.
  store.update<Service>('services', 'default', 'web', (s) => ({ ...s, spec: { ...s.spec, selector: { app: 'web' } } }));
  const again = new EndpointsController(store, { debounceMs: 5 });
  again.start();
  await new Promise((r) => setTimeout(r, 30));
  again.flush();
  assert.equal(slicesOf(store, 'web').length, 1);
  again.stop();
  store.delete('services', 'default', 'web');
  const third = new EndpointsController(store, { debounceMs: 5 });
  third.start();
  await new Promise((r) => setTimeout(r, 30));
  third.flush();
  third.stop();
  assert.equal(store.tryGet('endpoints', 'default', 'web'), undefined);
  assert.deepEqual(slicesOf(store, 'web'), []);
});
