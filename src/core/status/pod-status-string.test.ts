import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod, PodCondition, PodSpec, PodStatus } from '../../api/types.js';
import { podStatusString } from './pod-status-string.js';
import type { PodColumns } from './pod-status-string.js';
import { cs, makePod, running, SEC, sidecarSpec, spec, T0, terminated, waiting } from './fixtures.js';

const NOW = T0 + 3600 * SEC;
const ago = (seconds: number) => new Date(NOW - seconds * SEC).toISOString().replace('.000Z', 'Z');

// Base: the table's pod, two regular init containers and one app container, no status yet.
const baseSpec: PodSpec = { initContainers: [spec('init-1'), spec('init-2')], containers: [spec('app')] };
const cond = (type: string, status: PodCondition['status'], reason?: string): PodCondition =>
  ({ type, status, lastProbeTime: null, lastTransitionTime: ago(100), ...(reason ? { reason } : {}) });
const initialized = [cond('Initialized', 'True')];
const done = (name: string) => cs(name, terminated(0, 'Completed'), { ready: true });
const readyRunning = (name: string, o: Partial<ContainerStatus> = {}) => cs(name, running(), { ready: true, started: true, ...o });
const pending = (name: string) => cs(name, waiting('PodInitializing'));

interface Case {
  name: string;
  spec?: PodSpec;
  status?: Partial<PodStatus>;
  init?: ContainerStatus[];
  app?: ContainerStatus[];
  deleting?: boolean;
  want: PodColumns;
}

const cols = (ready: string, status: string, restarts = '0'): PodColumns => ({ ready, status, restarts });

