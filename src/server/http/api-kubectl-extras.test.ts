// The real kubectl (v1.32) against the in-process API server: generator commands (protobuf bodies), paged lists,
// server-side apply with managedFields (field removal, conflicts, the client-side-apply migration), JSON patch,
// and event expiry.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunResult } from './test-harness.js';
import { startApi } from './test-harness.js';

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `kubectl failed: ${r.stderr}`);
  return r.stdout;
}

type Obj = { metadata: { labels?: Record<string, string>; managedFields?: { manager: string; operation: string }[] }; data?: Record<string, string>; type?: string };

test('kubectl create configmap, secret and namespace: protobuf bodies decoded and stored', async (t) => {
  const h = await startApi(t);
  assert.match(ok(await h.kubectl(['create', 'configmap', 'gen', '--from-literal=a=b', '--from-literal=c=d'])), /configmap\/gen created/);
  assert.match(ok(await h.kubectl(['create', 'secret', 'generic', 'sec', '--from-literal=k=v'])), /secret\/sec created/);
  assert.match(ok(await h.kubectl(['create', 'secret', 'docker-registry', 'reg', '--docker-server=r.io', '--docker-username=u', '--docker-password=p'])), /secret\/reg created/);
  assert.match(ok(await h.kubectl(['create', 'namespace', 'team'])), /namespace\/team created/);
  assert.match(ok(await h.kubectl(['create', 'configmap', 'there', '-n', 'team', '--from-literal=x=y'])), /configmap\/there created/);
  assert.deepEqual(h.store.get<Obj>('configmaps', 'default', 'gen').data, { a: 'b', c: 'd' });
  assert.deepEqual(h.store.get<Obj>('secrets', 'default', 'sec').data, { k: 'dg==' });
  assert.equal(h.store.get<Obj>('secrets', 'default', 'sec').type, 'Opaque');
  assert.equal(h.store.get<Obj>('secrets', 'default', 'reg').type, 'kubernetes.io/dockerconfigjson');
  assert.equal(h.store.get('namespaces', '', 'team').metadata.name, 'team');
  assert.deepEqual(h.store.get<Obj>('configmaps', 'team', 'there').data, { x: 'y' });
  assert.deepEqual(h.store.get<Obj>('configmaps', 'default', 'gen').metadata.managedFields?.map((e) => e.manager), ['kubectl-create']);
  const again = await h.kubectl(['create', 'configmap', 'gen', '--from-literal=a=b']);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /configmaps "gen" already exists/);
});

test('kubectl get --chunk-size pages through every object; -A too', async (t) => {
  const h = await startApi(t);
  for (let i = 1; i <= 5; i++) h.store.create('configmaps', { metadata: { name: `cm-${i}`, namespace: 'default' }, data: { i: String(i) } } as never);
  h.store.create('configmaps', { metadata: { name: 'sys', namespace: 'kube-system' } } as never);
  const table = ok(await h.kubectl(['get', 'configmaps', '--chunk-size=2']));
  assert.deepEqual(table.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]), ['cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5']);
  assert.equal(ok(await h.kubectl(['get', 'cm', '-o', 'name', '--chunk-size=2'])).trim().split('\n').length, 5);
  const all = ok(await h.kubectl(['get', 'cm', '-A', '--chunk-size=4', '--no-headers']));
  assert.deepEqual(all.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 2).join('/')),
    ['default/cm-1', 'default/cm-2', 'default/cm-3', 'default/cm-4', 'default/cm-5', 'kube-system/sys']);
  // What kubectl follows: metadata.continue and remainingItemCount on the list.
  const page = JSON.parse((await h.raw('GET', '/api/v1/namespaces/default/configmaps?limit=2')).body) as { metadata: { continue?: string; remainingItemCount?: number }; items: unknown[] };
  assert.equal(page.items.length, 2);
  assert.equal(page.metadata.remainingItemCount, 3);
  const next = JSON.parse((await h.raw('GET', `/api/v1/namespaces/default/configmaps?limit=2&continue=${page.metadata.continue ?? ''}`)).body) as { items: { metadata: { name: string } }[] };
  assert.deepEqual(next.items.map((i) => i.metadata.name), ['cm-3', 'cm-4']);
});

test('a continue token older than the change log: 410 Expired with a token that goes on at the latest state', async (t) => {
  const h = await startApi(t, { changeLogSize: 2 });
  for (let i = 1; i <= 4; i++) h.store.create('configmaps', { metadata: { name: `cm-${i}`, namespace: 'default' } } as never);
  const page = JSON.parse((await h.raw('GET', '/api/v1/namespaces/default/configmaps?limit=2')).body) as { metadata: { continue: string } };
  for (let i = 5; i <= 7; i++) h.store.create('configmaps', { metadata: { name: `cm-${i}`, namespace: 'default' } } as never);
  const gone = await h.raw('GET', `/api/v1/namespaces/default/configmaps?limit=2&continue=${page.metadata.continue}`);
  assert.equal(gone.status, 410, gone.body);
  const status = JSON.parse(gone.body) as { reason: string; message: string; metadata: { continue: string } };
  assert.equal(status.reason, 'Expired');
  assert.match(status.message, /^The provided continue parameter is too old to display a consistent list result\./);
  const rest = JSON.parse((await h.raw('GET', `/api/v1/namespaces/default/configmaps?continue=${status.metadata.continue}`)).body) as { items: { metadata: { name: string } }[] };
  assert.deepEqual(rest.items.map((i) => i.metadata.name), ['cm-3', 'cm-4', 'cm-5', 'cm-6', 'cm-7']);
  const withRv = await h.raw('GET', `/api/v1/namespaces/default/configmaps?continue=${status.metadata.continue}&resourceVersion=5`);
  assert.equal(withRv.status, 400);
  assert.match(withRv.body, /specifying resource version is not allowed when using continue/);
});

