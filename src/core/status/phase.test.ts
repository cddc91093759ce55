import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, PodPhase, PodSpec } from '../../api/types.js';
import { getPhase } from './phase.js';
import { cs, running, sidecarSpec, spec, terminated, waiting } from './fixtures.js';

// Base: one regular init container and one app container, restartPolicy Always.
const base: PodSpec = { initContainers: [spec('init-1')], containers: [spec('app')], restartPolicy: 'Always' };
const withSidecar: PodSpec = { initContainers: [sidecarSpec('sc')], containers: [spec('app')], restartPolicy: 'Always' };
const crashed = (exitCode: number) => ({ lastState: terminated(exitCode, exitCode === 0 ? 'Completed' : 'Error') });

interface Case {
  name: string;
  spec?: PodSpec;
  restartPolicy?: PodSpec['restartPolicy'];
  statuses: ContainerStatus[];
  podIsTerminal?: boolean;
  podHasInitialized?: boolean;
  want: PodPhase;
}

const cases: Case[] = [
  // regular init containers
  { name: 'no statuses at all', statuses: [], want: 'Pending' },
  { name: 'init running', statuses: [cs('init-1', running()), cs('app', waiting('PodInitializing'))], want: 'Pending' },
  { name: 'init done, app not yet created', statuses: [cs('init-1', terminated(0)), cs('app', waiting('PodInitializing'))], want: 'Pending' },
  { name: 'init done, app running', statuses: [cs('init-1', terminated(0)), cs('app', running())], want: 'Running' },
  { name: 'init failed, Never → Failed', restartPolicy: 'Never', statuses: [cs('init-1', terminated(1)), cs('app', waiting('PodInitializing'))], want: 'Failed' },
  { name: 'init failed, OnFailure → Pending', restartPolicy: 'OnFailure', statuses: [cs('init-1', terminated(1)), cs('app', waiting('PodInitializing'))], want: 'Pending' },
  { name: 'init failed, Always → Pending', statuses: [cs('init-1', terminated(1)), cs('app', waiting('PodInitializing'))], want: 'Pending' },
  { name: 'init crash-looping, OnFailure → Pending', restartPolicy: 'OnFailure', statuses: [cs('init-1', waiting('CrashLoopBackOff'), crashed(1)), cs('app', waiting('PodInitializing'))], want: 'Pending' },
  { name: 'init waiting after a failure counts as failed under Never', restartPolicy: 'Never', statuses: [cs('init-1', waiting('CrashLoopBackOff'), crashed(1)), cs('app', waiting('PodInitializing'))], want: 'Failed' },
  { name: 'init image pull failing keeps Never pods Pending', restartPolicy: 'Never', statuses: [cs('init-1', waiting('ErrImagePull')), cs('app', waiting('PodInitializing'))], want: 'Pending' },
  { name: 'init waiting after a success is neither pending nor failed', statuses: [cs('init-1', waiting(), crashed(0)), cs('app', running())], want: 'Running' },
  { name: 'init status with no state is pending', statuses: [cs('init-1', {}), cs('app', running())], want: 'Pending' },
  // app containers and restart policy
  { name: 'app crash-looping under Always stays Running', statuses: [cs('init-1', terminated(0)), cs('app', waiting('CrashLoopBackOff'), crashed(1))], want: 'Running' },
  { name: 'app exited 0, Never → Succeeded', restartPolicy: 'Never', statuses: [cs('init-1', terminated(0)), cs('app', terminated(0))], want: 'Succeeded' },
  { name: 'app exited 1, Never → Failed', restartPolicy: 'Never', statuses: [cs('init-1', terminated(0)), cs('app', terminated(1))], want: 'Failed' },
  { name: 'app exited 0, OnFailure → Succeeded', restartPolicy: 'OnFailure', statuses: [cs('init-1', terminated(0)), cs('app', terminated(0))], want: 'Succeeded' },
  { name: 'app exited 1, OnFailure → Running (restarting)', restartPolicy: 'OnFailure', statuses: [cs('init-1', terminated(0)), cs('app', terminated(1))], want: 'Running' },
  { name: 'app exited 0, Always → Running (restarting)', statuses: [cs('init-1', terminated(0)), cs('app', terminated(0))], want: 'Running' },
  { name: 'restarting after exit 0 is stopped, not succeeded (OnFailure)', restartPolicy: 'OnFailure', statuses: [cs('init-1', terminated(0)), cs('app', waiting('CrashLoopBackOff'), crashed(0))], want: 'Running' },
  { name: 'restarting after exit 0 under Never fails (no success counted)', restartPolicy: 'Never', statuses: [cs('init-1', terminated(0)), cs('app', waiting('CrashLoopBackOff'), crashed(0))], want: 'Failed' },
  { name: 'one app running, one done', spec: { containers: [spec('a'), spec('b')], restartPolicy: 'Never' }, statuses: [cs('a', running()), cs('b', terminated(0))], want: 'Running' },
  { name: 'one app done, one without status', spec: { containers: [spec('a'), spec('b')], restartPolicy: 'Never' }, statuses: [cs('a', terminated(0))], want: 'Pending' },
  { name: 'app status with no state is unknown', spec: { containers: [spec('a')] }, statuses: [cs('a', {})], want: 'Pending' },
  { name: 'no init containers, app creating', spec: { containers: [spec('a')] }, statuses: [cs('a', waiting('ContainerCreating'))], want: 'Pending' },
  { name: 'restartPolicy defaults to Always', spec: { containers: [spec('a')] }, statuses: [cs('a', terminated(1))], want: 'Running' },
  // terminal pods ignore the restart policy
  { name: 'terminal Always pod, exit 0 on SIGTERM → Succeeded', podIsTerminal: true, statuses: [cs('init-1', terminated(0)), cs('app', terminated(0))], want: 'Succeeded' },
  { name: 'terminal Always pod, SIGKILLed → Failed', podIsTerminal: true, statuses: [cs('init-1', terminated(0)), cs('app', terminated(137))], want: 'Failed' },
  { name: 'terminal OnFailure pod, exit 1 → Failed', restartPolicy: 'OnFailure', podIsTerminal: true, statuses: [cs('init-1', terminated(0)), cs('app', terminated(1))], want: 'Failed' },
  { name: 'terminal pod with a container still running → Running', podIsTerminal: true, statuses: [cs('init-1', terminated(0)), cs('app', running())], want: 'Running' },
  // sidecars
  { name: 'sidecar without status', spec: withSidecar, statuses: [cs('app', waiting('PodInitializing'))], want: 'Pending' },
  { name: 'sidecar running, not started, pod not initialized', spec: withSidecar, statuses: [cs('sc', running(), { started: false }), cs('app', waiting('PodInitializing'))], want: 'Pending' },
  { name: 'sidecar running, not started, app running, pod not initialized', spec: withSidecar, statuses: [cs('sc', running(), { started: false }), cs('app', running())], want: 'Pending' },
  { name: 'sidecar restarting (not started) after initialization → Running', spec: withSidecar, podHasInitialized: true, statuses: [cs('sc', running(), { started: false }), cs('app', running())], want: 'Running' },
  { name: 'sidecar started, app not created yet', spec: withSidecar, statuses: [cs('sc', running(), { started: true }), cs('app', waiting('PodInitializing'))], want: 'Pending' },
  { name: 'sidecar started, app running', spec: withSidecar, podHasInitialized: true, statuses: [cs('sc', running(), { started: true }), cs('app', running())], want: 'Running' },
  { name: 'sidecar running keeps a finished Job pod Running', spec: { ...withSidecar, restartPolicy: 'Never' }, podHasInitialized: true, statuses: [cs('sc', running(), { started: true }), cs('app', terminated(0))], want: 'Running' },
  { name: 'sidecar exited 1, app exited 0, Never → Succeeded', spec: { ...withSidecar, restartPolicy: 'Never' }, statuses: [cs('sc', terminated(1)), cs('app', terminated(0))], want: 'Succeeded' },
  { name: 'sidecar SIGKILLed while terminating, app 0 → Succeeded', spec: { ...withSidecar, restartPolicy: 'Never' }, podIsTerminal: true, statuses: [cs('sc', terminated(137)), cs('app', terminated(0))], want: 'Succeeded' },
  { name: 'sidecar crash-looping is ignored', spec: withSidecar, podHasInitialized: true, statuses: [cs('sc', waiting('CrashLoopBackOff'), crashed(1)), cs('app', running())], want: 'Running' },
  { name: 'sidecar waiting without a previous run is Pending even after init', spec: withSidecar, podHasInitialized: true, statuses: [cs('sc', waiting('ErrImagePull')), cs('app', running())], want: 'Pending' },
  { name: 'sidecar with no state is unknown', spec: withSidecar, podHasInitialized: true, statuses: [cs('sc', {}), cs('app', running())], want: 'Pending' },
  {
    name: 'init after a sidecar fails under Never → Failed while the sidecar runs',
    spec: { initContainers: [sidecarSpec('sc'), spec('init-1')], containers: [spec('app')], restartPolicy: 'Never' },
    statuses: [cs('sc', running(), { started: true }), cs('init-1', terminated(1)), cs('app', waiting('PodInitializing'))],
    want: 'Failed',
  },
  {
    name: 'init after a sidecar fails under OnFailure → Pending',
    spec: { initContainers: [sidecarSpec('sc'), spec('init-1')], containers: [spec('app')], restartPolicy: 'OnFailure' },
    statuses: [cs('sc', running(), { started: true }), cs('init-1', waiting('CrashLoopBackOff'), crashed(1)), cs('app', waiting('PodInitializing'))],
    want: 'Pending',
  },
];

for (const c of cases) {
  test(`getPhase: ${c.name}`, () => {
    const podSpec: PodSpec = { ...(c.spec ?? base) };
    if (c.restartPolicy) podSpec.restartPolicy = c.restartPolicy;
    const got = getPhase({ spec: podSpec, statuses: c.statuses, podIsTerminal: c.podIsTerminal ?? false, podHasInitialized: c.podHasInitialized ?? false });
    assert.equal(got, c.want);
  });
}
