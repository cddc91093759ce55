// Sidecar (restartable init container) rows of the planner table. Base: sc (sidecar, running) and init1 (exited 0)
// initialized the pod; app0 and app1 are running; restartPolicy Always.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drop, evaluate, failed, newImage, only, policy, put, sidecarPod, spec, terminating } from './plan-fixtures.js';
import type { PlanCase, Scenario } from './plan-fixtures.js';

const probe = { exec: { command: ['true'] } };
const withStartupProbe = (s: Scenario): void => { spec(s.pod, 'sc').startupProbe = probe; };
const withLivenessProbe = (s: Scenario): void => { spec(s.pod, 'sc').livenessProbe = probe; };
/** Sidecar started, nothing after it yet. */
const sidecarOnly = (s: Scenario): void => only(s, 'sc');
/** init1 (regular) then sc (sidecar) as the LAST init container. */
const sidecarLast = (s: Scenario): void => {
  s.pod.spec.initContainers = [{ name: 'init1', image: 'busybox:1' }, { name: 'sc', image: 'envoy:1', restartPolicy: 'Always' }];
};

const cases: PlanCase[] = [
  { name: 'steady state with a running sidecar: nothing to do', mutate: () => {}, want: {} },

  // ---- start ordering ----
  { name: 'nothing ran yet → sidecar first', mutate: (s) => only(s), want: { initContainersToStart: [0] } },
  { name: 'sidecar running, no startup probe → next init container', mutate: sidecarOnly, want: { initContainersToStart: [1] } },
  { name: 'startup probe not yet run → wait', mutate: (s) => { withStartupProbe(s); sidecarOnly(s); }, want: {} },
  { name: 'startup probe unknown → wait', mutate: (s) => { withStartupProbe(s); sidecarOnly(s); s.probes.startup.set('c-sc', 'unknown'); }, want: {} },
  { name: 'startup probe succeeded → next init container', mutate: (s) => { withStartupProbe(s); sidecarOnly(s); s.probes.startup.set('c-sc', 'success'); }, want: { initContainersToStart: [1] } },
  {
    name: 'startup probe failed, Never → kill and restart the sidecar; next not started',
    mutate: (s) => { policy(s, 'Never'); withStartupProbe(s); sidecarOnly(s); s.probes.startup.set('c-sc', 'failure'); },
    want: { initContainersToStart: [0], containersToKill: [{ id: 'c-sc', name: 'sc', message: 'Init container sc failed startup probe', reason: 'StartupProbe' }] },
  },
  { name: 'regular init after the sidecar running → wait', mutate: (s) => { only(s, 'sc'); put(s, 'init1', 'running'); }, want: {} },
  {
    name: 'sidecar last and started → all apps start in the same sync',
    mutate: (s) => { sidecarLast(s); only(s, 'init1', 'sc'); },
    want: { containersToStart: [0, 1] },
  },
  {
    name: 'sidecar last, startup probe pending → apps wait',
    mutate: (s) => { sidecarLast(s); withStartupProbe(s); only(s, 'init1', 'sc'); },
    want: {},
  },

  // ---- restarts ----
  { name: 'sidecar exited before initialization, Never → restarted', mutate: (s) => { policy(s, 'Never'); only(s); put(s, 'sc', 'exited'); }, want: { initContainersToStart: [0] } },
  { name: 'sidecar exited 1 after initialization, Never → restarted, apps kept', mutate: (s) => { policy(s, 'Never'); failed(s, 'sc'); }, want: { initContainersToStart: [0] } },
  { name: 'sidecar exited 0 after initialization, OnFailure → restarted', mutate: (s) => { policy(s, 'OnFailure'); put(s, 'sc', 'exited'); }, want: { initContainersToStart: [0] } },
  { name: 'sidecar left created → start it again', mutate: (s) => put(s, 'sc', 'created'), want: { initContainersToStart: [0] } },
  { name: 'sidecar status GC\'ed after initialization → restarted', mutate: (s) => drop(s, 'sc'), want: { initContainersToStart: [0] } },
  {
    name: 'sidecar unknown, Never → kill and restart',
    mutate: (s) => { policy(s, 'Never'); put(s, 'sc', 'unknown'); },
    want: { initContainersToStart: [0], containersToKill: [{ id: 'c-sc', name: 'sc', message: 'Init container is in "unknown" state, try killing it before restart', reason: 'Unknown' }] },
  },
  {
    name: 'sidecar liveness failure after initialization → kill and restart, apps kept',
    mutate: (s) => { withLivenessProbe(s); s.probes.liveness.set('c-sc', 'failure'); },
    want: { initContainersToStart: [0], containersToKill: [{ id: 'c-sc', name: 'sc', message: 'Init container sc failed liveness probe', reason: 'LivenessProbe' }] },
  },
  {
    name: 'sidecar liveness failure during initialization does not hold back the next init container',
    mutate: (s) => { withLivenessProbe(s); sidecarOnly(s); s.probes.liveness.set('c-sc', 'failure'); },
    want: { initContainersToStart: [0, 1], containersToKill: [{ id: 'c-sc', name: 'sc', message: 'Init container sc failed liveness probe', reason: 'LivenessProbe' }] },
  },
  { name: 'liveness result for a sidecar without a livenessProbe is ignored', mutate: (s) => { s.probes.liveness.set('c-sc', 'failure'); }, want: {} },
  {
    name: 'sidecar image changed → killed and restarted alone',
    mutate: (s) => newImage(s, 'sc'),
    want: { initContainersToStart: [0], containersToKill: [{ id: 'c-sc', name: 'sc', message: 'Init container sc definition changed', reason: '' }] },
  },
  {
    name: 'sidecar image changed during initialization → restarted, next init still started',
    mutate: (s) => { sidecarOnly(s); newImage(s, 'sc'); },
    want: { initContainersToStart: [0, 1], containersToKill: [{ id: 'c-sc', name: 'sc', message: 'Init container sc definition changed', reason: '' }] },
  },

  // ---- regular init failing behind a sidecar ----
  { name: 'init after a running sidecar failed, Never → killPod', mutate: (s) => { policy(s, 'Never'); only(s, 'sc'); failed(s, 'init1'); }, want: { killPod: true } },
  {
    name: 'init after an exited sidecar failed, OnFailure → restart both, in spec order',
    mutate: (s) => { policy(s, 'OnFailure'); only(s); failed(s, 'sc'); failed(s, 'init1'); },
    want: { initContainersToStart: [0, 1] },
  },

  // ---- the pod's end ----
  { name: 'all apps done, Never, sidecar running → killPod', mutate: (s) => { policy(s, 'Never'); put(s, 'app0', 'exited'); put(s, 'app1', 'exited'); }, want: { killPod: true } },
  {
    name: 'all apps done, OnFailure, sidecar exited → killPod and the sidecar is not restarted',
    mutate: (s) => { policy(s, 'OnFailure'); failed(s, 'sc'); put(s, 'app0', 'exited'); put(s, 'app1', 'exited'); },
    want: { killPod: true },
  },
  { name: 'terminating: exited sidecar not restarted', mutate: (s) => { terminating(s); failed(s, 'sc'); }, want: { killPod: true } },
  { name: 'terminating: sidecar image change ignored', mutate: (s) => { terminating(s); newImage(s, 'sc'); }, want: { killPod: true } },
];

for (const c of cases) {
  test(`computePodActions (sidecars): ${c.name}`, () => {
    const { got, want } = evaluate(sidecarPod, c);
    assert.deepEqual(got, want);
  });
}
