import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodStatus } from '../../api/types.js';
import { activeDeadlineAt, DEADLINE_EXCEEDED, DEADLINE_EXCEEDED_MESSAGE, pastActiveDeadline } from './active-deadline.js';
import { derivePodStatus } from './derive-pod-status.js';
import { podStatusString } from './pod-status-string.js';
import { inst, makePod, probes, sandbox, SEC, spec, T0 } from './fixtures.js';

/** T0 as the apiserver prints it. */
const START = '2026-11-26T22:45:31Z';

function pod(ads: number | undefined, status: PodStatus | undefined): Pod {
  return makePod({ containers: [spec('app')], restartPolicy: 'Always', ...(ads === undefined ? {} : { activeDeadlineSeconds: ads }) },
    status === undefined ? {} : { status });
}

test('activeDeadlineAt / pastActiveDeadline: startTime + activeDeadlineSeconds, reached when now >= it', () => {
  const running: PodStatus = { phase: 'Running', startTime: START };
  const cases: { name: string; pod: Pod; now: number; at: number | undefined; past: boolean }[] = [
    { name: 'before', pod: pod(30, running), now: T0 + 29_999, at: T0 + 30 * SEC, past: false },
    { name: 'exactly at', pod: pod(30, running), now: T0 + 30 * SEC, at: T0 + 30 * SEC, past: true },
    { name: 'after', pod: pod(30, running), now: T0 + 31 * SEC, at: T0 + 30 * SEC, past: true },
    { name: 'no deadline', pod: pod(undefined, running), now: T0 + 10 ** 9, at: undefined, past: false },
    { name: 'no start time', pod: pod(30, { phase: 'Pending' }), now: T0 + 10 ** 9, at: undefined, past: false },
    { name: 'no status at all', pod: pod(30, undefined), now: T0 + 10 ** 9, at: undefined, past: false },
    { name: 'malformed start time', pod: pod(30, { phase: 'Running', startTime: 'yesterday' }), now: T0 + 10 ** 9, at: undefined, past: false },
  ];
  for (const c of cases) {
    assert.equal(activeDeadlineAt(c.pod), c.at, c.name);
    assert.equal(pastActiveDeadline(c.pod, c.now), c.past, c.name);
  }
});

function derive(p: Pod, now: number, appState: 'running' | 'exited' = 'running', podIsTerminal = false): PodStatus {
  return derivePodStatus({
    pod: p,
    runtime: { sandboxes: [sandbox('sb1', 0)], containers: [inst('app', 'app', appState)] },
    startFailures: new Map(),
    probes: probes(),
    podIsTerminal,
    now,
  });
}

test('derivePodStatus past the deadline: Failed, DeadlineExceeded with the kubelet\'s message, not ready, STATUS DeadlineExceeded', () => {
  const before = derive(pod(30, { phase: 'Running', startTime: START }), T0 + 10 * SEC);
  assert.equal(before.phase, 'Running');
  assert.equal(before.reason, undefined);

  const p = pod(30, before);
  const after = derive(p, T0 + 30 * SEC);
  assert.equal(after.phase, 'Failed');
  assert.equal(after.reason, DEADLINE_EXCEEDED);
  assert.equal(after.message, DEADLINE_EXCEEDED_MESSAGE);
  assert.equal(after.startTime, START, 'the start time is kept');
  const ready = after.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.status, 'False');
  assert.equal(ready?.reason, 'PodFailed');
  assert.equal(podStatusString({ ...p, status: after }, T0 + 30 * SEC).status, 'DeadlineExceeded');

  // Once the containers are stopped, the pod stays Failed with the same reason.
  const killed = derive({ ...p, status: after }, T0 + 35 * SEC, 'exited', true);
  assert.deepEqual([killed.phase, killed.reason, killed.message], ['Failed', DEADLINE_EXCEEDED, DEADLINE_EXCEEDED_MESSAGE]);
});

test('derivePodStatus: a pod that ended before its deadline keeps its own end', () => {
  const done = pod(30, { phase: 'Succeeded', startTime: START });
  const s = derive(done, T0 + 60 * SEC, 'exited');
  assert.equal(s.phase, 'Succeeded');
  assert.equal(s.reason, undefined);
  const failed = pod(30, { phase: 'Failed', startTime: START, reason: 'Evicted', message: 'out of memory' });
  const f = derive(failed, T0 + 60 * SEC, 'exited');
  assert.deepEqual([f.phase, f.reason, f.message], ['Failed', 'Evicted', 'out of memory']);
});

test('derivePodStatus: the first status starts the clock, so no deadline is past yet', () => {
  const s = derive(pod(1, undefined), T0 + 3600 * SEC);
  assert.equal(s.phase, 'Running');
  assert.equal(s.startTime, new Date(T0 + 3600 * SEC).toISOString().replace('.000Z', 'Z'));
});
