import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expireEvents, lastActivity, startEventExpiry } from './event-ttl.js';
import { Recorder, tempStore, waitUntil } from './store-fixtures.js';
import type { StoredObject } from './types.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const at = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function event(name: string, namespace: string, times: Record<string, unknown>): StoredObject {
  return { apiVersion: 'v1', kind: 'Event', metadata: { name, namespace }, reason: 'Started', ...times } as StoredObject;
}

test('events older than the TTL by their last activity are deleted; younger ones and other kinds stay', (t) => {
  let now = T0;
  const { store } = tempStore(t, { now: () => now });
  store.create('events', event('old', 'default', { firstTimestamp: at(T0 - 7200_000), lastTimestamp: at(T0 - 3700_000) }));
  store.create('events', event('repeated', 'default', { firstTimestamp: at(T0 - 7200_000), lastTimestamp: at(T0 - 60_000) }));
  store.create('events', event('series', 'kube-system', { eventTime: at(T0 - 7200_000), series: { lastObservedTime: at(T0 - 10_000) } }));
  now = T0 - 3 * 3600_000;
  store.create('events', event('untimed', 'default', {})); // created 3 h ago: only creationTimestamp counts
  now = T0;
  store.create('configmaps', { metadata: { name: 'keep', namespace: 'default' } });

  assert.equal(expireEvents(store, T0, 3600_000), 2);
  assert.deepEqual(store.list('events', undefined).items.map((e) => e.metadata.name), ['repeated', 'series']);
  assert.equal(store.list('configmaps', undefined).items.length, 1);
  assert.equal(expireEvents(store, T0 + 50_000, 60_000), 1, 'a shorter TTL, later: "repeated" goes too');
  assert.equal(expireEvents(store, T0, 3600_000), 0);
});

test('lastActivity takes the latest of the event\'s times', () => {
  assert.equal(lastActivity(event('e', 'd', { firstTimestamp: at(T0), lastTimestamp: at(T0 + 5000) }) as never), T0 + 5000);
  assert.equal(lastActivity(event('e', 'd', {}) as never), undefined);
});

test('the periodic sweep deletes expired events (watchers see DELETED) and stops when told', async (t) => {
  let now = T0;
  const { store } = tempStore(t, { now: () => now });
  store.create('events', event('e1', 'default', { lastTimestamp: at(T0) }));
  const rec = new Recorder();
  const watch = store.watch('events', undefined, store.resourceVersion(), rec.onEvent);
  t.after(() => watch.stop());
  const stop = startEventExpiry(store, { ttlMs: 1000, now: () => now, intervalMs: 10 });
  t.after(stop);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(store.list('events', undefined).items.length, 1, 'not expired yet');
  now = T0 + 1001;
  await waitUntil(() => store.list('events', undefined).items.length === 0, 'the sweep');
  await rec.waitFor(1);
  assert.equal(rec.events[0]?.type, 'DELETED');
  stop();
  store.create('events', event('e2', 'default', { lastTimestamp: at(T0 - 5000) }));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(store.list('events', undefined).items.length, 1, 'stopped: no more sweeps');
});
