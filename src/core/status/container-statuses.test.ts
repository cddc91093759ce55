import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod } from '../../api/types.js';
import type { ObservedContainer, PodRuntimeStatus, StartFailure } from '../pod-runtime.js';
import { convertContainerStatuses, withProbeResults } from './container-statuses.js';
import type { ContainerListKind } from './container-statuses.js';
import { cs, inst, makePod, probes, running, sandbox, sidecarSpec, spec, terminated, waiting } from './fixtures.js';

// Base: init-1 + app, restartPolicy Always, one ready sandbox, nothing created yet.
function basePod(): Pod {
  return makePod({ initContainers: [spec('init-1')], containers: [spec('app')], restartPolicy: 'Always' });
}

interface World { pod: Pod; runtime: PodRuntimeStatus; failures: Map<string, StartFailure> }

interface Case {
  name: string;
  mutate: (w: World) => void;
  kind: ContainerListKind;
  want: ContainerStatus[];
}

const add = (w: World, ...cs: ObservedContainer[]) => { w.runtime.containers.push(...cs); };
const fail = (w: World, name: string, reason: string, message = `${reason} for ${name}`) => { w.failures.set(name, { reason, message }); };

// The expected output for an instance created at offset `created` seconds (see fixtures.inst).
const at = (seconds: number) => new Date(Date.UTC(2026, 10, 26, 22, 45, 31) + seconds * 1000).toISOString().replace('.000Z', 'Z');
const exited = (name: string, created: number, exitCode: number, reason: string) => ({
  terminated: { exitCode, reason, startedAt: at(created + 1), finishedAt: at(created + 5), containerID: `runc://${name}-${created}` },
});
const fromInst = (name: string, created: number, o: Partial<ContainerStatus>): ContainerStatus =>
  cs(name, {}, { imageID: `sha256:${name}`, containerID: `runc://${name}-${created}`, ...o });

