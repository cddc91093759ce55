// Table tests of the probe worker's state machine: when ticks probe, skip or stop, how thresholds publish results,
// and how ticks are scheduled. Times are ms; the container started at T0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probeTiming } from './timing.js';
import type { ProbeTiming } from './timing.js';
import type { ProbeOutcome, ProbeType } from './types.js';
import {
  INITIAL_RESULT, decideTick, newWorkerState, recordOutcome, scheduleNext, stopWorker, triggerNow,
} from './worker-state.js';
import type { ProbeWorkerState, TickDecision, TickInput } from './worker-state.js';

const T0 = 1_000_000;
const OK: ProbeOutcome = { result: 'success', output: '' };
const WARN: ProbeOutcome = { result: 'warning', output: 'Probe terminated redirects, Response body: ' };
const FAIL: ProbeOutcome = { result: 'failure', output: 'HTTP probe failed with statuscode: 500' };
const UNKNOWN: ProbeOutcome = { result: 'unknown', output: '' };
const ERRORED: ProbeOutcome = { result: 'unknown', output: '', error: 'strconv.Atoi: parsing "http": invalid syntax' };

test('probeTiming: the apiserver defaults, and zero read as unset', () => {
  assert.deepEqual(probeTiming({}), { initialDelaySeconds: 0, periodMs: 10_000, timeoutMs: 1_000, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(
    probeTiming({ initialDelaySeconds: 5, periodSeconds: 2, timeoutSeconds: 3, successThreshold: 2, failureThreshold: 4 }),
    { initialDelaySeconds: 5, periodMs: 2_000, timeoutMs: 3_000, successThreshold: 2, failureThreshold: 4 },
  );
  assert.deepEqual(probeTiming({ periodSeconds: 0, timeoutSeconds: 0, successThreshold: 0, failureThreshold: 0 }), probeTiming({}));
});

test('initial results: liveness success, readiness failure, startup unknown; first tick after the initial delay', () => {
  assert.deepEqual(INITIAL_RESULT, { liveness: 'success', readiness: 'failure', startup: 'unknown' });
  const t = probeTiming({ initialDelaySeconds: 7 });
  for (const type of ['liveness', 'readiness', 'startup'] as ProbeType[]) {
    const s = newWorkerState(type, t, T0);
    assert.equal(s.result, INITIAL_RESULT[type]);
    assert.equal(s.nextAt, T0 + 7_000);
    assert.equal(s.done, false);
    assert.equal(s.resultRun, 0);
  }
});

interface TickCase {
  name: string;
  type: ProbeType;
  delay?: number;
  at: number; // ms after T0
  started: boolean;
  terminating?: boolean;
  done?: boolean;
  want: TickDecision;
}

const tickCases: TickCase[] = [
  { name: 'startup: probes while not started', type: 'startup', at: 0, started: false, want: { action: 'probe' } },
  { name: 'startup: stops once started', type: 'startup', at: 5_000, started: true, want: { action: 'stop', reason: 'started' } },
  { name: 'liveness: skips until started', type: 'liveness', at: 5_000, started: false, want: { action: 'skip', reason: 'not-started' } },
  { name: 'readiness: skips until started', type: 'readiness', at: 5_000, started: false, want: { action: 'skip', reason: 'not-started' } },
  { name: 'liveness: probes once started', type: 'liveness', at: 0, started: true, want: { action: 'probe' } },
  { name: 'readiness: probes once started', type: 'readiness', at: 0, started: true, want: { action: 'probe' } },
  { name: 'initial delay 3 s: 2.999 s after start skips', type: 'liveness', delay: 3, at: 2_999, started: true, want: { action: 'skip', reason: 'initial-delay' } },
  { name: 'initial delay 3 s: exactly 3 s probes', type: 'liveness', delay: 3, at: 3_000, started: true, want: { action: 'probe' } },
  { name: 'initial delay applies to startup too', type: 'startup', delay: 2, at: 1_500, started: false, want: { action: 'skip', reason: 'initial-delay' } },
  { name: 'initial delay checked before the started gate', type: 'readiness', delay: 2, at: 1_000, started: false, want: { action: 'skip', reason: 'initial-delay' } },
  { name: 'terminating: liveness goes quiet with success', type: 'liveness', at: 9_000, started: true, terminating: true, want: { action: 'stop', reason: 'terminating', result: 'success' } },
  { name: 'terminating: startup goes quiet with success', type: 'startup', at: 9_000, started: false, terminating: true, want: { action: 'stop', reason: 'terminating', result: 'success' } },
  { name: 'terminating: readiness goes on', type: 'readiness', at: 9_000, started: true, terminating: true, want: { action: 'probe' } },
  { name: 'terminating during the initial delay: readiness waits', type: 'readiness', delay: 30, at: 9_000, started: true, terminating: true, want: { action: 'skip', reason: 'initial-delay' } },
  { name: 'done: stops', type: 'readiness', at: 9_000, started: true, done: true, want: { action: 'stop', reason: 'done' } },
  { name: 'done beats terminating', type: 'liveness', at: 9_000, started: true, terminating: true, done: true, want: { action: 'stop', reason: 'done' } },
];

for (const c of tickCases) {
  test(`decideTick: ${c.name}`, () => {
    const t = probeTiming({ initialDelaySeconds: c.delay ?? 0 });
    let s = newWorkerState(c.type, t, T0);
    if (c.done === true) s = stopWorker(s).state;
    const input: TickInput = { now: T0 + c.at, startedAt: T0, started: c.started, terminating: c.terminating ?? false };
    assert.deepEqual(decideTick(s, t, input), c.want);
  });
}

interface RunCase {
  name: string;
  type: ProbeType;
  timing: Partial<ProbeTiming>;
  outcomes: ProbeOutcome[];
  /** Published result after each outcome. */
  results: string[];
  /** Indexes of outcomes after which the published result changed. */
  changedAt: number[];
  done: boolean;
}

const runCases: RunCase[] = [
  { name: 'readiness: one success publishes success (threshold 1)', type: 'readiness', timing: {}, outcomes: [OK], results: ['success'], changedAt: [0], done: false },
  {
    name: 'readiness: success threshold 3 needs three in a row', type: 'readiness', timing: { successThreshold: 3 },
    outcomes: [OK, OK, FAIL, OK, OK, OK], results: ['failure', 'failure', 'failure', 'failure', 'failure', 'success'], changedAt: [5], done: false,
  },
  {
    name: 'readiness: failure threshold 3 after success, then back', type: 'readiness', timing: { failureThreshold: 3 },
    outcomes: [OK, FAIL, FAIL, FAIL, FAIL, OK], results: ['success', 'success', 'success', 'failure', 'failure', 'success'], changedAt: [0, 3, 5], done: false,
  },
  {
    name: 'readiness: failures below the threshold never publish, however many are interrupted', type: 'readiness', timing: { failureThreshold: 2 },
    outcomes: [OK, FAIL, OK, FAIL, OK], results: ['success', 'success', 'success', 'success', 'success'], changedAt: [0], done: false,
  },
  {
    name: 'readiness: a failure from the initial failure is no change', type: 'readiness', timing: { failureThreshold: 1 },
    outcomes: [FAIL, FAIL], results: ['failure', 'failure'], changedAt: [], done: false,
  },
  {
    name: 'liveness: failure threshold 3 publishes failure and ends the worker', type: 'liveness', timing: { failureThreshold: 3 },
    outcomes: [FAIL, FAIL, FAIL, OK], results: ['success', 'success', 'failure', 'failure'], changedAt: [2], done: true,
  },
  {
    name: 'liveness: successes keep success without a change', type: 'liveness', timing: {},
    outcomes: [OK, OK], results: ['success', 'success'], changedAt: [], done: false,
  },
  {
    name: 'startup: unknown until the first success', type: 'startup', timing: { failureThreshold: 30 },
    outcomes: [FAIL, FAIL, OK], results: ['unknown', 'unknown', 'success'], changedAt: [2], done: false,
  },
  {
    name: 'startup: failure threshold reached publishes failure and ends', type: 'startup', timing: { failureThreshold: 2 },
    outcomes: [FAIL, FAIL], results: ['unknown', 'failure'], changedAt: [1], done: true,
  },
  {
    name: 'warning counts as success', type: 'readiness', timing: {},
    outcomes: [WARN], results: ['success'], changedAt: [0], done: false,
  },
  {
    name: 'unknown without error counts as failure', type: 'liveness', timing: { failureThreshold: 1 },
    outcomes: [UNKNOWN], results: ['failure'], changedAt: [0], done: true,
  },
  {
    name: 'an errored run is thrown away: it neither counts nor breaks a run', type: 'liveness', timing: { failureThreshold: 2 },
    outcomes: [FAIL, ERRORED, FAIL], results: ['success', 'success', 'failure'], changedAt: [2], done: true,
  },
  {
    name: 'errored runs alone never publish', type: 'readiness', timing: { failureThreshold: 1 },
    outcomes: [ERRORED, ERRORED, ERRORED], results: ['failure', 'failure', 'failure'], changedAt: [], done: false,
  },
];

for (const c of runCases) {
  test(`recordOutcome: ${c.name}`, () => {
    const t = { ...probeTiming({}), ...c.timing };
    let s: ProbeWorkerState = newWorkerState(c.type, t, T0);
    const results: string[] = [];
    const changed: number[] = [];
    c.outcomes.forEach((o, i) => {
      const r = recordOutcome(s, t, o);
      s = r.state;
      results.push(s.result);
      if (r.changed) changed.push(i);
    });
    assert.deepEqual(results, c.results);
    assert.deepEqual(changed, c.changedAt);
    assert.equal(s.done, c.done);
  });
}

test('recordOutcome: a done worker ignores further outcomes', () => {
  const t = probeTiming({ failureThreshold: 1 });
  const s = recordOutcome(newWorkerState('liveness', t, T0), t, FAIL).state;
  assert.equal(s.done, true);
  const again = recordOutcome(s, t, OK);
  assert.equal(again.changed, false);
  assert.equal(again.state.result, 'failure');
});

test('stopWorker: publishes the final result, reports a change only when it differs', () => {
  const t = probeTiming({});
  const startup = newWorkerState('startup', t, T0);
  assert.deepEqual(stopWorker(startup, 'success'), { state: { ...startup, done: true, result: 'success' }, changed: true });
  const liveness = newWorkerState('liveness', t, T0);
  assert.equal(stopWorker(liveness, 'success').changed, false);
  assert.equal(stopWorker(liveness).state.result, 'success');
});

test('scheduleNext: ticks a period apart from the first due time; a late tick fires at once, once', () => {
  const t = probeTiming({ initialDelaySeconds: 2, periodSeconds: 5 });
  let s = newWorkerState('readiness', t, T0);
  assert.equal(s.nextAt, T0 + 2_000);
  s = scheduleNext(s, t, T0 + 2_010); // a timer firing 10 ms late does not shift the period
  assert.equal(s.nextAt, T0 + 7_000);
  s = scheduleNext(s, t, T0 + 7_100);
  assert.equal(s.nextAt, T0 + 12_000);
  s = scheduleNext(s, t, T0 + 20_000); // the probe took 8 s: run again now
  assert.equal(s.nextAt, T0 + 20_000);
  s = scheduleNext(s, t, T0 + 20_050);
  assert.equal(s.nextAt, T0 + 25_000);
});

test('triggerNow: moves the next tick to now (never later, never into the initial delay), not for a done worker', () => {
  const t = probeTiming({ periodSeconds: 10 });
  const s = newWorkerState('readiness', t, T0);
  assert.equal(triggerNow(scheduleNext(s, t, T0), t, T0, T0 + 3_000).nextAt, T0 + 3_000);
  assert.equal(triggerNow(s, t, T0, T0 + 3_000).nextAt, T0);
  const delayed = probeTiming({ periodSeconds: 10, initialDelaySeconds: 5 });
  const d = newWorkerState('readiness', delayed, T0);
  assert.equal(triggerNow(d, delayed, T0, T0 + 1_000).nextAt, T0 + 5_000, 'a trigger inside the initial delay waits for its end');
  assert.equal(triggerNow(scheduleNext(d, delayed, T0 + 5_000), delayed, T0, T0 + 7_000).nextAt, T0 + 7_000);
  const done = stopWorker(s).state;
  assert.equal(triggerNow(done, t, T0, T0 + 3_000), done);
});

test('a full liveness life: initial delay, gated by startup, two failures → failure → done', () => {
  const t = probeTiming({ initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 2 });
  let s = newWorkerState('liveness', t, T0);
  const log: string[] = [];
  let started = false;
  for (let i = 0; i < 8 && !s.done; i++) {
    const now = s.nextAt;
    if (now >= T0 + 3_000) started = true;
    const d = decideTick(s, t, { now, startedAt: T0, started, terminating: false });
    if (d.action === 'probe') {
      const r = recordOutcome(s, t, FAIL);
      s = r.state;
      log.push(`${now - T0}:probe:${s.result}`);
    } else {
      log.push(`${now - T0}:${d.action}`);
    }
    s = scheduleNext(s, t, now);
  }
  assert.deepEqual(log, ['1000:skip', '2000:skip', '3000:probe:success', '4000:probe:failure']);
  assert.equal(s.done, true);
});
