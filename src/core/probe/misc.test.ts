// Probe events, and which workers a pod needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types.js';
import { probeEvent } from './events.js';
import { isContainerStarted, wantedWorkers } from './workers.js';

function pod(): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', uid: 'u' },
    spec: {
      terminationGracePeriodSeconds: 30,
      initContainers: [
        { name: 'init', image: 'busybox' },
        { name: 'side', image: 'busybox', restartPolicy: 'Always', startupProbe: { exec: { command: ['true'] }, terminationGracePeriodSeconds: 4 }, readinessProbe: { exec: { command: ['true'] } } },
      ],
      containers: [
        { name: 'app', image: 'busybox', livenessProbe: { exec: { command: ['true'] }, terminationGracePeriodSeconds: 1 }, startupProbe: { exec: { command: ['true'] } } },
        { name: 'plain', image: 'busybox' },
      ],
    },
  };
}

test('probeEvent: the kubelet\'s words', () => {
  assert.deepEqual(probeEvent('liveness', { result: 'failure', output: 'HTTP probe failed with statuscode: 404' }),
    { type: 'Warning', reason: 'Unhealthy', message: 'Liveness probe failed: HTTP probe failed with statuscode: 404' });
  assert.deepEqual(probeEvent('readiness', { result: 'failure', output: '' }), { type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: ' });
  assert.deepEqual(probeEvent('startup', { result: 'failure', output: 'not yet\n' }), { type: 'Warning', reason: 'Unhealthy', message: 'Startup probe failed: not yet\n' });
  assert.deepEqual(probeEvent('readiness', { result: 'warning', output: 'Probe terminated redirects, Response body: ' }),
    { type: 'Warning', reason: 'ProbeWarning', message: 'Readiness probe warning: Probe terminated redirects, Response body: ' });
  assert.deepEqual(probeEvent('liveness', { result: 'unknown', output: '', error: 'strconv.Atoi: parsing "x": invalid syntax' }),
    { type: 'Warning', reason: 'Unhealthy', message: 'Liveness probe errored and resulted in unknown state: strconv.Atoi: parsing "x": invalid syntax' });
  assert.equal(probeEvent('liveness', { result: 'success', output: 'ok' }), undefined);
  assert.equal(probeEvent('liveness', { result: 'unknown', output: '' }), undefined);
});

test('wantedWorkers: running app containers and sidecars, one per declared probe; never regular init containers', () => {
  const p = pod();
  const got = wantedWorkers(p, [
    { id: 'i1', name: 'init', role: 'init', state: 'running', startedAt: 1 },
    { id: 's1', name: 'side', role: 'init', state: 'running', startedAt: 2 },
    { id: 'a1', name: 'app', role: 'app', state: 'running', startedAt: 3 },
    { id: 'a0', name: 'app', role: 'app', state: 'exited', startedAt: 0 },
    { id: 'p1', name: 'plain', role: 'app', state: 'running', startedAt: 4 },
    { id: 'c1', name: 'app', role: 'app', state: 'created' },
    { id: 'x1', name: 'POD', role: 'sandbox', state: 'running', startedAt: 0 },
  ]).map((w) => `${w.key}@${w.startedAt}:${w.kind}`);
  assert.deepEqual(got, ['s1/startup@2:init', 's1/readiness@2:init', 'a1/startup@3:app', 'a1/liveness@3:app']);
  assert.deepEqual(wantedWorkers(p, [{ id: 'a1', name: 'app', role: 'app', state: 'running', startedAt: 3 }], new Set(['a1'])), [], 'skipped ids (seen exiting)');
});

test('isContainerStarted: no startup probe, or its success', () => {
  const p = pod();
  const [app, plain] = p.spec.containers;
  assert.ok(app && plain);
  assert.equal(isContainerStarted(plain, undefined), true);
  assert.equal(isContainerStarted(app, undefined), false);
  assert.equal(isContainerStarted(app, 'unknown'), false);
  assert.equal(isContainerStarted(app, 'failure'), false);
  assert.equal(isContainerStarted(app, 'success'), true);
});