const cases: Case[] = [
  {
    name: 'nothing created, pod has init containers: PodInitializing everywhere',
    mutate: () => {},
    kind: 'init',
    want: [cs('init-1', waiting('PodInitializing'))],
  },
  { name: 'app before initialization: PodInitializing', mutate: () => {}, kind: 'app', want: [cs('app', waiting('PodInitializing'))] },
  {
    name: 'pod without init containers: ContainerCreating',
    mutate: (w) => { delete w.pod.spec.initContainers; },
    kind: 'app',
    want: [cs('app', waiting('ContainerCreating'))],
  },
  {
    name: 'created → waiting with no reason',
    mutate: (w) => add(w, inst('init-1', 'init', 'created')),
    kind: 'init',
    want: [fromInst('init-1', 0, { state: { waiting: {} } })],
  },
  {
    name: 'running → running{startedAt}',
    mutate: (w) => add(w, inst('init-1', 'init', 'running')),
    kind: 'init',
    want: [fromInst('init-1', 0, { state: { running: { startedAt: at(1) } } })],
  },
  {
    name: 'exited 0 → terminated Completed with times and containerID',
    mutate: (w) => add(w, inst('init-1', 'init', 'exited')),
    kind: 'init',
    want: [fromInst('init-1', 0, { state: exited('init-1', 0, 0, 'Completed') })],
  },
  {
    name: 'runtime reason and message are kept (OOMKilled)',
    mutate: (w) => add(w, inst('app', 'app', 'exited', { exitCode: 137, reason: 'OOMKilled', message: 'oom' })),
    kind: 'app',
    want: [fromInst('app', 0, { state: { terminated: { ...exited('app', 0, 137, 'OOMKilled').terminated, message: 'oom' } } })],
  },
  {
    name: 'an exit without runtime reason gets Error (as containerd fills it)',
    mutate: (w) => add(w, inst('app', 'app', 'exited', { exitCode: 2 })),
    kind: 'app',
    want: [fromInst('app', 0, { state: exited('app', 0, 2, 'Error') })],
  },
  {
    name: 'restarted: latest is state, previous is lastState, restartCount from latest',
    mutate: (w) => add(w, inst('app', 'app', 'exited', { exitCode: 1 }), inst('app', 'app', 'running', { created: 10, restartCount: 1 })),
    kind: 'app',
    want: [fromInst('app', 10, { state: { running: { startedAt: at(11) } }, lastState: exited('app', 0, 1, 'Error'), restartCount: 1 })],
  },
  {
    name: 'at most two instances are used',
    mutate: (w) => add(w,
      inst('app', 'app', 'exited', { exitCode: 7 }),
      inst('app', 'app', 'exited', { created: 10, restartCount: 1, exitCode: 1 }),
      inst('app', 'app', 'running', { created: 20, restartCount: 2 })),
    kind: 'app',
    want: [fromInst('app', 20, { state: { running: { startedAt: at(21) } }, lastState: exited('app', 10, 1, 'Error'), restartCount: 2 })],
  },
  {
    name: 'crash-looping app: the start failure becomes Waiting and the termination moves to lastState',
    mutate: (w) => { add(w, inst('app', 'app', 'exited', { exitCode: 1, restartCount: 3 })); fail(w, 'app', 'CrashLoopBackOff', 'back-off 40s restarting failed container=app'); },
    kind: 'app',
    want: [fromInst('app', 0, {
      state: waiting('CrashLoopBackOff', 'back-off 40s restarting failed container=app'), lastState: exited('app', 0, 1, 'Error'), restartCount: 3,
    })],
  },
  {
    name: 'restartPolicy Never: no restart, so the failure is not shown',
    mutate: (w) => { w.pod.spec.restartPolicy = 'Never'; add(w, inst('app', 'app', 'exited', { exitCode: 1 })); fail(w, 'app', 'CrashLoopBackOff'); },
    kind: 'app',
    want: [fromInst('app', 0, { state: exited('app', 0, 1, 'Error') })],
  },
  {
    name: 'restartPolicy OnFailure after exit 0: not restarted, stays Completed',
    mutate: (w) => { w.pod.spec.restartPolicy = 'OnFailure'; add(w, inst('app', 'app', 'exited')); fail(w, 'app', 'CrashLoopBackOff'); },
    kind: 'app',
    want: [fromInst('app', 0, { state: exited('app', 0, 0, 'Completed') })],
  },
  {
    name: 'restartPolicy OnFailure after exit 1: restarted, shows the back-off',
    mutate: (w) => { w.pod.spec.restartPolicy = 'OnFailure'; add(w, inst('app', 'app', 'exited', { exitCode: 1 })); fail(w, 'app', 'CrashLoopBackOff', 'm'); },
    kind: 'app',
    want: [fromInst('app', 0, { state: waiting('CrashLoopBackOff', 'm'), lastState: exited('app', 0, 1, 'Error') })],
  },
  {
    name: 'image pull failure before any instance: Waiting, empty lastState',
    mutate: (w) => fail(w, 'app', 'ErrImagePull', 'pull access denied'),
    kind: 'app',
    want: [cs('app', waiting('ErrImagePull', 'pull access denied'))],
  },
  {
    name: 'a running container ignores a stale start failure',
    mutate: (w) => { add(w, inst('app', 'app', 'running')); fail(w, 'app', 'CrashLoopBackOff'); },
    kind: 'app',
    want: [fromInst('app', 0, { state: { running: { startedAt: at(1) } } })],
  },
  {
    name: 'a created container with a failed start shows the failure',
    mutate: (w) => { add(w, inst('app', 'app', 'created')); fail(w, 'app', 'RunContainerError', 'exec: not found'); },
    kind: 'app',
    want: [fromInst('app', 0, { state: waiting('RunContainerError', 'exec: not found') })],
  },
  {
    name: 'deleted pod: nothing will restart, so failures are not shown',
    mutate: (w) => { w.pod.metadata.deletionTimestamp = at(100); add(w, inst('app', 'app', 'exited', { exitCode: 1 })); fail(w, 'app', 'CrashLoopBackOff'); },
    kind: 'app',
    want: [fromInst('app', 0, { state: exited('app', 0, 1, 'Error') })],
  },
  {
    name: 'init exited 0 never shows a start failure',
    mutate: (w) => { add(w, inst('init-1', 'init', 'exited')); fail(w, 'init-1', 'CrashLoopBackOff'); },
    kind: 'init',
    want: [fromInst('init-1', 0, { state: exited('init-1', 0, 0, 'Completed') })],
  },
  {
    name: 'init crash-looping under Always',
    mutate: (w) => { add(w, inst('init-1', 'init', 'exited', { exitCode: 1 })); fail(w, 'init-1', 'CrashLoopBackOff', 'm'); },
    kind: 'init',
    want: [fromInst('init-1', 0, { state: waiting('CrashLoopBackOff', 'm'), lastState: exited('init-1', 0, 1, 'Error') })],
  },
  {
    name: 'init failed under Never stays terminated',
    mutate: (w) => { w.pod.spec.restartPolicy = 'Never'; add(w, inst('init-1', 'init', 'exited', { exitCode: 1 })); fail(w, 'init-1', 'CrashLoopBackOff'); },
    kind: 'init',
    want: [fromInst('init-1', 0, { state: exited('init-1', 0, 1, 'Error') })],
  },
  {
    name: 'init image pull failure under Never still shows Waiting (never ran)',
    mutate: (w) => { w.pod.spec.restartPolicy = 'Never'; fail(w, 'init-1', 'ImagePullBackOff', 'Back-off pulling image'); },
    kind: 'init',
    want: [cs('init-1', waiting('ImagePullBackOff', 'Back-off pulling image'))],
  },
  {
    name: 'a sidecar restarts whatever the pod policy, so its back-off shows even under Never',
    mutate: (w) => {
      w.pod.spec.restartPolicy = 'Never';
      w.pod.spec.initContainers = [sidecarSpec('sc')];
      add(w, inst('sc', 'init', 'exited', { exitCode: 1 }));
      fail(w, 'sc', 'CrashLoopBackOff', 'm');
    },
    kind: 'init',
    want: [fromInst('sc', 0, { state: waiting('CrashLoopBackOff', 'm'), lastState: exited('sc', 0, 1, 'Error') })],
  },
  {
    name: 'init instance gone after the app was created: assumed Completed',
    mutate: (w) => add(w, inst('app', 'app', 'running', { created: 10 })),
    kind: 'init',
    want: [cs('init-1', {
      terminated: {
        exitCode: 0, reason: 'Completed',
        message: 'Unable to get init container status from container runtime and pod has been initialized, treat it as exited normally',
      },
    })],
  },
  {
    name: 'a sidecar whose instance is gone is not assumed Completed',
    mutate: (w) => { w.pod.spec.initContainers = [sidecarSpec('sc')]; add(w, inst('app', 'app', 'running', { created: 10 })); },
    kind: 'init',
    want: [cs('sc', waiting('PodInitializing'))],
  },
  {
    name: 'a previous terminated status is kept whole when its instance was removed',
    mutate: (w) => {
      w.pod.status = { phase: 'Running', initContainerStatuses: [fromInst('init-1', 0, { state: exited('init-1', 0, 0, 'Completed'), ready: true, started: false })] };
    },
    kind: 'init',
    want: [fromInst('init-1', 0, { state: exited('init-1', 0, 0, 'Completed'), ready: true, started: false })],
  },
  {
    name: 'unknown state after running: ContainerStatusUnknown, exit 137, restartCount + 1',
    mutate: (w) => {
      w.pod.status = { phase: 'Running', containerStatuses: [cs('app', running(), { restartCount: 2 })] };
      add(w, inst('app', 'app', 'unknown', { restartCount: 2 }));
    },
    kind: 'app',
    want: [fromInst('app', 0, {
      state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated' } },
      restartCount: 3,
    })],
  },
  {
    name: 'unknown state without a running past: waiting with no reason',
    mutate: (w) => add(w, inst('app', 'app', 'unknown')),
    kind: 'app',
    want: [fromInst('app', 0, { state: { waiting: {} } })],
  },
  {
    name: 'previously running, now missing from the runtime: lastState ContainerStatusUnknown, restartCount + 1',
    mutate: (w) => { w.pod.status = { phase: 'Running', containerStatuses: [cs('app', running(), { restartCount: 1 })] }; },
    kind: 'app',
    want: [cs('app', waiting('PodInitializing'), {
      lastState: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was deleted.  The container used to be Running' } },
      restartCount: 2,
    })],
  },
  {
    name: 'previously running, now missing, pod deleted: restartCount unchanged',
    mutate: (w) => { w.pod.metadata.deletionTimestamp = at(100); w.pod.status = { phase: 'Running', containerStatuses: [cs('app', running(), { restartCount: 1 })] }; },
    kind: 'app',
    want: [cs('app', waiting('PodInitializing'), {
      lastState: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was deleted.  The container used to be Running' } },
      restartCount: 1,
    })],
  },
  {
    name: 'previous waiting status lends restartCount and lastState to the default',
    mutate: (w) => { w.pod.status = { phase: 'Running', containerStatuses: [cs('app', waiting('CrashLoopBackOff'), { restartCount: 3, lastState: terminated(1, 'Error') })] }; },
    kind: 'app',
    want: [cs('app', waiting('PodInitializing'), { restartCount: 3, lastState: terminated(1, 'Error') })],
  },
  {
    name: 'app statuses are sorted by name',
    mutate: (w) => { w.pod.spec.containers = [spec('zeta'), spec('alpha')]; },
    kind: 'app',
    want: [cs('alpha', waiting('PodInitializing')), cs('zeta', waiting('PodInitializing'))],
  },
  {
    name: 'init statuses follow spec order',
    mutate: (w) => { w.pod.spec.initContainers = [spec('init-b'), spec('init-a')]; },
    kind: 'init',
    want: [cs('init-b', waiting('PodInitializing')), cs('init-a', waiting('PodInitializing'))],
  },
  {
    name: 'image comes from the instance (the old image until a restart)',
    mutate: (w) => { w.pod.spec.containers = [spec('app', { image: 'img/app:2' })]; add(w, inst('app', 'app', 'running')); },
    kind: 'app',
    want: [fromInst('app', 0, { state: { running: { startedAt: at(1) } }, image: 'img/app:1' })],
  },
];

