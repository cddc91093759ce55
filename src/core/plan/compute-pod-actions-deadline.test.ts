// activeDeadlineSeconds rows of the planner table. Base: init0, init1 done, app0 and app1 running, restartPolicy
// Always; the pod started at 2026-01-01T00:00:00Z.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, failed, policy, put, regularInitPod, sandbox } from './plan-fixtures.js';
import type { PlanCase, Scenario } from './plan-fixtures.js';

const START = '2026-01-01T00:00:00Z';
const START_MS = 1_767_225_600_000;

/** activeDeadlineSeconds `seconds`, the pod started at START, and the sync `afterMs` after it. */
function deadline(s: Scenario, seconds: number | undefined, afterMs: number | undefined): void {
  if (seconds !== undefined) s.pod.spec.activeDeadlineSeconds = seconds;
  s.pod.status = { phase: 'Running', startTime: START };
  if (afterMs !== undefined) s.now = START_MS + afterMs;
}

const cases: PlanCase[] = [
  { name: 'before the deadline: nothing to do', mutate: (s) => deadline(s, 60, 59_999), want: {} },
  { name: 'at the deadline (now - startTime >= activeDeadlineSeconds): kill the pod', mutate: (s) => deadline(s, 60, 60_000), want: { killPod: true } },
  { name: 'past the deadline: kill the pod', mutate: (s) => deadline(s, 60, 600_000), want: { killPod: true } },
  { name: 'no deadline: nothing to do, however late', mutate: (s) => deadline(s, undefined, 10 ** 9), want: {} },
  { name: 'no time given: the deadline is not checked', mutate: (s) => deadline(s, 1, undefined), want: {} },
  {
    name: 'no start time yet: the deadline has not begun',
    mutate: (s) => { deadline(s, 1, 600_000); s.pod.status = { phase: 'Pending' }; },
    want: {},
  },
  {
    name: 'past the deadline, an app exited under Always: killed, not restarted',
    mutate: (s) => { deadline(s, 60, 61_000); failed(s, 'app0'); },
    want: { killPod: true },
  },
  {
    name: 'past the deadline with a dead sandbox: no new sandbox, no init containers re-run',
    mutate: (s) => { deadline(s, 60, 61_000); s.runtime.sandboxes = [sandbox('sb1', 0, 'notready')]; put(s, 'app0', 'exited'); put(s, 'app1', 'exited'); },
    want: { killPod: true, createSandbox: false, attempt: 1 },
  },
  {
    name: 'a shortened deadline (pod update) applies at once',
    mutate: (s) => { deadline(s, 3600, 30_000); s.pod.spec.activeDeadlineSeconds = 30; },
    want: { killPod: true },
  },
  {
    name: 'past the deadline under Never while initializing: killed, init1 not started',
    mutate: (s) => { deadline(s, 5, 5_000); policy(s, 'Never'); s.runtime.containers = s.runtime.containers.filter((c) => c.name === 'init0'); },
    want: { killPod: true },
  },
];

for (const c of cases) {
  test(`computePodActions (activeDeadlineSeconds): ${c.name}`, () => {
    const { got, want } = evaluate(regularInitPod, c);
    assert.deepEqual(got, want);
  });
}

test('the fixture start time is the epoch ms of START', () => {
  assert.equal(new Date(START).getTime(), START_MS);
});
