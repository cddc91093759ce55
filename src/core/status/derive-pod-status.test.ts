import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodStatus } from '../../api/types.js';
import type { PodRuntimeStatus, ProbeResults, StartFailure } from '../pod-runtime.js';
import { derivePodStatus } from './derive-pod-status.js';
import type { DeriveStatusInput } from './derive-pod-status.js';
import { podStatusString } from './pod-status-string.js';
import type { PodColumns } from './pod-status-string.js';
import { cs, inst, makePod, probes, sandbox, SEC, sidecarSpec, spec, T0, terminated } from './fixtures.js';

const NOW = T0 + 60 * SEC;
const nowText = '2026-11-26T22:46:31Z';
const at = (seconds: number) => new Date(T0 + seconds * SEC).toISOString().replace('.000Z', 'Z');

interface World {
  pod: Pod;
  runtime: PodRuntimeStatus;
  failures: Map<string, StartFailure>;
  probes: ProbeResults;
  podIsTerminal: boolean;
  hostIP?: string;
  podIP?: string;
}

// Base: init-1 done and app running in one ready sandbox, restartPolicy Always, first status ever.
function baseWorld(): World {
  return {
    pod: makePod({ initContainers: [spec('init-1')], containers: [spec('app')], restartPolicy: 'Always' }),
    runtime: {
      sandboxes: [sandbox('sb1', 0)],
      containers: [inst('init-1', 'init', 'exited'), inst('app', 'app', 'running', { created: 10 })],
    },
    failures: new Map(),
    probes: probes(),
    podIsTerminal: false,
    hostIP: '192.168.1.10',
  };
}

function derive(w: World): PodStatus {
  const input: DeriveStatusInput = {
    pod: w.pod, runtime: w.runtime, startFailures: w.failures, probes: w.probes, podIsTerminal: w.podIsTerminal, now: NOW,
    ...(w.hostIP === undefined ? {} : { hostIP: w.hostIP }),
    ...(w.podIP === undefined ? {} : { podIP: w.podIP }),
  };
  return derivePodStatus(input);
}

/** `Type=Status Reason: message`, compact enough to read a whole condition list in one line of a table. */
function conditionLines(s: PodStatus): string[] {
  return (s.conditions ?? []).map((c) => `${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}${c.message ? `: ${c.message}` : ''}`);
}

test('derivePodStatus: the base pod, in full', () => {
  const status = derive(baseWorld());
  const condition = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: nowText });
  assert.deepEqual(status, {
    phase: 'Running',
    conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition),
    hostIP: '192.168.1.10',
    hostIPs: [{ ip: '192.168.1.10' }],
    podIP: '10.88.0.5',
    podIPs: [{ ip: '10.88.0.5' }],
    startTime: nowText,
    initContainerStatuses: [{
      name: 'init-1',
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: at(1), finishedAt: at(5), containerID: 'runc://init-1-0' } },
      lastState: {},
      ready: true,
      restartCount: 0,
      image: 'img/init-1:1',
      imageID: 'sha256:init-1',
      containerID: 'runc://init-1-0',
      started: false,
    }],
    containerStatuses: [{
      name: 'app',
      state: { running: { startedAt: at(11) } },
      lastState: {},
      ready: true,
      restartCount: 0,
      image: 'img/app:1',
      imageID: 'sha256:app',
      containerID: 'runc://app-10',
      started: true,
    }],
    qosClass: 'BestEffort',
  });
});

interface Case {
  name: string;
  mutate: (w: World) => void;
  phase?: PodStatus['phase'];
  conditions?: string[];
  columns?: PodColumns;
  check?: (s: PodStatus) => void;
}

const allTrue = ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True'];
const onlyInit = (w: World, ...keep: Parameters<typeof inst>[]) => { w.runtime.containers = keep.map((a) => inst(...a)); };

