import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container } from '../../api/types.js';
import type { ObservedContainer, PodRuntimeStatus } from '../pod-runtime.js';
import {
  backoffConfigFromAnnotations,
  backoffKey,
  backoffRemainingMs,
  checkBackoff,
  gcBackoff,
  isInBackOffSince,
  nextBackoff,
} from './backoff.js';
import type { BackoffCheck } from './backoff.js';
import { containerSpecHash } from './container-hash.js';
import { DEFAULT_BACKOFF } from './types.js';
import type { BackoffConfig, BackoffEntry } from './types.js';

const cfg = DEFAULT_BACKOFF; // 10s initial, 300s max
const K = 'k';
const one = (entry: BackoffEntry): Map<string, BackoffEntry> => new Map([[K, entry]]);

test('backoffKey joins pod uid, container name and spec hash', () => {
  assert.equal(backoffKey('uid-1', 'app', 'abcd0123'), 'uid-1_app_abcd0123');
  assert.notEqual(backoffKey('uid-1', 'app', 'abcd0123'), backoffKey('uid-1', 'app', 'abcd0124'));
});

test('isInBackOffSince', () => {
  const entry = { backoffMs: 10_000, lastUpdate: 1_000 };
  const cases: { name: string; entries: Map<string, BackoffEntry>; eventTime: number; now: number; want: boolean }[] = [
    { name: 'no entry', entries: new Map(), eventTime: 5_000, now: 5_000, want: false },
    { name: 'inside the window', entries: one(entry), eventTime: 5_000, now: 14_999, want: true },
    { name: 'window just over', entries: one(entry), eventTime: 5_000, now: 15_000, want: false },
    { name: 'event exactly 2*max after last update: not expired', entries: one(entry), eventTime: 601_000, now: 601_000, want: true },
    { name: 'event more than 2*max after last update: expired', entries: one(entry), eventTime: 601_001, now: 601_001, want: false },
  ];
  for (const c of cases) assert.equal(isInBackOffSince(c.entries, K, c.eventTime, c.now, cfg), c.want, c.name);
});

test('nextBackoff starts at initial, doubles, caps at max', () => {
  let entries = new Map<string, BackoffEntry>();
  const seen: number[] = [];
  for (let i = 0; i < 8; i++) {
    const now = 1_000 * (i + 1);
    const e = nextBackoff(entries, K, now, cfg);
    assert.equal(e.lastUpdate, now);
    seen.push(e.backoffMs / 1000);
    entries = one(e);
  }
  assert.deepEqual(seen, [10, 20, 40, 80, 160, 300, 300, 300]);
});

test('nextBackoff resets an expired entry, judged at eventTime (default now)', () => {
  const entries = one({ backoffMs: 160_000, lastUpdate: 0 });
  assert.deepEqual(nextBackoff(entries, K, 700_000, cfg), { backoffMs: 10_000, lastUpdate: 700_000 });
  // The exit happened before the entry expired; the start comes later: flowcontrol keeps doubling.
  assert.deepEqual(nextBackoff(entries, K, 700_000, cfg, 500_000), { backoffMs: 300_000, lastUpdate: 700_000 });
});

test('backoffRemainingMs counts down from the exit time', () => {
  const entries = one({ backoffMs: 20_000, lastUpdate: 1_000 });
  assert.equal(backoffRemainingMs(entries, K, 5_000, 5_000, cfg), 20_000);
  assert.equal(backoffRemainingMs(entries, K, 5_000, 12_000, cfg), 13_000);
  assert.equal(backoffRemainingMs(entries, K, 5_000, 25_000, cfg), 0);
  assert.equal(backoffRemainingMs(new Map(), K, 5_000, 5_000, cfg), 0);
});

test('gcBackoff drops entries untouched for more than 2*max', () => {
  const entries = new Map<string, BackoffEntry>([
    ['old', { backoffMs: 10_000, lastUpdate: 0 }],
    ['edge', { backoffMs: 10_000, lastUpdate: 100_000 }],
    ['fresh', { backoffMs: 10_000, lastUpdate: 650_000 }],
  ]);
  assert.deepEqual([...gcBackoff(entries, 700_000, cfg).keys()], ['edge', 'fresh']);
});

test('backoffConfigFromAnnotations', () => {
  const cases: { name: string; annotations: Record<string, string> | undefined; want: BackoffConfig }[] = [
    { name: 'no annotations', annotations: undefined, want: cfg },
    { name: 'unrelated annotations', annotations: { a: 'b' }, want: cfg },
    { name: 'base', annotations: { 'podd.dev/backoff-base': '1s' }, want: { initialMs: 1_000, maxMs: 300_000 } },
    { name: 'max', annotations: { 'podd.dev/backoff-max': '2m' }, want: { initialMs: 10_000, maxMs: 120_000 } },
    { name: 'both', annotations: { 'podd.dev/backoff-base': '500ms', 'podd.dev/backoff-max': '5s' }, want: { initialMs: 500, maxMs: 5_000 } },
    { name: 'invalid text ignored', annotations: { 'podd.dev/backoff-base': 'soon', 'podd.dev/backoff-max': '10' }, want: cfg },
    { name: 'zero ignored', annotations: { 'podd.dev/backoff-base': '0s', 'podd.dev/backoff-max': '0' }, want: cfg },
    { name: 'negative ignored', annotations: { 'podd.dev/backoff-base': '-5s' }, want: cfg },
    { name: 'base above max is capped', annotations: { 'podd.dev/backoff-max': '5s' }, want: { initialMs: 5_000, maxMs: 5_000 } },
    { name: 'base above explicit max is capped', annotations: { 'podd.dev/backoff-base': '1m', 'podd.dev/backoff-max': '30s' }, want: { initialMs: 30_000, maxMs: 30_000 } },
  ];
  for (const c of cases) assert.deepEqual(backoffConfigFromAnnotations(c.annotations, cfg), c.want, c.name);
});

