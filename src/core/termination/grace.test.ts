import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types.js';
import {
  containerGracePeriod, graceAfter, podTerminationGrace, shortenedGrace, shortenedKillAt, shorterGrace, stopWindow,
} from './grace.js';

function pod(extra: { deletion?: number; grace?: number; liveness?: number; startup?: number } = {}): Pod {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'u' },
    spec: {
      containers: [{
        name: 'app', image: 'busybox',
        ...(extra.liveness === undefined ? {} : { livenessProbe: { exec: { command: ['true'] }, terminationGracePeriodSeconds: extra.liveness } }),
        ...(extra.startup === undefined ? {} : { startupProbe: { exec: { command: ['true'] }, terminationGracePeriodSeconds: extra.startup } }),
      }],
    },
  };
  if (extra.grace !== undefined) p.spec.terminationGracePeriodSeconds = extra.grace;
  if (extra.deletion !== undefined) p.metadata.deletionGracePeriodSeconds = extra.deletion;
  return p;
}

test('containerGracePeriod: deletion grace, then the probe\'s for probe kills, then the pod\'s, else 2 s', () => {
  const cases: { name: string; pod: Pod; reason: string; want: number }[] = [
    { name: 'pod grace', pod: pod({ grace: 30 }), reason: '', want: 30 },
    { name: 'deletion grace wins over everything', pod: pod({ grace: 30, deletion: 5, liveness: 3 }), reason: 'LivenessProbe', want: 5 },
    { name: 'deletion grace 0 is kept (the stop window adds the minimum later)', pod: pod({ grace: 30, deletion: 0 }), reason: '', want: 0 },
    { name: 'liveness kill uses the liveness probe grace', pod: pod({ grace: 30, liveness: 7, startup: 9 }), reason: 'LivenessProbe', want: 7 },
    { name: 'startup kill uses the startup probe grace', pod: pod({ grace: 30, liveness: 7, startup: 9 }), reason: 'StartupProbe', want: 9 },
    { name: 'liveness kill without a probe grace: the pod\'s', pod: pod({ grace: 12 }), reason: 'LivenessProbe', want: 12 },
    { name: 'other reasons ignore probe graces', pod: pod({ grace: 12, liveness: 3 }), reason: 'FailedPostStartHook', want: 12 },
    { name: 'no pod grace at all: the minimum', pod: pod({ liveness: 3 }), reason: 'LivenessProbe', want: 2 },
  ];
  for (const c of cases) assert.equal(containerGracePeriod(c.pod, c.pod.spec.containers[0], c.reason), c.want, c.name);
});

test('podTerminationGrace: deletion grace, else the pod\'s, else 30; at least 1', () => {
  assert.equal(podTerminationGrace(pod()), 30);
  assert.equal(podTerminationGrace(pod({ grace: 10 })), 10);
  assert.equal(podTerminationGrace(pod({ grace: 10, deletion: 4 })), 4);
  assert.equal(podTerminationGrace(pod({ grace: 10, deletion: 0 })), 1);
  assert.equal(podTerminationGrace(pod({ grace: 0 })), 1);
});

test('shorterGrace only ever shrinks, and never below 1', () => {
  const cases: [number | undefined, number, number][] = [[undefined, 30, 30], [30, 5, 5], [5, 30, 5], [5, 0, 1], [undefined, 0, 1]];
  for (const [current, requested, want] of cases) assert.equal(shorterGrace(current, requested), want, `${current} then ${requested}`);
});

test('graceAfter takes whole seconds, truncated, off the budget (the kubelet\'s int64 of elapsed seconds)', () => {
  const cases: [number, number, number][] = [
    [30, 0, 30], [30, 999, 30], [30, 1000, 29], [30, 1999, 29], [5, 5003, 0], [5, 7000, -2], [5, -10, 5],
  ];
  for (const [grace, elapsed, want] of cases) assert.equal(graceAfter(grace, elapsed), want, `${grace} s after ${elapsed} ms`);
});

test('stopWindow: what is left, but at least 2 s between the stop signal and SIGKILL', () => {
  const cases: [number, number][] = [[30, 30], [3, 3], [2, 2], [1, 2], [0, 2], [-4, 2]];
  for (const [grace, want] of cases) assert.equal(stopWindow(grace), want, `grace ${grace}`);
});

test('shortenedGrace: a phase ends by now + the new grace unless its own budget ends sooner', () => {
  const cases: { name: string; grace: number; elapsed: number; next: number; want: number }[] = [
    { name: 'at the start of the phase', grace: 30, elapsed: 0, next: 5, want: 5 },
    { name: '10.5 s into a 30 s phase, 2 s more', grace: 30, elapsed: 10_500, next: 2, want: 12 },
    { name: 'a longer grace changes nothing', grace: 10, elapsed: 1_000, next: 30, want: 10 },
    { name: 'grace 0: the phase is over now', grace: 30, elapsed: 3_200, next: 0, want: 3 },
  ];
  for (const c of cases) assert.equal(shortenedGrace(c.grace, c.elapsed, c.next), c.want, c.name);
});

test('shortenedKillAt: SIGKILL at now + the new grace, never sooner than 2 s after the stop signal, never later than planned', () => {
  const cases: { name: string; killAt: number; signalledAt: number; now: number; next: number; want: number }[] = [
    { name: 'long window cut to 1 s from now', killAt: 31_000, signalledAt: 1_000, now: 10_000, next: 1, want: 11_000 },
    { name: 'right after the signal: the 2 s minimum holds', killAt: 31_000, signalledAt: 1_000, now: 1_500, next: 0, want: 3_000 },
    { name: 'a longer grace does not postpone SIGKILL', killAt: 5_000, signalledAt: 3_000, now: 4_000, next: 30, want: 5_000 },
    { name: 'grace 0 long after the signal: SIGKILL now', killAt: 31_000, signalledAt: 1_000, now: 20_000, next: 0, want: 20_000 },
  ];
  for (const c of cases) assert.equal(shortenedKillAt(c.killAt, c.signalledAt, c.now, c.next), c.want, c.name);
});