const cases: Case[] = [
  { name: 'running and ready', mutate: () => {}, phase: 'Running', conditions: allTrue, columns: { ready: '1/1', status: 'Running', restarts: '0' } },
  {
    name: 'nothing exists yet',
    mutate: (w) => { w.runtime = { sandboxes: [], containers: [] }; },
    phase: 'Pending',
    conditions: [
      'PodReadyToStartContainers=False',
      'Initialized=False ContainersNotInitialized: containers with incomplete status: [init-1]',
      'Ready=False ContainersNotReady: containers with unready status: [app]',
      'ContainersReady=False ContainersNotReady: containers with unready status: [app]',
      'PodScheduled=True',
    ],
    columns: { ready: '0/1', status: 'Init:0/1', restarts: '0' },
  },
  { name: 'init running', mutate: (w) => onlyInit(w, ['init-1', 'init', 'running']), phase: 'Pending', columns: { ready: '0/1', status: 'Init:0/1', restarts: '0' } },
  {
    name: 'init done, app not created yet',
    mutate: (w) => onlyInit(w, ['init-1', 'init', 'exited']),
    phase: 'Pending',
    conditions: [
      'PodReadyToStartContainers=True', 'Initialized=True',
      'Ready=False ContainersNotReady: containers with unready status: [app]',
      'ContainersReady=False ContainersNotReady: containers with unready status: [app]', 'PodScheduled=True',
    ],
    columns: { ready: '0/1', status: 'PodInitializing', restarts: '0' },
  },
  {
    name: 'init failed under Never',
    mutate: (w) => { w.pod.spec.restartPolicy = 'Never'; onlyInit(w, ['init-1', 'init', 'exited', { exitCode: 1 }]); },
    phase: 'Failed',
    conditions: [
      'PodReadyToStartContainers=True',
      'Initialized=False ContainersNotInitialized: containers with incomplete status: [init-1]',
      'Ready=False PodFailed', 'ContainersReady=False PodFailed', 'PodScheduled=True',
    ],
    columns: { ready: '0/1', status: 'Init:Error', restarts: '0' },
  },
  {
    name: 'init crash-looping under OnFailure',
    mutate: (w) => {
      w.pod.spec.restartPolicy = 'OnFailure';
      onlyInit(w, ['init-1', 'init', 'exited', { exitCode: 1 }], ['init-1', 'init', 'exited', { exitCode: 1, created: 20, restartCount: 1 }]);
      w.failures.set('init-1', { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=init-1 pod=p_default(u1)' });
    },
    phase: 'Pending',
    check: (s) => {
      const init = s.initContainerStatuses?.[0];
      assert.deepEqual(init?.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=init-1 pod=p_default(u1)' } });
      assert.equal(init?.lastState.terminated?.finishedAt, at(25));
      assert.equal(init?.restartCount, 1);
    },
    columns: { ready: '0/1', status: 'Init:CrashLoopBackOff', restarts: '1 (35s ago)' },
  },
  {
    name: 'app crash-looping under Always stays Running',
    mutate: (w) => {
      w.runtime.containers = [inst('init-1', 'init', 'exited'), inst('app', 'app', 'exited', { created: 10, exitCode: 1, restartCount: 4 })];
      w.failures.set('app', { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container=app pod=p_default(u1)' });
    },
    phase: 'Running',
    conditions: [
      'PodReadyToStartContainers=True', 'Initialized=True',
      'Ready=False ContainersNotReady: containers with unready status: [app]',
      'ContainersReady=False ContainersNotReady: containers with unready status: [app]', 'PodScheduled=True',
    ],
    columns: { ready: '0/1', status: 'CrashLoopBackOff', restarts: '4 (45s ago)' },
  },
  {
    name: 'job done under Never',
    mutate: (w) => { w.pod.spec.restartPolicy = 'Never'; w.runtime.containers[1] = inst('app', 'app', 'exited', { created: 10 }); },
    phase: 'Succeeded',
    conditions: ['PodReadyToStartContainers=True', 'Initialized=True PodCompleted', 'Ready=False PodCompleted', 'ContainersReady=False PodCompleted', 'PodScheduled=True'],
    columns: { ready: '0/1', status: 'Completed', restarts: '0' },
  },
  {
    name: 'app failed under Never',
    mutate: (w) => { w.pod.spec.restartPolicy = 'Never'; w.runtime.containers[1] = inst('app', 'app', 'exited', { created: 10, exitCode: 1 }); },
    phase: 'Failed',
    conditions: ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=False PodFailed', 'ContainersReady=False PodFailed', 'PodScheduled=True'],
    columns: { ready: '0/1', status: 'Error', restarts: '0' },
  },
  {
    name: 'app OOM-killed under Never',
    mutate: (w) => { w.pod.spec.restartPolicy = 'Never'; w.runtime.containers[1] = inst('app', 'app', 'exited', { created: 10, exitCode: 137, reason: 'OOMKilled' }); },
    phase: 'Failed',
    columns: { ready: '0/1', status: 'OOMKilled', restarts: '0' },
  },
  {
    name: 'being deleted, still running',
    mutate: (w) => { w.pod.metadata.deletionTimestamp = at(50); w.podIsTerminal = true; },
    phase: 'Running',
    columns: { ready: '1/1', status: 'Terminating', restarts: '0' },
  },
  {
    name: 'deleted Always pod that exited 0 on SIGTERM',
    mutate: (w) => {
      w.pod.metadata.deletionTimestamp = at(50);
      w.podIsTerminal = true;
      w.runtime.sandboxes = [sandbox('sb1', 0, 'notready')];
      w.runtime.containers[1] = inst('app', 'app', 'exited', { created: 10 });
    },
    phase: 'Succeeded',
    conditions: ['PodReadyToStartContainers=False', 'Initialized=True PodCompleted', 'Ready=False PodCompleted', 'ContainersReady=False PodCompleted', 'PodScheduled=True'],
    columns: { ready: '0/1', status: 'Completed', restarts: '0' },
  },
  {
    name: 'deleted Always pod that had to be SIGKILLed',
    mutate: (w) => {
      w.pod.metadata.deletionTimestamp = at(50);
      w.podIsTerminal = true;
      w.runtime.sandboxes = [sandbox('sb1', 0, 'notready')];
      w.runtime.containers[1] = inst('app', 'app', 'exited', { created: 10, exitCode: 137 });
    },
    phase: 'Failed',
    columns: { ready: '0/1', status: 'Error', restarts: '0' },
  },
  {
    name: 'deleted while the init container crash-loops: nothing runs any more, so Failed (TerminatePod)',
    mutate: (w) => {
      w.pod.metadata.deletionTimestamp = at(50);
      w.podIsTerminal = true;
      w.runtime.sandboxes = [sandbox('sb1', 0, 'notready')];
      w.runtime.containers = [inst('init-1', 'init', 'exited', { created: 5, exitCode: 1 })];
    },
    phase: 'Failed',
  },
  {
    name: 'deleted, still running: the phase stays until the containers are gone',
    mutate: (w) => {
      w.pod.metadata.deletionTimestamp = at(50);
      w.podIsTerminal = true;
      w.runtime.containers = [inst('init-1', 'init', 'running', { created: 5 })];
    },
    phase: 'Pending',
  },
  {
    name: 'a terminal phase is sticky, with its reason, even when the runtime forgot everything',
    mutate: (w) => {
      // under Always, getPhase alone would say Running for an exited app container
      w.pod.status = {
        phase: 'Succeeded', reason: 'Done', message: 'all good',
        containerStatuses: [cs('app', terminated(0, 'Completed'))], initContainerStatuses: [cs('init-1', terminated(0, 'Completed'), { ready: true })],
      };
      w.runtime = { sandboxes: [], containers: [] };
    },
    phase: 'Succeeded',
    check: (s) => {
      assert.equal(s.reason, 'Done');
      assert.equal(s.message, 'all good');
      assert.deepEqual(s.containerStatuses?.[0]?.state, terminated(0, 'Completed'));
    },
    // Status.Reason starts the column, but the container's own reason overrides it
    columns: { ready: '0/1', status: 'Completed', restarts: '0' },
  },
  {
    name: 'reason and message are dropped when the phase changes',
    mutate: (w) => { w.pod.status = { phase: 'Pending', reason: 'Something', message: 'earlier' }; },
    phase: 'Running',
    check: (s) => { assert.equal(s.reason, undefined); assert.equal(s.message, undefined); },
  },
  {
    name: 'a new sandbox re-runs init: the old app instance does not count as initialized',
    mutate: (w) => {
      w.runtime.sandboxes = [sandbox('sb1', 0, 'notready'), sandbox('sb2', 1)];
      w.runtime.containers = [
        inst('app', 'app', 'exited', { created: 10, exitCode: 137 }),
        inst('init-1', 'init', 'running', { created: 200, sandboxId: 'sb2' }),
      ];
    },
    phase: 'Pending',
    check: (s) => assert.deepEqual(s.conditions?.[0]?.status, 'True'),
  },
  {
    name: 'two ready sandboxes need reconciling: not ready to start containers',
    mutate: (w) => { w.runtime.sandboxes = [sandbox('sb1', 0), sandbox('sb2', 1)]; },
    check: (s) => assert.equal(s.conditions?.[0]?.status, 'False'),
  },
  {
    name: 'a readiness gate holds Ready while ContainersReady is True; its condition is preserved first',
    mutate: (w) => {
      w.pod.spec.readinessGates = [{ conditionType: 'example.com/lb' }];
      w.pod.status = { phase: 'Running', conditions: [{ type: 'example.com/lb', status: 'False', lastProbeTime: null, lastTransitionTime: at(-100) }] };
    },
    conditions: [
      'example.com/lb=False', 'PodReadyToStartContainers=True', 'Initialized=True',
      'Ready=False ReadinessGatesNotReady: the status of pod readiness gate "example.com/lb" is not "True", but False',
      'ContainersReady=True', 'PodScheduled=True',
    ],
    columns: { ready: '1/1', status: 'Running', restarts: '0' },
  },
  {
    name: 'readiness probe not passed yet',
    mutate: (w) => { w.pod.spec.containers = [spec('app', { readinessProbe: { httpGet: { port: 80 } } })]; },
    phase: 'Running',
    columns: { ready: '0/1', status: 'Running', restarts: '0' },
  },
  // sidecars
  {
    name: 'sidecar waiting for its startup probe',
    mutate: (w) => {
      w.pod.spec.initContainers = [sidecarSpec('sc', { startupProbe: { exec: { command: ['true'] } } })];
      w.runtime.containers = [inst('sc', 'init', 'running')];
    },
    phase: 'Pending',
    conditions: [
      'PodReadyToStartContainers=True',
      'Initialized=False ContainersNotInitialized: containers with incomplete status: [sc]',
      'Ready=False ContainersNotReady: containers with unready status: [sc app]',
      'ContainersReady=False ContainersNotReady: containers with unready status: [sc app]',
      'PodScheduled=True',
    ],
    columns: { ready: '0/2', status: 'Init:0/1', restarts: '0' },
  },
  {
    name: 'sidecar started and app running',
    mutate: (w) => {
      w.pod.spec.initContainers = [sidecarSpec('sc', { startupProbe: { exec: { command: ['true'] } } })];
      w.runtime.containers = [inst('sc', 'init', 'running'), inst('app', 'app', 'running', { created: 10 })];
      w.probes = probes({ startup: { 'sc-0': 'success' } });
    },
    phase: 'Running',
    conditions: allTrue,
    columns: { ready: '2/2', status: 'Running', restarts: '0' },
  },
  {
    name: 'sidecar crash-looping after initialization keeps the pod Running',
    mutate: (w) => {
      w.pod.spec.initContainers = [sidecarSpec('sc')];
      w.runtime.containers = [inst('sc', 'init', 'exited', { exitCode: 1, restartCount: 2, created: 20 }), inst('app', 'app', 'running', { created: 10 })];
      w.failures.set('sc', { reason: 'CrashLoopBackOff', message: 'back-off' });
    },
    phase: 'Running',
    conditions: [
      'PodReadyToStartContainers=True', 'Initialized=True',
      'Ready=False ContainersNotReady: containers with unready status: [sc]',
      'ContainersReady=False ContainersNotReady: containers with unready status: [sc]', 'PodScheduled=True',
    ],
    // kubectl shows the sidecar's back-off even though the app runs
    columns: { ready: '1/2', status: 'Init:CrashLoopBackOff', restarts: '2 (35s ago)' },
  },
  {
    name: 'job pod with a SIGKILLed sidecar still Succeeds',
    mutate: (w) => {
      w.pod.spec.restartPolicy = 'Never';
      w.pod.spec.initContainers = [sidecarSpec('sc')];
      w.podIsTerminal = true;
      w.runtime.sandboxes = [sandbox('sb1', 0, 'notready')];
      w.runtime.containers = [inst('sc', 'init', 'exited', { exitCode: 137 }), inst('app', 'app', 'exited', { created: 10 })];
    },
    phase: 'Succeeded',
    conditions: ['PodReadyToStartContainers=False', 'Initialized=True PodCompleted', 'Ready=False PodCompleted', 'ContainersReady=False PodCompleted', 'PodScheduled=True'],
    columns: { ready: '0/2', status: 'Completed', restarts: '0' },
  },
  // carried-over fields
  {
    name: 'unchanged conditions keep their transition time; changed ones move to now',
    mutate: (w) => {
      w.pod.status = {
        phase: 'Running',
        conditions: [
          { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: at(-30) },
          { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: at(-30), reason: 'ContainersNotReady' },
        ],
      };
    },
    check: (s) => {
      const time = (type: string) => s.conditions?.find((c) => c.type === type)?.lastTransitionTime;
      assert.equal(time('Initialized'), at(-30));
      assert.equal(time('Ready'), nowText);
      assert.equal(time('PodScheduled'), nowText);
      assert.ok(s.conditions?.every((c) => c.lastProbeTime === null));
    },
  },
  {
    name: 'startTime, hostIP, podIP and qosClass come from the previous status when not given',
    mutate: (w) => {
      w.pod.status = { phase: 'Running', startTime: at(-10), hostIP: '192.168.1.9', podIP: '10.88.0.9', qosClass: 'Burstable' };
      delete w.hostIP;
      w.runtime.sandboxes = [sandbox('sb1', 0, 'notready')];
    },
    check: (s) => {
      assert.equal(s.startTime, at(-10));
      assert.deepEqual([s.hostIP, s.hostIPs, s.podIP, s.podIPs], ['192.168.1.9', [{ ip: '192.168.1.9' }], '10.88.0.9', [{ ip: '10.88.0.9' }]]);
      assert.equal(s.qosClass, 'Burstable');
    },
  },
  {
    name: 'a given podIP wins over the sandbox IP',
    mutate: (w) => { w.podIP = '10.1.2.3'; },
    check: (s) => assert.deepEqual([s.podIP, s.podIPs], ['10.1.2.3', [{ ip: '10.1.2.3' }]]),
  },
  {
    name: 'a hostNetwork pod has the host IP as its pod IP',
    mutate: (w) => { w.pod.spec.hostNetwork = true; },
    check: (s) => assert.deepEqual([s.podIP, s.podIPs], ['192.168.1.10', [{ ip: '192.168.1.10' }]]),
  },
  {
    name: 'no IPs known: no IP fields',
    mutate: (w) => { delete w.hostIP; w.runtime.sandboxes = []; },
    check: (s) => assert.deepEqual([s.hostIP, s.hostIPs, s.podIP, s.podIPs], [undefined, undefined, undefined, undefined]),
  },
  {
    name: 'qosClass from the spec',
    mutate: (w) => {
      const limits = { cpu: '1', memory: '1Gi' };
      w.pod.spec.initContainers = [spec('init-1', { resources: { limits } })];
      w.pod.spec.containers = [spec('app', { resources: { limits } })];
    },
    check: (s) => assert.equal(s.qosClass, 'Guaranteed'),
  },
  {
    name: 'no init containers: no initContainerStatuses field',
    mutate: (w) => { delete w.pod.spec.initContainers; w.runtime.containers = [inst('app', 'app', 'running')]; },
    phase: 'Running',
    check: (s) => assert.equal('initContainerStatuses' in s, false),
  },
];

for (const c of cases) {
  test(`derivePodStatus: ${c.name}`, () => {
    const w = baseWorld();
    c.mutate(w);
    const status = derive(w);
    if (c.phase) assert.equal(status.phase, c.phase);
    if (c.conditions) assert.deepEqual(conditionLines(status), c.conditions);
    if (c.columns) assert.deepEqual(podStatusString({ ...w.pod, status }, NOW), c.columns);
    c.check?.(status);
  });
}
