// Table tests of computePodActions, as the kubelet's kuberuntime_manager_test: one base pod and runtime (fully
// initialized, every app running), a mutation per case, the exact plan expected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObservedContainer } from '../pod-runtime.js';
import { isInitContainerFailed, podSandboxChanged } from './compute-pod-actions.js';
import {
  drop, evaluate, failed, inst, newImage, only, policy, put, regularInitPod, sandbox, terminating,
} from './plan-fixtures.js';
import type { PlanCase, Scenario } from './plan-fixtures.js';

const unknownMsg = (what: string): string => `${what} is in "unknown" state, try killing it before restart`;

/** The pod was rebooted/its pause died: sb1 is gone, sb2 (attempt 1) is the new, ready sandbox. */
function movedToNewSandbox(s: Scenario): void {
  s.runtime.sandboxes = [sandbox('sb1', 0, 'notready'), sandbox('sb2', 1)];
  for (const c of s.runtime.containers) if (c.state === 'running') Object.assign(c, { state: 'exited', exitCode: 137, reason: 'Error', finishedAt: c.createdAt + 1 });
}

const cases: PlanCase[] = [
  { name: 'steady state: nothing to do', mutate: () => {}, want: {} },

  // ---- first start ----
  {
    name: 'fresh pod: no sandbox → kill (no-op), create attempt 0, init 0',
    mutate: (s) => { s.runtime = { sandboxes: [], containers: [] }; },
    want: { killPod: true, createSandbox: true, sandboxId: '', attempt: 0, initContainersToStart: [0] },
  },
  {
    name: 'fresh pod without init containers → create sandbox and start all apps',
    mutate: (s) => { delete s.pod.spec.initContainers; s.runtime = { sandboxes: [], containers: [] }; },
    want: { killPod: true, createSandbox: true, sandboxId: '', attempt: 0, containersToStart: [0, 1] },
  },
  { name: 'sandbox ready, nothing ran yet → init 0', mutate: (s) => only(s), want: { initContainersToStart: [0] } },
  { name: 'init 0 running → wait', mutate: (s) => { only(s); put(s, 'init0', 'running'); }, want: {} },
  { name: 'init 0 done → init 1', mutate: (s) => only(s, 'init0'), want: { initContainersToStart: [1] } },
  { name: 'init 1 running → wait', mutate: (s) => { only(s, 'init0'); put(s, 'init1', 'running'); }, want: {} },
  { name: 'last init done → start all apps', mutate: (s) => only(s, 'init0', 'init1'), want: { containersToStart: [0, 1] } },
  { name: 'last init done, init 0 garbage-collected → start all apps', mutate: (s) => only(s, 'init1'), want: { containersToStart: [0, 1] } },
  { name: 'no init containers, sandbox ready, nothing ran → start all apps', mutate: (s) => { delete s.pod.spec.initContainers; only(s); }, want: { containersToStart: [0, 1] } },

  // ---- init failures per restartPolicy ----
  { name: 'init failed, Never → killPod, nothing to start', mutate: (s) => { policy(s, 'Never'); only(s); failed(s, 'init0'); }, want: { killPod: true } },
  { name: 'init failed, OnFailure → restart the same init', mutate: (s) => { policy(s, 'OnFailure'); only(s); failed(s, 'init0'); }, want: { initContainersToStart: [0] } },
  { name: 'init failed, Always → restart the same init', mutate: (s) => { only(s); failed(s, 'init0'); }, want: { initContainersToStart: [0] } },
  { name: 'second init failed, OnFailure → restart only it', mutate: (s) => { policy(s, 'OnFailure'); only(s, 'init0'); failed(s, 'init1', 2); }, want: { initContainersToStart: [1] } },
  {
    name: 'init OOMKilled with exit 0 counts as failed (Never → killPod)',
    mutate: (s) => { policy(s, 'Never'); only(s); put(s, 'init0', 'exited', { exitCode: 0, reason: 'OOMKilled' }); },
    want: { killPod: true },
  },
  {
    name: 'init OOMKilled with exit 0 counts as failed (Always → restart)',
    mutate: (s) => { only(s); put(s, 'init0', 'exited', { exitCode: 0, reason: 'OOMKilled' }); },
    want: { initContainersToStart: [0] },
  },
  {
    name: 'init unknown, Always → kill it and start it again',
    mutate: (s) => { only(s); put(s, 'init0', 'unknown'); },
    want: { initContainersToStart: [0], containersToKill: [{ id: 'c-init0', name: 'init0', message: unknownMsg('Init container'), reason: 'Unknown' }] },
  },
  { name: 'init unknown, Never → killPod', mutate: (s) => { policy(s, 'Never'); only(s); put(s, 'init0', 'unknown'); }, want: { killPod: true } },
  { name: 'init left created → start it again', mutate: (s) => { only(s); put(s, 'init0', 'created'); }, want: { initContainersToStart: [0] } },

  // ---- init containers after the fact ----
  { name: 'running init with a new image is left to finish', mutate: (s) => { only(s); put(s, 'init0', 'running'); newImage(s, 'init0'); }, want: {} },
  { name: 'completed init with a new image: nothing', mutate: (s) => newImage(s, 'init0'), want: {} },
  { name: 'init containers GC\'ed after initialization are not re-run', mutate: (s) => drop(s, 'init0', 'init1'), want: {} },
  { name: 'failed older init instance is ignored once the pod initialized', mutate: (s) => { s.runtime.containers.push(inst(s.pod, 'init0', 'exited', { id: 'c-init0-b', exitCode: 1 })); }, want: {} },

  // ---- app exits per restartPolicy ----
  { name: 'app exited 1, Always → restart', mutate: (s) => failed(s, 'app0'), want: { containersToStart: [0] } },
  { name: 'app exited 0, Always → restart', mutate: (s) => put(s, 'app0', 'exited'), want: { containersToStart: [0] } },
  { name: 'app exited 1, OnFailure → restart', mutate: (s) => { policy(s, 'OnFailure'); failed(s, 'app0'); }, want: { containersToStart: [0] } },
  { name: 'app exited 0, OnFailure → not restarted', mutate: (s) => { policy(s, 'OnFailure'); put(s, 'app0', 'exited'); }, want: {} },
  { name: 'app exited 1, Never → not restarted', mutate: (s) => { policy(s, 'Never'); failed(s, 'app0'); }, want: {} },
  { name: 'all apps exited 0, OnFailure → killPod', mutate: (s) => { policy(s, 'OnFailure'); put(s, 'app0', 'exited'); put(s, 'app1', 'exited'); }, want: { killPod: true } },
  { name: 'all apps done, Never → killPod', mutate: (s) => { policy(s, 'Never'); put(s, 'app0', 'exited'); failed(s, 'app1'); }, want: { killPod: true } },
  { name: 'all apps exited, Always → restart all', mutate: (s) => { failed(s, 'app0'); put(s, 'app1', 'exited'); }, want: { containersToStart: [0, 1] } },
  { name: 'app left created → start it again', mutate: (s) => put(s, 'app0', 'created'), want: { containersToStart: [0] } },
  {
    name: 'app unknown → kill it and start it again',
    mutate: (s) => put(s, 'app0', 'unknown'),
    want: { containersToStart: [0], containersToKill: [{ id: 'c-app0', name: 'app0', message: unknownMsg('Container'), reason: 'Unknown' }] },
  },
  {
    name: 'app unknown, Never → still killed and started (never known to have run to the end)',
    mutate: (s) => { policy(s, 'Never'); put(s, 'app0', 'unknown'); },
    want: { containersToStart: [0], containersToKill: [{ id: 'c-app0', name: 'app0', message: unknownMsg('Container'), reason: 'Unknown' }] },
  },
  { name: 'app with no instance at all is started, even under Never', mutate: (s) => { policy(s, 'Never'); drop(s, 'app0'); }, want: { containersToStart: [0] } },

  // ---- running apps: spec change and probes ----
  {
    name: 'image change of a running app, Never → killed and restarted',
    mutate: (s) => { policy(s, 'Never'); newImage(s, 'app0'); },
    want: { containersToStart: [0], containersToKill: [{ id: 'c-app0', name: 'app0', message: 'Container app0 definition changed, will be restarted', reason: '' }] },
  },
  {
    name: 'image change of a running app, Always → killed and restarted, others untouched',
    mutate: (s) => newImage(s, 'app1'),
    want: { containersToStart: [1], containersToKill: [{ id: 'c-app1', name: 'app1', message: 'Container app1 definition changed, will be restarted', reason: '' }] },
  },
  {
    name: 'liveness failure, Always → kill and restart',
    mutate: (s) => { s.probes.liveness.set('c-app0', 'failure'); },
    want: { containersToStart: [0], containersToKill: [{ id: 'c-app0', name: 'app0', message: 'Container app0 failed liveness probe, will be restarted', reason: 'LivenessProbe' }] },
  },
  {
    name: 'liveness failure, Never → kill, no restart',
    mutate: (s) => { policy(s, 'Never'); s.probes.liveness.set('c-app0', 'failure'); },
    want: { containersToKill: [{ id: 'c-app0', name: 'app0', message: 'Container app0 failed liveness probe', reason: 'LivenessProbe' }] },
  },
  {
    name: 'liveness failure of every app, Never → killPod',
    mutate: (s) => { policy(s, 'Never'); s.probes.liveness.set('c-app0', 'failure').set('c-app1', 'failure'); },
    want: {
      killPod: true,
      containersToKill: [
        { id: 'c-app0', name: 'app0', message: 'Container app0 failed liveness probe', reason: 'LivenessProbe' },
        { id: 'c-app1', name: 'app1', message: 'Container app1 failed liveness probe', reason: 'LivenessProbe' },
      ],
    },
  },
  {
    name: 'startup failure, OnFailure → kill and restart',
    mutate: (s) => { policy(s, 'OnFailure'); s.probes.startup.set('c-app1', 'failure'); },
    want: { containersToStart: [1], containersToKill: [{ id: 'c-app1', name: 'app1', message: 'Container app1 failed startup probe, will be restarted', reason: 'StartupProbe' }] },
  },
  {
    name: 'definition change wins over a liveness failure',
    mutate: (s) => { newImage(s, 'app0'); s.probes.liveness.set('c-app0', 'failure'); },
    want: { containersToStart: [0], containersToKill: [{ id: 'c-app0', name: 'app0', message: 'Container app0 definition changed, will be restarted', reason: '' }] },
  },
  {
    name: 'unknown liveness, failing readiness → keep running',
    mutate: (s) => { s.probes.liveness.set('c-app0', 'unknown'); s.probes.readiness.set('c-app0', 'failure'); s.probes.startup.set('c-app1', 'unknown'); },
    want: {},
  },
  { name: 'probe results of an old instance do not apply to the new one', mutate: (s) => { s.probes.liveness.set('c-app0-old', 'failure'); }, want: {} },

  // ---- terminating ----
  { name: 'terminating: crashed app not restarted', mutate: (s) => { terminating(s); failed(s, 'app0'); }, want: { killPod: true } },
  { name: 'terminating: image change ignored', mutate: (s) => { terminating(s); newImage(s, 'app0'); }, want: { killPod: true } },
  { name: 'terminating: failed init not retried', mutate: (s) => { terminating(s); only(s); failed(s, 'init0'); }, want: { killPod: true } },
  {
    name: 'terminating with a dead sandbox: no new sandbox',
    mutate: (s) => { terminating(s); s.runtime.sandboxes = [sandbox('sb1', 0, 'notready')]; },
    want: { killPod: true, attempt: 1 },
  },

  // ---- sandbox changed ----
  {
    name: 'sandbox not ready, Always → killPod, new sandbox attempt 1, init 0',
    mutate: (s) => { s.runtime.sandboxes = [sandbox('sb1', 0, 'notready')]; },
    want: { killPod: true, createSandbox: true, attempt: 1, initContainersToStart: [0] },
  },
  {
    name: 'sandbox not ready, Never, containers created → killPod, no new sandbox',
    mutate: (s) => { policy(s, 'Never'); s.runtime.sandboxes = [sandbox('sb1', 0, 'notready')]; },
    want: { killPod: true, attempt: 1 },
  },
  {
    name: 'sandbox not ready, Never, only an init had run → killPod, no new sandbox',
    mutate: (s) => { policy(s, 'Never'); only(s); put(s, 'init0', 'exited', { exitCode: 137 }); s.runtime.sandboxes = [sandbox('sb1', 0, 'notready')]; },
    want: { killPod: true, attempt: 1 },
  },
  {
    name: 'sandbox not ready, Never, nothing created yet → new sandbox',
    mutate: (s) => { policy(s, 'Never'); only(s); s.runtime.sandboxes = [sandbox('sb1', 0, 'notready')]; },
    want: { killPod: true, createSandbox: true, attempt: 1, initContainersToStart: [0] },
  },
  {
    name: 'no sandbox record at all, Never, containers known → attempt 0 is created',
    mutate: (s) => { policy(s, 'Never'); s.runtime.sandboxes = []; },
    want: { killPod: true, createSandbox: true, sandboxId: '', attempt: 0, initContainersToStart: [0] },
  },
  {
    name: 'sandbox not ready, OnFailure, all apps succeeded → killPod, no new sandbox',
    mutate: (s) => { policy(s, 'OnFailure'); put(s, 'app0', 'exited'); put(s, 'app1', 'exited'); s.runtime.sandboxes = [sandbox('sb1', 0, 'notready')]; },
    want: { killPod: true, attempt: 1 },
  },
  {
    name: 'sandbox not ready, OnFailure, one app failed → new sandbox, init 0',
    mutate: (s) => { policy(s, 'OnFailure'); failed(s, 'app0'); put(s, 'app1', 'exited'); s.runtime.sandboxes = [sandbox('sb1', 0, 'notready')]; },
    want: { killPod: true, createSandbox: true, attempt: 1, initContainersToStart: [0] },
  },
  {
    name: 'sandbox not ready, no init containers, Always → new sandbox, all apps',
    mutate: (s) => { delete s.pod.spec.initContainers; drop(s, 'init0', 'init1'); s.runtime.sandboxes = [sandbox('sb1', 0, 'notready')]; },
    want: { killPod: true, createSandbox: true, attempt: 1, containersToStart: [0, 1] },
  },
  {
    name: 'sandbox not ready, no init containers, OnFailure → only apps not yet succeeded',
    mutate: (s) => { policy(s, 'OnFailure'); delete s.pod.spec.initContainers; drop(s, 'init0', 'init1'); put(s, 'app0', 'exited'); s.runtime.sandboxes = [sandbox('sb1', 0, 'notready')]; },
    want: { killPod: true, createSandbox: true, attempt: 1, containersToStart: [1] },
  },
  {
    name: 'two ready sandboxes → start over in a new one after the latest',
    mutate: (s) => { s.runtime.sandboxes.push(sandbox('sb2', 1)); },
    want: { killPod: true, createSandbox: true, sandboxId: 'sb2', attempt: 2, initContainersToStart: [0] },
  },
  {
    name: 'new sandbox: init instances of the old generation are ignored → init 0',
    mutate: movedToNewSandbox,
    want: { sandboxId: 'sb2', attempt: 1, initContainersToStart: [0] },
  },
  {
    name: 'new sandbox: init 0 done in the new generation → init 1',
    mutate: (s) => { movedToNewSandbox(s); s.runtime.containers.push(inst(s.pod, 'init0', 'exited', { id: 'c-init0-b', sandboxId: 'sb2' })); },
    want: { sandboxId: 'sb2', attempt: 1, initContainersToStart: [1] },
  },
  {
    name: 'new sandbox, OnFailure: after re-init only the app that had not succeeded is started',
    mutate: (s) => {
      policy(s, 'OnFailure');
      failed(s, 'app1');
      put(s, 'app0', 'exited');
      movedToNewSandbox(s);
      for (const n of ['init0', 'init1']) s.runtime.containers.push(inst(s.pod, n, 'exited', { id: `c-${n}-b`, sandboxId: 'sb2' }));
    },
    want: { sandboxId: 'sb2', attempt: 1, containersToStart: [1] },
  },
];

