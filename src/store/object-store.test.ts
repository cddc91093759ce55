import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PoddError, isPoddError } from '../core/errors.js';
import { SqliteObjectStore } from './object-store.js';
import { node, pod, tempStore } from './store-fixtures.js';
import type { TestObject } from './store-fixtures.js';

const CONFLICT = 'Operation cannot be fulfilled on pods "web": the object has been modified; '
  + 'please apply your changes to the latest version and try again';

function rvOf(o: { metadata: { resourceVersion?: string } }): number {
  return Number(o.metadata.resourceVersion);
}

test('create stamps uid, creationTimestamp, resourceVersion and generation; get returns the same', (t) => {
  const { store } = tempStore(t, { now: () => Date.UTC(2026, 0, 2, 3, 4, 5, 678), newUid: () => 'uid-1' });
  const created = store.create('pods', pod('web'));
  assert.equal(created.metadata.uid, 'uid-1');
  assert.equal(created.metadata.creationTimestamp, '2026-01-02T03:04:05Z');
  assert.equal(created.metadata.resourceVersion, '1');
  assert.equal(created.metadata.generation, 1);
  assert.deepEqual(store.get('pods', 'default', 'web'), created);
  assert.equal(store.resourceVersion(), '1');
});

test('create keeps a given uid, refuses a set resourceVersion, and needs a name', (t) => {
  const { store } = tempStore(t);
  const given = pod('a');
  given.metadata.uid = 'mine';
  assert.equal(store.create('pods', given).metadata.uid, 'mine');
  const withRv = pod('b');
  withRv.metadata.resourceVersion = '7';
  assert.throws(() => store.create('pods', withRv),
    { code: 'Invalid', message: 'resourceVersion should not be set on objects to be created' });
  assert.throws(() => store.create('pods', pod('')),
    { code: 'Invalid', message: 'metadata.name: Required value: name or generateName is required' });
  assert.equal(store.resourceVersion(), '1', 'failed creates use no resourceVersion');
});

test('create does not keep a reference to the caller\'s object', (t) => {
  const { store } = tempStore(t);
  const input = pod('web');
  const created = store.create('pods', input);
  assert.equal(input.metadata.resourceVersion, undefined);
  created.metadata.labels = { changed: 'yes' };
  assert.equal(store.get('pods', 'default', 'web').metadata.labels, undefined);
});

test('generateName picks a free name with the apiserver\'s suffix alphabet', (t) => {
  let calls = 0;
  // The first suffix collides with an existing object; the store tries again.
  const randoms = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0.99];
  const { store } = tempStore(t, { random: () => randoms[calls++ % randoms.length] ?? 0 });
  store.create('pods', pod('web-bbbbb'));
  const generated = pod('');
  generated.metadata.generateName = 'web-';
  const created = store.create('pods', generated);
  assert.equal(created.metadata.name, 'web-bbbb9');
  assert.equal(created.metadata.generateName, 'web-');
  assert.ok(store.tryGet('pods', 'default', 'web-bbbb9'));
});

test('create of an existing key is AlreadyExists with the apiserver message', (t) => {
  const { store } = tempStore(t);
  store.create('pods', pod('web'));
  assert.throws(() => store.create('pods', pod('web')), { code: 'AlreadyExists', message: 'pods "web" already exists' });
  // The same name in another namespace or resource is another object.
  store.create('pods', pod('web', 'other'));
  store.create('configmaps', pod('web'));
});

test('get of a missing object is NotFound; tryGet is undefined', (t) => {
  const { store } = tempStore(t);
  assert.throws(() => store.get('pods', 'default', 'nope'), { code: 'NotFound', message: 'pods "nope" not found' });
  assert.equal(store.tryGet('pods', 'default', 'nope'), undefined);
});

test('one resourceVersion sequence across resources, strictly increasing', (t) => {
  const { store } = tempStore(t);
  const rvs = [
    rvOf(store.create('pods', pod('a'))),
    rvOf(store.create('nodes', node('n1'))),
    rvOf(store.update<TestObject>('pods', 'default', 'a', (p) => ({ ...p, status: { phase: 'Running' } }))),
    rvOf(store.create('configmaps', pod('c'))),
    rvOf(store.delete('nodes', '', 'n1')),
  ];
  assert.deepEqual(rvs, [1, 2, 3, 4, 5]);
  assert.equal(store.list('pods', undefined).resourceVersion, '5');
});