const cases: Case[] = [
  // rows of the section 1.10 table
  { name: 'not scheduled', want: cols('0/1', 'Pending') },
  { name: 'scheduling gates', status: { conditions: [cond('PodScheduled', 'False', 'SchedulingGated')] }, want: cols('0/1', 'SchedulingGated') },
  { name: 'sandbox being created', init: [pending('init-1'), pending('init-2')], app: [pending('app')], want: cols('0/1', 'Init:0/2') },
  { name: 'init[0] running', init: [cs('init-1', running()), pending('init-2')], app: [pending('app')], want: cols('0/1', 'Init:0/2') },
  { name: 'init[0] done, init[1] running', init: [done('init-1'), cs('init-2', running())], app: [pending('app')], want: cols('0/1', 'Init:1/2') },
  { name: 'init[0] done, init[1] created', init: [done('init-1'), cs('init-2', waiting())], app: [pending('app')], want: cols('0/1', 'Init:1/2') },
  { name: 'init[1] failed', status: { phase: 'Failed' }, init: [done('init-1'), cs('init-2', terminated(1, 'Error'))], app: [pending('app')], want: cols('0/1', 'Init:Error') },
  { name: 'init[1] OOM', init: [done('init-1'), cs('init-2', terminated(137, 'OOMKilled'))], app: [pending('app')], want: cols('0/1', 'Init:OOMKilled') },
  { name: 'init[1] crash-looping', init: [done('init-1'), cs('init-2', waiting('CrashLoopBackOff'))], app: [pending('app')], want: cols('0/1', 'Init:CrashLoopBackOff') },
  { name: 'init image pull failing', init: [cs('init-1', waiting('ErrImagePull')), pending('init-2')], app: [pending('app')], want: cols('0/1', 'Init:ErrImagePull') },
  { name: 'init image pull backing off', init: [cs('init-1', waiting('ImagePullBackOff')), pending('init-2')], app: [pending('app')], want: cols('0/1', 'Init:ImagePullBackOff') },
  { name: 'init missing ConfigMap', init: [cs('init-1', waiting('CreateContainerConfigError')), pending('init-2')], app: [pending('app')], want: cols('0/1', 'Init:CreateContainerConfigError') },
  { name: 'init killed by a signal, no reason', init: [cs('init-1', terminated(137, undefined, { signal: 9 }))], want: cols('0/1', 'Init:Signal:9') },
  { name: 'init exit code, no reason', init: [cs('init-1', terminated(3))], want: cols('0/1', 'Init:ExitCode:3') },
  { name: 'all init done, app not created', status: { conditions: initialized }, init: [done('init-1'), done('init-2')], app: [pending('app')], want: cols('0/1', 'PodInitializing') },
  { name: 'no init containers, app not created', spec: { containers: [spec('app')] }, app: [cs('app', waiting('ContainerCreating'))], want: cols('0/1', 'ContainerCreating') },
  { name: 'app running and ready', status: { phase: 'Running', conditions: initialized }, init: [done('init-1'), done('init-2')], app: [readyRunning('app')], want: cols('1/1', 'Running') },
  { name: 'app running, not ready', status: { phase: 'Running', conditions: initialized }, init: [done('init-1'), done('init-2')], app: [cs('app', running())], want: cols('0/1', 'Running') },
  {
    name: 'app crash-looping',
    status: { phase: 'Running', conditions: initialized },
    init: [done('init-1'), done('init-2')],
    app: [cs('app', waiting('CrashLoopBackOff'), { restartCount: 3, lastState: terminated(1, 'Error', { finishedAt: ago(125) }) })],
    want: cols('0/1', 'CrashLoopBackOff', '3 (2m5s ago)'),
  },
  { name: 'app completed', status: { phase: 'Succeeded', conditions: initialized }, init: [done('init-1'), done('init-2')], app: [cs('app', terminated(0, 'Completed'))], want: cols('0/1', 'Completed') },
  { name: 'app failed', status: { phase: 'Failed', conditions: initialized }, init: [done('init-1'), done('init-2')], app: [cs('app', terminated(1, 'Error'))], want: cols('0/1', 'Error') },
  { name: 'app OOM-killed', status: { phase: 'Failed', conditions: initialized }, init: [done('init-1'), done('init-2')], app: [cs('app', terminated(137, 'OOMKilled'))], want: cols('0/1', 'OOMKilled') },
  { name: 'app signal without reason', status: { phase: 'Failed', conditions: initialized }, init: [done('init-1'), done('init-2')], app: [cs('app', terminated(143, undefined, { signal: 15 }))], want: cols('0/1', 'Signal:15') },
  { name: 'app exit code without reason', status: { phase: 'Failed', conditions: initialized }, init: [done('init-1'), done('init-2')], app: [cs('app', terminated(2))], want: cols('0/1', 'ExitCode:2') },
  {
    name: 'two apps: one completed, one running, pod Ready',
    spec: { containers: [spec('a'), spec('b')] },
    status: { phase: 'Running', conditions: [cond('Ready', 'True')] },
    app: [cs('a', terminated(0, 'Completed')), readyRunning('b')],
    want: cols('1/2', 'Running'),
  },
  {
    name: 'two apps: one completed, one running, pod not Ready',
    spec: { containers: [spec('a'), spec('b')] },
    status: { phase: 'Running', conditions: [cond('Ready', 'False')] },
    app: [cs('a', terminated(0, 'Completed')), readyRunning('b')],
    want: cols('1/2', 'NotReady'),
  },
  {
    name: 'the first container in status order wins',
    spec: { containers: [spec('a'), spec('b')] },
    status: { phase: 'Pending' },
    app: [cs('a', waiting('ErrImagePull')), cs('b', waiting('CrashLoopBackOff'))],
    want: cols('0/2', 'ErrImagePull'),
  },
  { name: 'being deleted while running', deleting: true, status: { phase: 'Running', conditions: initialized }, init: [done('init-1'), done('init-2')], app: [readyRunning('app')], want: cols('1/1', 'Terminating') },
  { name: 'being deleted while pending', deleting: true, init: [pending('init-1'), pending('init-2')], app: [pending('app')], want: cols('0/1', 'Terminating') },
  { name: 'deleted after completing', deleting: true, status: { phase: 'Succeeded', conditions: initialized }, init: [done('init-1'), done('init-2')], app: [cs('app', terminated(0, 'Completed'))], want: cols('0/1', 'Completed') },
  { name: 'node lost while deleting', deleting: true, status: { phase: 'Running', reason: 'NodeLost' }, want: cols('0/1', 'Unknown') },
  { name: 'evicted: Status.Reason wins over the phase', status: { phase: 'Failed', reason: 'Evicted' }, want: cols('0/1', 'Evicted') },
  { name: 'deadline exceeded', status: { phase: 'Failed', reason: 'DeadlineExceeded' }, want: cols('0/1', 'DeadlineExceeded') },
  // sidecars
  {
    name: 'sidecar counts in READY',
    spec: { initContainers: [sidecarSpec('sc')], containers: [spec('app')] },
    status: { phase: 'Running', conditions: initialized },
    init: [readyRunning('sc')], app: [readyRunning('app')],
    want: cols('2/2', 'Running'),
  },
  {
    name: 'started but unready sidecar',
    spec: { initContainers: [sidecarSpec('sc')], containers: [spec('app')] },
    status: { phase: 'Running', conditions: initialized },
    init: [readyRunning('sc', { ready: false })], app: [readyRunning('app')],
    want: cols('1/2', 'Running'),
  },
  {
    name: 'sidecar not started yet holds Init',
    spec: { initContainers: [sidecarSpec('sc')], containers: [spec('app')] },
    init: [cs('sc', running(), { started: false })], app: [pending('app')],
    want: cols('0/2', 'Init:0/1'),
  },
  {
    name: 'a started sidecar is a position in Init:i/n',
    spec: { initContainers: [sidecarSpec('sc'), spec('init-1')], containers: [spec('app')] },
    init: [readyRunning('sc'), cs('init-1', running())], app: [pending('app')],
    want: cols('1/2', 'Init:1/2'),
  },
  {
    name: 'job pod with a killed sidecar prints Completed',
    spec: { initContainers: [sidecarSpec('sc')], containers: [spec('app')], restartPolicy: 'Never' },
    status: { phase: 'Succeeded', conditions: [cond('Initialized', 'True', 'PodCompleted')] },
    init: [cs('sc', terminated(137, 'Error'))], app: [cs('app', terminated(0, 'Completed'))],
    want: cols('0/2', 'Completed'),
  },
  // RESTARTS
  {
    name: 'init restarts count while initializing',
    init: [cs('init-1', waiting('CrashLoopBackOff'), { restartCount: 2, lastState: terminated(1, 'Error', { finishedAt: ago(300) }) }), pending('init-2')],
    app: [pending('app')],
    want: cols('0/1', 'Init:CrashLoopBackOff', '2 (5m ago)'),
  },
  {
    name: 'regular init restarts are dropped once initialized',
    status: { phase: 'Running', conditions: initialized },
    init: [cs('init-1', terminated(0, 'Completed'), { ready: true, restartCount: 2, lastState: terminated(1, 'Error', { finishedAt: ago(3000) }) }), done('init-2')],
    app: [readyRunning('app', { restartCount: 1, lastState: terminated(1, 'Error', { finishedAt: ago(10) }) })],
    want: cols('1/1', 'Running', '1 (10s ago)'),
  },
  {
    name: 'sidecar and app restarts add up; the latest finish is shown',
    spec: { initContainers: [sidecarSpec('sc')], containers: [spec('app')] },
    status: { phase: 'Running', conditions: initialized },
    init: [readyRunning('sc', { restartCount: 3, lastState: terminated(1, 'Error', { finishedAt: ago(3 * 3600 + 600) }) })],
    app: [readyRunning('app', { restartCount: 1, lastState: terminated(1, 'Error', { finishedAt: ago(4 * 3600) }) })],
    want: cols('2/2', 'Running', '4 (3h10m ago)'),
  },
  {
    name: 'restarts without a known finish time have no age',
    status: { phase: 'Running', conditions: initialized },
    init: [done('init-1'), done('init-2')],
    app: [readyRunning('app', { restartCount: 1, lastState: terminated(137, 'ContainerStatusUnknown') })],
    want: cols('1/1', 'Running', '1'),
  },
];

for (const c of cases) {
  test(`podStatusString: ${c.name}`, () => {
    const status: PodStatus = {
      phase: 'Pending',
      ...c.status,
      ...(c.init ? { initContainerStatuses: c.init } : {}),
      ...(c.app ? { containerStatuses: c.app } : {}),
    };
    const pod: Pod = makePod(c.spec ?? baseSpec, { status });
    if (c.deleting) pod.metadata.deletionTimestamp = ago(5);
    assert.deepEqual(podStatusString(pod, NOW), c.want);
  });
}

test('podStatusString: a pod with no status yet reads as Pending', () => {
  assert.deepEqual(podStatusString(makePod(baseSpec), NOW), cols('0/1', 'Pending'));
});

test('podStatusString: restart age uses HumanDuration (days)', () => {
  const pod = makePod({ containers: [spec('app')] }, {
    status: {
      phase: 'Running',
      containerStatuses: [readyRunning('app', { restartCount: 12, lastState: terminated(1, 'Error', { finishedAt: ago(2 * 86_400 + 5 * 3600) }) })],
    },
  });
  assert.deepEqual(podStatusString(pod, NOW), cols('1/1', 'Running', '12 (2d5h ago)'));
});
