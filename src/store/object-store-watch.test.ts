import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpiredError, TooLargeResourceVersionError } from './store-errors.js';
import { Recorder, node, pod, tempStore, tick, waitUntil } from './store-fixtures.js';
import type { TestObject } from './store-fixtures.js';
import { INITIAL_EVENTS_END_ANNOTATION } from './watch-hub.js';
import type { WatchEvent } from './types.js';

function setPhase(phase: string) {
  return (p: TestObject): TestObject => ({ ...p, status: { phase } });
}

test('watch from a resourceVersion replays the later changes, then streams live ones in order', async (t) => {
  const { store } = tempStore(t);
  store.create('pods', pod('a'));                                   // 1
  const listed = store.list('pods', 'default').resourceVersion;     // "1"
  store.create('pods', pod('b'));                                   // 2
  store.update('pods', 'default', 'a', setPhase('Running'));        // 3
  store.create('nodes', node('n1'));                                // 4: another resource, not seen
  const rec = new Recorder();
  const handle = store.watch('pods', 'default', listed, rec.onEvent);
  t.after(() => handle.stop());
  store.delete('pods', 'default', 'b');                             // 5
  store.create('pods', pod('c'));                                   // 6
  await rec.waitFor(4);
  assert.deepEqual(rec.summary(), ['ADDED b@2', 'MODIFIED a@3', 'DELETED b@5', 'ADDED c@6']);
});

test('watch without a resourceVersion (or "0") starts now: nothing is replayed', async (t) => {
  const { store } = tempStore(t);
  store.create('pods', pod('a'));
  const fromNow = new Recorder();
  const fromZero = new Recorder();
  const h1 = store.watch('pods', undefined, undefined, fromNow.onEvent);
  const h2 = store.watch('pods', undefined, '0', fromZero.onEvent);
  t.after(() => { h1.stop(); h2.stop(); });
  store.create('pods', pod('b'));
  await fromNow.waitFor(1);
  await fromZero.waitFor(1);
  await tick();
  assert.deepEqual(fromNow.summary(), ['ADDED b@2']);
  assert.deepEqual(fromZero.summary(), ['ADDED b@2']);
});

test('events are delivered after the write returns, never inside it', async (t) => {
  const { store } = tempStore(t);
  const rec = new Recorder();
  const h = store.watch('pods', undefined, undefined, rec.onEvent);
  t.after(() => h.stop());
  store.create('pods', pod('a'));
  assert.equal(rec.events.length, 0);
  await rec.waitFor(1);
});

test('the DELETED event carries the last state at the deletion\'s new resourceVersion', async (t) => {
  const { store } = tempStore(t);
  store.create('pods', pod('web'));
  store.update('pods', 'default', 'web', setPhase('Running'));
  const rec = new Recorder<TestObject>();
  const h = store.watch<TestObject>('pods', 'default', store.resourceVersion(), rec.onEvent);
  t.after(() => h.stop());
  store.delete('pods', 'default', 'web');
  const [event] = await rec.waitFor(1);
  assert.equal(event?.type, 'DELETED');
  assert.ok(event?.type === 'DELETED');
  assert.equal(event.object.metadata.resourceVersion, '3');
  assert.deepEqual(event.object.status, { phase: 'Running' });
});

test('namespace-scoped watches see only their namespace; undefined sees all', async (t) => {
  const { store } = tempStore(t);
  const one = new Recorder();
  const all = new Recorder();
  const h1 = store.watch('pods', 'one', undefined, one.onEvent);
  const h2 = store.watch('pods', undefined, undefined, all.onEvent);
  t.after(() => { h1.stop(); h2.stop(); });
  store.create('pods', pod('a', 'one'));
  store.create('pods', pod('b', 'two'));
  store.create('pods', pod('c', 'one'));
  await all.waitFor(3);
  await one.waitFor(2);
  await tick();
  assert.deepEqual(one.summary(), ['ADDED a@1', 'ADDED c@3']);
  // Replay honours the namespace too.
  const replay = new Recorder();
  const h3 = store.watch('pods', 'two', '0', replay.onEvent);
  const h4 = store.watch('pods', 'two', '1', replay.onEvent);
  t.after(() => { h3.stop(); h4.stop(); });
  await replay.waitFor(1);
  await tick();
  assert.deepEqual(replay.summary(), ['ADDED b@2']);
});