test('update runs fn on a private copy and stores its result with a new resourceVersion', (t) => {
  const { store } = tempStore(t);
  const created = store.create<TestObject>('pods', pod('web'));
  const updated = store.update<TestObject>('pods', 'default', 'web', (current) => {
    assert.deepEqual(current, created);
    current.status = { phase: 'Running' };
    return current;
  });
  assert.deepEqual(updated.status, { phase: 'Running' });
  assert.equal(updated.metadata.resourceVersion, '2');
  assert.equal(updated.metadata.generation, 1, 'status changes keep the generation');
  assert.deepEqual(store.get('pods', 'default', 'web'), updated);
});

test('update with a stale resourceVersion is Conflict with the apiserver message', (t) => {
  const { store } = tempStore(t);
  const v1 = store.create<TestObject>('pods', pod('web'));
  store.update<TestObject>('pods', 'default', 'web', (p) => ({ ...p, status: { phase: 'Pending' } }));
  let ran = false;
  assert.throws(() => store.update<TestObject>('pods', 'default', 'web', (p) => {
    ran = true;
    return p;
  }, { expectedResourceVersion: v1.metadata.resourceVersion ?? '' }), { code: 'Conflict', message: CONFLICT });
  assert.equal(ran, false, 'fn does not run when the precondition fails');
  // The current resourceVersion passes.
  const ok = store.update<TestObject>('pods', 'default', 'web', (p) => ({ ...p, status: { phase: 'Running' } }),
    { expectedResourceVersion: '2' });
  assert.equal(ok.metadata.resourceVersion, '3');
});

test('update with another uid is Conflict (the object was recreated)', (t) => {
  const { store } = tempStore(t, { newUid: () => 'u-1' });
  store.create('pods', pod('web'));
  assert.throws(() => store.update('pods', 'default', 'web', (p) => p, { expectedUid: 'u-0' }), {
    code: 'Conflict',
    message: 'Operation cannot be fulfilled on pods "web": Precondition failed: UID in precondition: u-0, UID in object meta: u-1',
  });
});

test('update fn returning undefined refuses: nothing written, no new resourceVersion', (t) => {
  const { store } = tempStore(t);
  const created = store.create('pods', pod('web'));
  const result = store.update('pods', 'default', 'web', () => undefined);
  assert.deepEqual(result, created);
  assert.equal(store.resourceVersion(), '1');
});

test('update producing the same object writes nothing, whatever its key order', (t) => {
  const { store } = tempStore(t);
  store.create('pods', pod('web'));
  const result = store.update<TestObject>('pods', 'default', 'web', (p) => ({ spec: p.spec ?? {}, metadata: p.metadata, kind: p.kind, apiVersion: p.apiVersion }));
  assert.equal(result.metadata.resourceVersion, '1');
  assert.equal(store.resourceVersion(), '1');
});

test('update fn that throws aborts the update with its error', (t) => {
  const { store } = tempStore(t);
  store.create('pods', pod('web'));
  assert.throws(() => store.update('pods', 'default', 'web', () => {
    throw new PoddError('FailedPrecondition', 'pod is terminating');
  }), { code: 'FailedPrecondition', message: 'pod is terminating' });
  assert.equal(store.resourceVersion(), '1');
});

test('update of a missing object is NotFound and fn does not run', (t) => {
  const { store } = tempStore(t);
  assert.throws(() => store.update('pods', 'default', 'web', () => assert.fail('fn ran')), { code: 'NotFound' });
});