const CM = (labels: string, data: string): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ssa
  labels: {${labels}}
data: {${data}}
`;

test('apply --server-side twice: a label dropped from the manifest goes; managedFields show the manager; conflicts', async (t) => {
  const h = await startApi(t);
  const first = await h.file('1.yaml', CM('app: web, tier: front', 'a: "1", b: "2"'));
  const second = await h.file('2.yaml', CM('app: web', 'a: "1"'));
  assert.match(ok(await h.kubectl(['apply', '--server-side', '-f', first])), /configmap\/ssa serverside-applied/);
  assert.match(ok(await h.kubectl(['apply', '--server-side', '-f', second])), /configmap\/ssa serverside-applied/);
  const stored = h.store.get<Obj>('configmaps', 'default', 'ssa');
  assert.deepEqual(stored.metadata.labels, { app: 'web' });
  assert.deepEqual(stored.data, { a: '1' });
  const yaml = ok(await h.kubectl(['get', 'cm', 'ssa', '-o', 'yaml', '--show-managed-fields']));
  assert.match(yaml, /managedFields:\n {2}- apiVersion: v1\n {4}fieldsType: FieldsV1\n {4}fieldsV1:\n {6}f:data:\n {8}f:a: \{\}\n {6}f:metadata:\n {8}f:labels:\n {10}f:app: \{\}\n {4}manager: kubectl\n {4}operation: Apply\n {4}time: /);
  assert.doesNotMatch(ok(await h.kubectl(['get', 'cm', 'ssa', '-o', 'yaml'])), /managedFields/, 'hidden without --show-managed-fields');
  assert.match(ok(await h.kubectl(['apply', '--server-side', '-f', second])), /serverside-applied/, 'a repeat is no conflict');

  const other = await h.file('3.yaml', CM('app: other', ''));
  const conflict = await h.kubectl(['apply', '--server-side', '--field-manager=ci', '-f', other]);
  assert.notEqual(conflict.code, 0);
  assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.metadata\.labels\.app/);
  assert.deepEqual(h.store.get<Obj>('configmaps', 'default', 'ssa').metadata.labels, { app: 'web' });
  ok(await h.kubectl(['apply', '--server-side', '--field-manager=ci', '--force-conflicts', '-f', other]));
  const forced = h.store.get<Obj>('configmaps', 'default', 'ssa');
  assert.deepEqual(forced.metadata.labels, { app: 'other' });
  // Entries are ordered by operation, then time: the order of two applies depends on the clock's second.
  assert.deepEqual(forced.metadata.managedFields?.map((e) => `${e.manager}/${e.operation}`).sort(), ['ci/Apply', 'kubectl/Apply']);
});

test('client-side apply, then --server-side: kubectl migrates the ownership (JSON patch) and later drops take effect', async (t) => {
  const h = await startApi(t);
  ok(await h.kubectl(['apply', '-f', await h.file('1.yaml', CM('app: web, tier: front', 'a: "1", b: "2"'))]));
  assert.deepEqual(h.store.get<Obj>('configmaps', 'default', 'ssa').metadata.managedFields?.map((e) => e.manager), ['kubectl-client-side-apply']);
  ok(await h.kubectl(['apply', '--server-side', '-f', await h.file('2.yaml', CM('app: web', 'a: "1"'))]));
  const migrated = h.store.get<Obj>('configmaps', 'default', 'ssa');
  assert.deepEqual(migrated.metadata.labels, { app: 'web' });
  assert.deepEqual(migrated.data, { a: '1' });
  assert.ok(!migrated.metadata.managedFields?.some((e) => e.manager === 'kubectl-client-side-apply'));
  assert.match(ok(await h.kubectl(['patch', 'cm', 'ssa', '--type=json', '-p', '[{"op":"add","path":"/data/z","value":"9"}]'])), /patched/);
  assert.deepEqual(h.store.get<Obj>('configmaps', 'default', 'ssa').data, { a: '1', z: '9' });
  const bad = await h.kubectl(['patch', 'cm', 'ssa', '--type=json', '-p', '[{"op":"test","path":"/data/z","value":"8"}]']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /test failed/);
});

test('events expire after the event TTL', async (t) => {
  const h = await startApi(t, {}, { eventTtlMs: 1000 });
  const at = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const event = (name: string, last: number): never => ({
    apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
    reason: 'Pulled', message: name, type: 'Normal', count: 1, firstTimestamp: at(last), lastTimestamp: at(last), source: { component: 'podd' },
  }) as never;
  h.store.create('events', event('old', Date.now() - 5000));
  h.store.create('events', event('fresh', Date.now() + 60_000));
  const deadline = Date.now() + 5000;
  while (h.store.tryGet('events', 'default', 'old') !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.match(ok(await h.kubectl(['get', 'events'])), /fresh/);
  assert.doesNotMatch(ok(await h.kubectl(['get', 'events'])), /\bold\b/);
});