test('a resourceVersion older than the change log is ExpiredError (410 Gone)', (t) => {
  const { store } = tempStore(t, { changeLogSize: 3 });
  for (const name of ['a', 'b', 'c', 'd', 'e']) store.create('pods', pod(name)); // rv 1..5; the log keeps 3..5
  assert.throws(() => store.watch('pods', undefined, '1', () => undefined), (err: unknown) => {
    assert.ok(err instanceof ExpiredError);
    assert.equal(err.code, 'FailedPrecondition');
    assert.equal(err.reason, 'Expired');
    assert.equal(err.message, 'too old resource version: 1 (2)');
    return true;
  });
  // From the oldest still-covered point, the replay is complete.
  const rec = new Recorder();
  const h = store.watch('pods', undefined, '2', rec.onEvent);
  t.after(() => h.stop());
  return rec.waitFor(3).then(() => assert.deepEqual(rec.summary(), ['ADDED c@3', 'ADDED d@4', 'ADDED e@5']));
});

test('the change log also drops changes older than its age limit', (t) => {
  let now = 1_000_000;
  const s = tempStore(t, { changeLogMaxAgeMs: 60_000, now: () => now });
  s.store.create('pods', pod('a')); // 1
  s.store.create('pods', pod('b')); // 2
  now += 61_000;
  s.store.create('pods', pod('c')); // 3: a and b are now too old
  assert.throws(() => s.store.watch('pods', undefined, '1', () => undefined), { message: 'too old resource version: 1 (2)' });
  s.store.watch('pods', undefined, '2', () => undefined).stop();
  // The compaction point survives a restart.
  const reopened = s.reopen({ changeLogMaxAgeMs: 60_000, now: () => now });
  assert.throws(() => reopened.watch('pods', undefined, '1', () => undefined), ExpiredError);
});

test('a resourceVersion ahead of the store is TooLargeResourceVersionError; garbage is Invalid', (t) => {
  const { store } = tempStore(t);
  store.create('pods', pod('a'));
  assert.throws(() => store.watch('pods', undefined, '5', () => undefined), (err: unknown) => {
    assert.ok(err instanceof TooLargeResourceVersionError);
    assert.equal(err.message, 'Too large resource version: 5, current: 1');
    assert.equal(err.code, 'Unavailable');
    return true;
  });
  assert.throws(() => store.watch('pods', undefined, 'abc', () => undefined), { code: 'Invalid' });
  assert.throws(() => store.watch('pods', undefined, '-1', () => undefined), { code: 'Invalid' });
});

test('sendInitialEvents: ADDED for every current object, then the end bookmark, then live changes', async (t) => {
  const { store } = tempStore(t);
  store.create('pods', pod('b'));                 // 1
  store.create('pods', pod('a'));                 // 2
  store.update('pods', 'default', 'b', setPhase('Running')); // 3
  store.create('pods', pod('x', 'elsewhere'));    // 4
  const rec = new Recorder();
  const h = store.watch('pods', 'default', '0', rec.onEvent, { sendInitialEvents: true, allowBookmarks: true });
  t.after(() => h.stop());
  store.delete('pods', 'default', 'a');           // 5
  await rec.waitFor(4);
  assert.deepEqual(rec.summary(), ['ADDED a@2', 'ADDED b@3', 'BOOKMARK @4', 'DELETED a@5']);
  const bookmark = rec.events[2];
  assert.ok(bookmark?.type === 'BOOKMARK');
  assert.deepEqual(bookmark.object.metadata.annotations, { [INITIAL_EVENTS_END_ANNOTATION]: 'true' });
  // Without allowBookmarks there is no bookmark (the legacy resourceVersion=0 behaviour).
  const plain = new Recorder();
  const h2 = store.watch('pods', 'default', undefined, plain.onEvent, { sendInitialEvents: true });
  t.after(() => h2.stop());
  await plain.waitFor(1);
  await tick();
  assert.deepEqual(plain.summary(), ['ADDED b@3']);
});

test('periodic bookmarks report the latest resourceVersion', async (t) => {
  const { store } = tempStore(t);
  const rec = new Recorder();
  const h = store.watch('pods', undefined, undefined, rec.onEvent, { allowBookmarks: true, bookmarkIntervalMs: 20 });
  t.after(() => h.stop());
  store.create('nodes', node('n1')); // another resource still moves the global resourceVersion
  await rec.waitFor(1);
  assert.deepEqual(rec.summary()[0], 'BOOKMARK @1');
});