for (const c of cases) {
  test(`computePodActions: ${c.name}`, () => {
    const { got, want } = evaluate(regularInitPod, c);
    assert.deepEqual(got, want);
  });
}

test('podSandboxChanged', () => {
  const pod = regularInitPod();
  const table: { name: string; sandboxes: ReturnType<typeof sandbox>[]; want: ReturnType<typeof podSandboxChanged> }[] = [
    { name: 'none', sandboxes: [], want: { createNew: true, attempt: 0, sandboxId: '' } },
    { name: 'one ready', sandboxes: [sandbox('a', 2)], want: { createNew: false, attempt: 2, sandboxId: 'a' } },
    { name: 'latest not ready', sandboxes: [sandbox('a', 0), sandbox('b', 1, 'notready')], want: { createNew: true, attempt: 2, sandboxId: 'b' } },
    { name: 'latest ready, older stopped', sandboxes: [sandbox('a', 0, 'notready'), sandbox('b', 1)], want: { createNew: false, attempt: 1, sandboxId: 'b' } },
    { name: 'two ready', sandboxes: [sandbox('b', 1), sandbox('a', 0)], want: { createNew: true, attempt: 2, sandboxId: 'b' } },
  ];
  for (const t of table) assert.deepEqual(podSandboxChanged(pod, { sandboxes: t.sandboxes, containers: [] }), t.want, t.name);
});

test('isInitContainerFailed', () => {
  const pod = regularInitPod();
  const table: { name: string; st: ObservedContainer; want: boolean }[] = [
    { name: 'exited 0', st: inst(pod, 'init0', 'exited'), want: false },
    { name: 'exited 1', st: inst(pod, 'init0', 'exited', { exitCode: 1 }), want: true },
    { name: 'OOMKilled, exit 0', st: inst(pod, 'init0', 'exited', { exitCode: 0, reason: 'OOMKilled' }), want: true },
    { name: 'unknown', st: inst(pod, 'init0', 'unknown'), want: true },
    { name: 'running', st: inst(pod, 'init0', 'running'), want: false },
    { name: 'created', st: inst(pod, 'init0', 'created'), want: false },
  ];
  for (const t of table) assert.equal(isInitContainerFailed(t.st), t.want, t.name);
});