for (const c of cases) {
  test(`convertContainerStatuses: ${c.name}`, () => {
    const w: World = { pod: basePod(), runtime: { sandboxes: [sandbox('sb1', 0)], containers: [] }, failures: new Map() };
    c.mutate(w);
    assert.deepEqual(convertContainerStatuses({ pod: w.pod, runtime: w.runtime, startFailures: w.failures }, c.kind), c.want);
  });
}

// ---- Started / Ready (prober manager) ----

interface ProbeCase {
  name: string;
  kind: ContainerListKind;
  container: ReturnType<typeof spec>;
  status: ContainerStatus;
  results?: Parameters<typeof probes>[0];
  want: { started: boolean; ready: boolean };
}

const live = cs('c', running(), { containerID: 'runc://c1' });
const httpProbe = { httpGet: { port: 8080 } };

const probeCases: ProbeCase[] = [
  { name: 'running app without probes is started and ready', kind: 'app', container: spec('c'), status: live, want: { started: true, ready: true } },
  { name: 'readiness probe not reported yet: not ready', kind: 'app', container: spec('c', { readinessProbe: httpProbe }), status: live, want: { started: true, ready: false } },
  { name: 'readiness success: ready', kind: 'app', container: spec('c', { readinessProbe: httpProbe }), status: live, results: { readiness: { c1: 'success' } }, want: { started: true, ready: true } },
  { name: 'readiness failure: not ready', kind: 'app', container: spec('c', { readinessProbe: httpProbe }), status: live, results: { readiness: { c1: 'failure' } }, want: { started: true, ready: false } },
  { name: 'results of another instance do not count', kind: 'app', container: spec('c', { readinessProbe: httpProbe }), status: live, results: { readiness: { c0: 'success' } }, want: { started: true, ready: false } },
  { name: 'startup probe not reported: not started, so not ready', kind: 'app', container: spec('c', { startupProbe: httpProbe }), status: live, results: { readiness: { c1: 'success' } }, want: { started: false, ready: false } },
  { name: 'startup success: started', kind: 'app', container: spec('c', { startupProbe: httpProbe }), status: live, results: { startup: { c1: 'success' } }, want: { started: true, ready: true } },
  { name: 'startup failure: not started', kind: 'app', container: spec('c', { startupProbe: httpProbe }), status: live, results: { startup: { c1: 'failure' } }, want: { started: false, ready: false } },
  { name: 'terminated app: neither', kind: 'app', container: spec('c'), status: cs('c', terminated(0, 'Completed')), want: { started: false, ready: false } },
  { name: 'waiting app: neither', kind: 'app', container: spec('c'), status: cs('c', waiting('ContainerCreating')), want: { started: false, ready: false } },
  { name: 'regular init exited 0: ready, not started', kind: 'init', container: spec('c'), status: cs('c', terminated(0, 'Completed')), want: { started: false, ready: true } },
  { name: 'regular init exited 1: not ready', kind: 'init', container: spec('c'), status: cs('c', terminated(1, 'Error')), want: { started: false, ready: false } },
  { name: 'regular init running: started, not ready', kind: 'init', container: spec('c'), status: live, want: { started: true, ready: false } },
  { name: 'sidecar running without probes: started and ready', kind: 'init', container: sidecarSpec('c'), status: live, want: { started: true, ready: true } },
  { name: 'sidecar with readiness not reported: started, not ready', kind: 'init', container: sidecarSpec('c', { readinessProbe: httpProbe }), status: live, want: { started: true, ready: false } },
  { name: 'sidecar waiting for its startup probe', kind: 'init', container: sidecarSpec('c', { startupProbe: httpProbe }), status: live, want: { started: false, ready: false } },
];

for (const c of probeCases) {
  test(`withProbeResults: ${c.name}`, () => {
    const [got] = withProbeResults([c.container], [c.status], probes(c.results), c.kind);
    assert.deepEqual({ started: got?.started, ready: got?.ready }, c.want);
  });
}