test('selectors: objects entering are ADDED, leaving are DELETED with their old state, as the apiserver does', async (t) => {
  const { store } = tempStore(t);
  store.create('pods', pod('web', 'default', { app: 'web' }));    // 1
  store.create('pods', pod('db', 'default', { app: 'db' }));      // 2
  const from = store.resourceVersion();
  const relabel = (app: string) => (p: TestObject): TestObject => ({ ...p, metadata: { ...p.metadata, labels: { app } } });
  store.update('pods', 'default', 'db', relabel('web'));          // 3 db enters
  store.update('pods', 'default', 'web', setPhase('Running'));    // 4 web modified
  store.update('pods', 'default', 'web', relabel('gone'));        // 5 web leaves
  store.update('pods', 'default', 'web', setPhase('Failed'));     // 6 web outside: nothing
  store.delete('pods', 'default', 'db');                          // 7 db deleted
  const check = async (rec: Recorder<TestObject>): Promise<void> => {
    await rec.waitFor(4);
    await tick();
    assert.deepEqual(rec.summary(), ['ADDED db@3', 'MODIFIED web@4', 'DELETED web@5', 'DELETED db@7']);
    const left = rec.events[2];
    assert.ok(left?.type === 'DELETED');
    assert.deepEqual(left.object.metadata.labels, { app: 'web' }, 'the state the watcher last matched');
  };
  // Replayed from the change log...
  const replayed = new Recorder<TestObject>();
  const h1 = store.watch<TestObject>('pods', 'default', from, replayed.onEvent, { labelSelector: (l) => l['app'] === 'web' });
  t.after(() => h1.stop());
  await check(replayed);
  // ...and live, the same.
  const s2 = tempStore(t);
  s2.store.create('pods', pod('web', 'default', { app: 'web' }));
  s2.store.create('pods', pod('db', 'default', { app: 'db' }));
  const live = new Recorder<TestObject>();
  const h2 = s2.store.watch<TestObject>('pods', 'default', undefined, live.onEvent, { labelSelector: (l) => l['app'] === 'web' });
  t.after(() => h2.stop());
  s2.store.update('pods', 'default', 'db', relabel('web'));
  s2.store.update('pods', 'default', 'web', setPhase('Running'));
  s2.store.update('pods', 'default', 'web', relabel('gone'));
  s2.store.update('pods', 'default', 'web', setPhase('Failed'));
  s2.store.delete('pods', 'default', 'db');
  await check(live);
});

test('field selector (kubectl wait\'s metadata.name=) filters watches', async (t) => {
  const { store } = tempStore(t);
  const rec = new Recorder<TestObject>();
  const h = store.watch<TestObject>('pods', 'default', undefined, rec.onEvent, { fieldSelector: (p) => p.metadata.name === 'wt' });
  t.after(() => h.stop());
  store.create('pods', pod('other'));
  store.create('pods', pod('wt'));
  store.update('pods', 'default', 'wt', setPhase('Running'));
  store.update('pods', 'default', 'other', setPhase('Running'));
  await rec.waitFor(2);
  await tick();
  assert.deepEqual(rec.summary(), ['ADDED wt@2', 'MODIFIED wt@3']);
});

test('concurrent watchers each get the full ordered stream, and each its own copy', async (t) => {
  const { store } = tempStore(t);
  const recs = [new Recorder<TestObject>(), new Recorder<TestObject>(), new Recorder<TestObject>()];
  const handles = recs.map((r, index) => store.watch<TestObject>('pods', undefined, undefined, (e) => {
    // One consumer scribbling on its events must not show in another's.
    if (index === 0 && e.type === 'MODIFIED') e.object.status = { scribbled: true };
    r.onEvent(e);
  }));
  t.after(() => handles.forEach((h) => h.stop()));
  for (let i = 0; i < 300; i++) {
    store.create('pods', pod(`p${i}`));
    store.update('pods', 'default', `p${i}`, setPhase('Running'));
  }
  const expected: string[] = [];
  for (let i = 0; i < 300; i++) expected.push(`ADDED p${i}@${2 * i + 1}`, `MODIFIED p${i}@${2 * i + 2}`);
  for (const r of recs) {
    await r.waitFor(600);
    assert.deepEqual(r.summary(), expected);
  }
  const untouched = recs[1]?.events[1];
  assert.ok(untouched?.type === 'MODIFIED');
  assert.deepEqual(untouched.object.status, { phase: 'Running' });
});