test('update keeps identity and creation time; name, namespace and uid are immutable', (t) => {
  const { store } = tempStore(t, { newUid: () => 'u-1' });
  const created = store.create('pods', pod('web'));
  const updated = store.update<TestObject>('pods', 'default', 'web', (p) => ({
    ...p, metadata: { name: 'web', namespace: 'default', labels: { a: 'b' } },
  }));
  assert.equal(updated.metadata.uid, 'u-1');
  assert.equal(updated.metadata.creationTimestamp, created.metadata.creationTimestamp);
  assert.deepEqual(updated.metadata.labels, { a: 'b' });
  assert.throws(() => store.update<TestObject>('pods', 'default', 'web', (p) => ({ ...p, metadata: { ...p.metadata, name: 'x' } })), {
    code: 'Invalid', message: 'Pod "web" is invalid: metadata.name: Invalid value: "x": field is immutable',
  });
  assert.throws(() => store.update<TestObject>('pods', 'default', 'web', (p) => ({ ...p, metadata: { ...p.metadata, namespace: 'x' } })),
    { code: 'Invalid' });
  assert.throws(() => store.update<TestObject>('pods', 'default', 'web', (p) => ({ ...p, metadata: { ...p.metadata, uid: 'u-2' } })),
    { code: 'Invalid' });
});

test('generation follows spec changes and the start of graceful deletion', (t) => {
  const { store } = tempStore(t);
  store.create('pods', pod('web'));
  const specChanged = store.update<TestObject>('pods', 'default', 'web',
    (p) => ({ ...p, spec: { containers: [{ name: 'app', image: 'nginx' }] } }));
  assert.equal(specChanged.metadata.generation, 2);
  const deleting = store.update<TestObject>('pods', 'default', 'web',
    (p) => ({ ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }));
  assert.equal(deleting.metadata.generation, 3);
  const statusOnly = store.update<TestObject>('pods', 'default', 'web', (p) => ({ ...p, status: { phase: 'Failed' } }));
  assert.equal(statusOnly.metadata.generation, 3);
});

test('delete returns the last state at a new resourceVersion; a second delete is NotFound', (t) => {
  const { store } = tempStore(t);
  store.create('pods', pod('web'));
  store.update<TestObject>('pods', 'default', 'web', (p) => ({ ...p, status: { phase: 'Running' } }));
  const deleted = store.delete<TestObject>('pods', 'default', 'web');
  assert.equal(deleted.metadata.resourceVersion, '3');
  assert.deepEqual(deleted.status, { phase: 'Running' });
  assert.equal(store.tryGet('pods', 'default', 'web'), undefined);
  assert.throws(() => store.delete('pods', 'default', 'web'), { code: 'NotFound', message: 'pods "web" not found' });
  assert.equal(store.resourceVersion(), '3');
});

test('delete preconditions on uid and resourceVersion are Conflicts in the apiserver\'s words', (t) => {
  const { store } = tempStore(t, { newUid: () => 'u-1' });
  store.create('pods', pod('web'));
  assert.throws(() => store.delete('pods', 'default', 'web', { expectedUid: 'u-9' }), {
    code: 'Conflict',
    message: 'Operation cannot be fulfilled on pods "web": Precondition failed: UID in precondition: u-9, UID in object meta: u-1',
  });
  assert.throws(() => store.delete('pods', 'default', 'web', { expectedResourceVersion: '9' }), {
    code: 'Conflict',
    message: 'Operation cannot be fulfilled on pods "web": Precondition failed: ResourceVersion in precondition: 9, '
      + 'ResourceVersion in object meta: 1',
  });
  assert.equal(store.delete('pods', 'default', 'web', { expectedUid: 'u-1', expectedResourceVersion: '1' }).metadata.name, 'web');
});

test('list: one namespace or all, sorted by namespace then name, with the current resourceVersion', (t) => {
  const { store } = tempStore(t);
  for (const [ns, name] of [['b', 'z'], ['a', 'y'], ['b', 'x'], ['a', 'w']] as const) store.create('pods', pod(name, ns));
  store.create('configmaps', pod('other', 'a'));
  const names = (items: TestObject[]): string[] => items.map((p) => `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`);
  assert.deepEqual(names(store.list<TestObject>('pods', undefined).items), ['a/w', 'a/y', 'b/x', 'b/z']);
  assert.deepEqual(names(store.list<TestObject>('pods', 'b').items), ['b/x', 'b/z']);
  assert.deepEqual(store.list('pods', 'none'), { items: [], resourceVersion: '5' });
});

