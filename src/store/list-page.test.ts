import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpiredError, TooLargeResourceVersionError } from './store-errors.js';
import { pod, tempStore } from './store-fixtures.js';
import type { ListResult, StoredObject } from './types.js';

const names = (r: ListResult<StoredObject>): string[] => r.items.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`);

test('limit pages through a list in key order; continue and remainingItemCount as the apiserver sets them', (t) => {
  const { store } = tempStore(t);
  for (const n of ['e', 'a', 'd', 'b', 'c']) store.create('pods', pod(n));
  store.create('pods', pod('z', 'other'));
  const first = store.list('pods', 'default', { limit: 2 });
  assert.deepEqual(names(first), ['default/a', 'default/b']);
  assert.deepEqual(first.continue, { namespace: 'default', name: 'b', resourceVersion: 6 });
  assert.equal(first.remainingItemCount, 3);
  const second = store.list('pods', 'default', { limit: 2, continue: first.continue });
  assert.deepEqual(names(second), ['default/c', 'default/d']);
  const last = store.list('pods', 'default', { limit: 2, continue: second.continue });
  assert.deepEqual(names(last), ['default/e']);
  assert.equal(last.continue, undefined);
  assert.equal(last.remainingItemCount, undefined);
  // All namespaces: one key order across them; no limit means one page.
  assert.deepEqual(names(store.list('pods', undefined, { limit: 5, continue: { namespace: 'default', name: 'd' } })), ['default/e', 'other/z']);
  assert.equal(store.list('pods', undefined).items.length, 6);
});

test('every page reads the first page\'s snapshot, whatever changed in between', (t) => {
  const { store } = tempStore(t);
  for (const n of ['a', 'b', 'c', 'd']) store.create('pods', pod(n));
  const first = store.list('pods', 'default', { limit: 2 });
  store.update('pods', 'default', 'c', (o) => ({ ...o, metadata: { ...o.metadata, labels: { changed: 'yes' } } }));
  store.delete('pods', 'default', 'd');
  store.create('pods', pod('bb'));
  store.create('pods', pod('e'));
  const rest = store.list('pods', 'default', { limit: 10, continue: first.continue });
  assert.deepEqual(names(rest), ['default/c', 'default/d']);
  assert.equal(rest.resourceVersion, first.resourceVersion);
  assert.equal(rest.items[0]?.metadata.labels, undefined, 'c as it was');
  assert.equal(rest.items[1]?.metadata.resourceVersion, '4', 'd with its own resourceVersion, not the deletion\'s');
  // Selectors apply to the snapshot too; with them there is no remainingItemCount.
  const labelled = store.list('pods', 'default', { limit: 1, labelSelector: (l) => l['changed'] === undefined });
  assert.deepEqual(names(labelled), ['default/a']);
  assert.equal(labelled.remainingItemCount, undefined);
  assert.ok(labelled.continue);
  // A continue without a resourceVersion (the apiserver's rv -1) reads the latest state.
  assert.deepEqual(names(store.list('pods', 'default', { continue: { namespace: 'default', name: 'b' } })), ['default/bb', 'default/c', 'default/e']);
});

test('a continue older than the change log is Expired; one from the future is refused', (t) => {
  const { store } = tempStore(t, { changeLogSize: 2 });
  for (const n of ['a', 'b', 'c']) store.create('pods', pod(n));
  const first = store.list('pods', 'default', { limit: 1 });
  for (const n of ['d', 'e', 'f']) store.create('pods', pod(n));
  assert.throws(() => store.list('pods', 'default', { limit: 1, continue: first.continue }), ExpiredError);
  assert.throws(() => store.list('pods', 'default', { continue: { namespace: 'default', name: 'a', resourceVersion: 99 } }), TooLargeResourceVersionError);
});