test('a promise from the callback holds back the next event (backpressure)', async (t) => {
  const { store } = tempStore(t);
  const seen: string[] = [];
  let release: () => void = () => undefined;
  const h = store.watch('pods', undefined, undefined, (e: WatchEvent) => {
    seen.push(e.type === 'ADDED' ? e.object.metadata.name ?? '' : e.type);
    if (seen.length === 1) return new Promise<void>((resolve) => { release = resolve; });
    return undefined;
  });
  t.after(() => h.stop());
  store.create('pods', pod('a'));
  store.create('pods', pod('b'));
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(seen, ['a']);
  release();
  await waitUntil(() => seen.length >= 2, 'the second event');
  await tick();
  assert.deepEqual(seen, ['a', 'b']);
});

test('a watcher that falls too far behind is stopped with an ERROR; writers and other watchers go on', async (t) => {
  const { store } = tempStore(t, { maxQueuedEvents: 5 });
  const slow: WatchEvent[] = [];
  const h = store.watch('pods', undefined, undefined, (e) => {
    slow.push(e);
    // Never settles: the consumer is stuck (a client that stopped reading).
    return e.type === 'ERROR' ? undefined : new Promise<void>(() => undefined);
  });
  const fast = new Recorder();
  const h2 = store.watch('pods', undefined, undefined, fast.onEvent);
  t.after(() => { h.stop(); h2.stop(); });
  // Bursts smaller than the cap, with time to deliver in between: only the stuck watcher falls behind.
  for (let i = 0; i < 20; i++) {
    store.create('pods', pod(`p${i}`));
    if (i % 3 === 2) await tick();
  }
  await fast.waitFor(20);
  await tick();
  assert.deepEqual(slow.map((e) => e.type), ['ADDED', 'ERROR']);
  const last = slow[1];
  assert.ok(last?.type === 'ERROR');
  assert.equal(last.error.code, 'Unavailable');
  assert.match(last.error.message, /fell behind by more than 5 events/);
  store.create('pods', pod('later'));
  await fast.waitFor(21);
  await tick();
  assert.equal(slow.length, 2, 'nothing after the ERROR');
});

test('a replay larger than the live cap is still delivered in full', async (t) => {
  const { store } = tempStore(t, { maxQueuedEvents: 5 });
  for (let i = 0; i < 50; i++) store.create('pods', pod(`p${i}`));
  const rec = new Recorder();
  const h = store.watch('pods', undefined, '0', rec.onEvent, { sendInitialEvents: true });
  const h2 = store.watch('pods', undefined, '1', rec.onEvent);
  t.after(() => { h.stop(); h2.stop(); });
  await rec.waitFor(99);
  await tick();
  assert.ok(rec.events.every((e) => e.type === 'ADDED'));
});

test('a callback that throws ends its watch with an ERROR Internal', async (t) => {
  const { store } = tempStore(t);
  const seen: string[] = [];
  const h = store.watch('pods', undefined, undefined, (e) => {
    seen.push(e.type === 'ERROR' ? `ERROR ${e.error.code}: ${e.error.message}` : e.type);
    if (e.type === 'ADDED') throw new Error('boom');
  });
  t.after(() => h.stop());
  store.create('pods', pod('a'));
  store.create('pods', pod('b'));
  await waitUntil(() => seen.length >= 2, 'the ERROR');
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(seen, ['ADDED', 'ERROR Internal: watch of pods stopped: its consumer failed: boom']);
});

test('stop() ends delivery at once, even of events already queued', async (t) => {
  const { store } = tempStore(t);
  const rec = new Recorder();
  const h = store.watch('pods', undefined, undefined, rec.onEvent);
  store.create('pods', pod('a'));
  h.stop();
  h.stop();
  store.create('pods', pod('b'));
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(rec.events, []);
});

test('closing the store delivers what was queued, then ERROR Unavailable', async (t) => {
  const s = tempStore(t);
  const rec = new Recorder();
  s.store.watch('pods', undefined, undefined, rec.onEvent);
  s.store.create('pods', pod('a'));
  s.store.close();
  await rec.waitFor(2);
  assert.deepEqual(rec.summary(), ['ADDED a@1', 'ERROR Unavailable']);
  assert.throws(() => s.store.watch('pods', undefined, undefined, rec.onEvent), { code: 'Unavailable' });
});

test('a consumer that writes to the store from its callback sees its own write next', async (t) => {
  const { store } = tempStore(t);
  const rec = new Recorder();
  const h = store.watch('pods', undefined, undefined, (e) => {
    rec.onEvent(e);
    if (e.type === 'ADDED' && e.object.metadata.name === 'a') store.create('pods', pod('b'));
  });
  t.after(() => h.stop());
  store.create('pods', pod('a'));
  await rec.waitFor(2);
  assert.deepEqual(rec.summary(), ['ADDED a@1', 'ADDED b@2']);
});