test('list with label and field selector predicates', (t) => {
  const { store } = tempStore(t);
  store.create('pods', pod('web-1', 'default', { app: 'web' }));
  store.create('pods', pod('web-2', 'default', { app: 'web', tier: 'front' }));
  store.create('pods', pod('db', 'default', { app: 'db' }));
  store.create('pods', pod('bare'));
  const names = (r: { items: TestObject[] }): string[] => r.items.map((p) => p.metadata.name ?? '');
  assert.deepEqual(names(store.list<TestObject>('pods', 'default', { labelSelector: (l) => l['app'] === 'web' })), ['web-1', 'web-2']);
  assert.deepEqual(names(store.list<TestObject>('pods', 'default', { labelSelector: (l) => !('app' in l) })), ['bare']);
  assert.deepEqual(names(store.list<TestObject>('pods', 'default', { fieldSelector: (p) => p.metadata.name === 'db' })), ['db']);
  assert.deepEqual(names(store.list<TestObject>('pods', 'default', {
    labelSelector: (l) => l['app'] === 'web',
    fieldSelector: (p) => p.metadata.name !== 'web-1',
  })), ['web-2']);
});

test('cluster-scoped objects live in namespace \'\'', (t) => {
  const { store } = tempStore(t);
  store.create('nodes', node('n1'));
  store.create('namespaces', node('default'));
  assert.equal(store.get('nodes', '', 'n1').metadata.name, 'n1');
  assert.deepEqual(store.list('nodes', '').items.map((n) => n.metadata.name), ['n1']);
  assert.deepEqual(store.list('nodes', undefined).items.map((n) => n.metadata.name), ['n1']);
  assert.equal(store.tryGet('nodes', 'default', 'n1'), undefined);
});

test('an update fn may read the store but not write to it', (t) => {
  const { store } = tempStore(t);
  store.create('pods', pod('a'));
  store.create('pods', pod('b'));
  const updated = store.update<TestObject>('pods', 'default', 'a', (p) => ({
    ...p, status: { peers: store.list('pods', 'default').items.length },
  }));
  assert.deepEqual(updated.status, { peers: 2 });
  assert.throws(() => store.update('pods', 'default', 'a', (p) => {
    store.create('pods', pod('c'));
    return p;
  }), (err: unknown) => isPoddError(err, 'Internal') && /may not nest/.test(err.message));
  assert.equal(store.tryGet('pods', 'default', 'c'), undefined);
  // The store is usable afterwards.
  store.create('pods', pod('c'));
});

test('reopening keeps the objects and continues the resourceVersion sequence', (t) => {
  const s = tempStore(t);
  s.store.create('pods', pod('a'));
  s.store.create('pods', pod('b'));
  s.store.delete('pods', 'default', 'b');
  const reopened = s.reopen();
  assert.equal(reopened.resourceVersion(), '3');
  assert.deepEqual(reopened.list('pods', undefined).items.map((p) => p.metadata.name), ['a']);
  assert.equal(reopened.create('pods', pod('c')).metadata.resourceVersion, '4');
});

test('a closed store refuses calls with Unavailable', (t) => {
  const s = tempStore(t);
  s.store.close();
  assert.throws(() => s.store.get('pods', 'default', 'a'), { code: 'Unavailable', message: 'object store is closed' });
  assert.throws(() => s.store.create('pods', pod('a')), { code: 'Unavailable' });
  s.store.close();
});

test('empty preconditions are unconditional', (t) => {
  const { store } = tempStore(t);
  store.create('pods', pod('web'));
  store.update<TestObject>('pods', 'default', 'web', (p) => ({ ...p, status: { phase: 'Running' } }),
    { expectedResourceVersion: '', expectedUid: '' });
  assert.equal(store.delete('pods', 'default', 'web', { expectedResourceVersion: '', expectedUid: '' }).metadata.name, 'web');
});

test('a store path that cannot be created is an error with context', (t) => {
  const s = tempStore(t);
  // A regular file where the directory should be (not /proc: Node 20's recursive mkdir spins there forever).
  const path = `${s.path}/sub/podd.db`;
  assert.throws(() => SqliteObjectStore.open(path),
    (err: unknown) => err instanceof PoddError && err.message.startsWith(`cannot open object store ${path}: ENOTDIR`));
});