// ---- checkBackoff: the kubelet's doBackOff over a simulated crash loop ----

const app: Container = { name: 'app', image: 'nginx:1' };
const pod = { podUid: 'uid-1', podName: 'web', namespace: 'default' };

function exited(n: number, startedAt: number, finishedAt: number, c: Container = app): ObservedContainer {
  return {
    id: `c${n}`, name: c.name, kind: 'app', sandboxId: 'sb', restartCount: n, state: 'exited',
    createdAt: startedAt, startedAt, finishedAt, exitCode: 1, reason: 'Error',
    specHash: containerSpecHash(c), image: c.image ?? '', imageId: 'sha256:x',
  };
}

function check(runtime: PodRuntimeStatus, entries: Map<string, BackoffEntry>, now: number, c: Container = app): BackoffCheck {
  return checkBackoff({ ...pod, container: c, runtime, entries, now, cfg });
}

test('checkBackoff: never exited → start, no entry to store', () => {
  const r = check({ sandboxes: [], containers: [] }, new Map(), 1_000);
  assert.deepEqual(r, { inBackoff: false, key: backoffKey('uid-1', 'app', containerSpecHash(app)) });
});

test('checkBackoff: first restart immediate, then 10s, 20s, ... capped at 5m0s', () => {
  const entries = new Map<string, BackoffEntry>();
  const runtime: PodRuntimeStatus = { sandboxes: [], containers: [] };
  const delays: string[] = [];
  let t = 0;
  for (let n = 0; n < 9; n++) {
    runtime.containers.push(exited(n, t, t + 1_000)); // runs 1s, crashes
    t += 1_000;
    const r = check(runtime, entries, t);
    if (r.inBackoff) {
      delays.push(r.message);
      assert.equal(r.remainingMs, entries.get(r.key)?.backoffMs);
      const waitMs = r.remainingMs;
      assert.equal(check(runtime, entries, t + waitMs - 1).inBackoff, true, 'still waiting 1ms before the end');
      t += waitMs;
    }
    const go = check(runtime, entries, t);
    assert.equal(go.inBackoff, false);
    if (go.inBackoff || go.next === undefined) assert.fail('expected an entry to store');
    entries.set(go.key, go.next);
  }
  const msg = (d: string): string => `back-off ${d} restarting failed container=app pod=web_default(uid-1)`;
  assert.deepEqual(delays, ['10s', '20s', '40s', '1m20s', '2m40s', '5m0s', '5m0s', '5m0s'].map(msg));
});

test('checkBackoff: a run longer than 2*max resets the back-off', () => {
  const key = backoffKey('uid-1', 'app', containerSpecHash(app));
  const entries = new Map([[key, { backoffMs: 300_000, lastUpdate: 1_000 }]]);
  const runtime = { sandboxes: [], containers: [exited(5, 1_000, 601_001)] };
  const r = check(runtime, entries, 601_001);
  assert.deepEqual(r, { inBackoff: false, key, next: { backoffMs: 10_000, lastUpdate: 601_001 } });
});

test('checkBackoff: an image change gives a fresh key', () => {
  const entries = new Map([[backoffKey('uid-1', 'app', containerSpecHash(app)), { backoffMs: 40_000, lastUpdate: 1_000 }]]);
  const runtime = { sandboxes: [], containers: [exited(3, 1_000, 2_000)] };
  assert.equal(check(runtime, entries, 2_000).inBackoff, true);
  const updated = { ...app, image: 'nginx:2' };
  const r = check(runtime, entries, 2_000, updated);
  assert.equal(r.inBackoff, false);
  assert.equal(r.key, backoffKey('uid-1', 'app', containerSpecHash(updated)));
});

test('checkBackoff measures from the newest exited instance, past a newer created one', () => {
  const key = backoffKey('uid-1', 'app', containerSpecHash(app));
  const entries = new Map([[key, { backoffMs: 20_000, lastUpdate: 1_000 }]]);
  const created: ObservedContainer = { ...exited(4, 9_000, 0), state: 'created', id: 'c4' };
  delete created.finishedAt;
  const runtime = { sandboxes: [], containers: [exited(2, 1_000, 2_000), exited(3, 3_000, 8_000), created] };
  const r = check(runtime, entries, 10_000);
  assert.equal(r.inBackoff, true);
  if (r.inBackoff) assert.equal(r.remainingMs, 18_000);
});
