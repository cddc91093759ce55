import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, PodCondition, PodPhase, PodSpec } from '../../api/types.js';
import {
  containersReadyCondition, podInitializedCondition, podReadyCondition, stampCondition,
} from './conditions.js';
import type { ConditionDraft } from './conditions.js';
import { cs, running, sidecarSpec, spec, T0, terminated, waiting } from './fixtures.js';

// Base: two regular init containers, a sidecar, and two app containers.
const base: PodSpec = {
  initContainers: [spec('init-1'), spec('init-2'), sidecarSpec('sc')],
  containers: [spec('a'), spec('b')],
};
const done = (name: string) => cs(name, terminated(0, 'Completed'), { ready: true, started: false });
const up = (name: string, ready = true) => cs(name, running(), { ready, started: true });
const initializedAll = [done('init-1'), done('init-2'), up('sc'), up('a'), up('b')];

interface Case {
  name: string;
  spec?: PodSpec;
  statuses: ContainerStatus[];
  phase?: PodPhase;
  want: ConditionDraft;
}

const initialized: Case[] = [
  { name: 'no init containers', spec: { containers: [spec('a')] }, statuses: [cs('a', waiting('ContainerCreating'))], want: { type: 'Initialized', status: 'True' } },
  { name: 'no statuses at all', statuses: [], want: { type: 'Initialized', status: 'False', reason: 'UnknownContainerStatuses' } },
  {
    name: 'first init running',
    statuses: [up('init-1', false), cs('init-2', waiting('PodInitializing')), cs('sc', waiting('PodInitializing')), cs('a', waiting('PodInitializing')), cs('b', waiting('PodInitializing'))],
    want: { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [init-1 init-2 sc]' },
  },
  {
    name: 'unknown and incomplete are both listed',
    statuses: [done('init-1'), cs('sc', running(), { started: false })],
    want: { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: 'containers with unknown status: [init-2], containers with incomplete status: [sc]' },
  },
  {
    name: 'a sidecar counts once started, even if not ready',
    statuses: [done('init-1'), done('init-2'), up('sc', false), cs('a', waiting('PodInitializing')), cs('b', waiting('PodInitializing'))],
    want: { type: 'Initialized', status: 'True' },
  },
  {
    name: 'a failed regular init container is incomplete',
    statuses: [done('init-1'), cs('init-2', terminated(1, 'Error')), up('sc'), cs('a', waiting('PodInitializing')), cs('b', waiting('PodInitializing'))],
    want: { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [init-2]' },
  },
  {
    name: 'once an app container ran, a restarting sidecar does not regress it',
    statuses: [done('init-1'), done('init-2'), cs('sc', waiting('CrashLoopBackOff')), up('a'), cs('b', terminated(0, 'Completed'))],
    want: { type: 'Initialized', status: 'True' },
  },
  {
    name: 'Succeeded with every status known: PodCompleted',
    phase: 'Succeeded',
    statuses: [done('init-1'), done('init-2'), cs('sc', terminated(137, 'Error')), cs('a', terminated(0)), cs('b', terminated(0))],
    want: { type: 'Initialized', status: 'True', reason: 'PodCompleted' },
  },
  {
    name: 'Succeeded with an unknown status falls through to the usual rules',
    phase: 'Succeeded',
    statuses: [done('init-1'), cs('sc', terminated(137, 'Error')), cs('a', terminated(0)), cs('b', terminated(0))],
    want: { type: 'Initialized', status: 'True' },
  },
];

const containersReady: Case[] = [
  { name: 'all ready', statuses: initializedAll, want: { type: 'ContainersReady', status: 'True' } },
  {
    name: 'one app unready',
    statuses: [done('init-1'), done('init-2'), up('sc'), up('a', false), up('b')],
    want: { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [a]' },
  },
  {
    name: 'an unready sidecar counts',
    statuses: [done('init-1'), done('init-2'), up('sc', false), up('a'), up('b')],
    want: { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [sc]' },
  },
  {
    name: 'regular init containers do not count',
    statuses: [cs('init-1', terminated(1, 'Error')), up('sc'), up('a'), up('b')],
    want: { type: 'ContainersReady', status: 'True' },
  },
  {
    name: 'unknown and unready, sidecars listed before apps',
    statuses: [done('init-1'), done('init-2'), up('sc', false), up('a', false)],
    want: { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: 'containers with unknown status: [b], containers with unready status: [sc a]' },
  },
  {
    name: 'Succeeded: PodCompleted',
    phase: 'Succeeded',
    statuses: [done('init-1'), done('init-2'), cs('sc', terminated(0)), cs('a', terminated(0)), cs('b', terminated(0))],
    want: { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' },
  },
  {
    name: 'Succeeded with an unknown container: the usual message',
    phase: 'Succeeded',
    statuses: [cs('sc', terminated(0)), cs('a', terminated(0))],
    want: { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: 'containers with unknown status: [b], containers with unready status: [sc a]' },
  },
  {
    name: 'Failed: PodFailed, even with ready containers',
    phase: 'Failed',
    statuses: initializedAll,
    want: { type: 'ContainersReady', status: 'False', reason: 'PodFailed' },
  },
];

for (const c of initialized) {
  test(`Initialized: ${c.name}`, () => {
    assert.deepEqual(podInitializedCondition(c.spec ?? base, c.statuses, c.phase ?? 'Pending'), c.want);
  });
}

for (const c of containersReady) {
  test(`ContainersReady: ${c.name}`, () => {
    assert.deepEqual(containersReadyCondition(c.spec ?? base, c.statuses, c.phase ?? 'Running'), c.want);
  });
}

interface ReadyCase {
  name: string;
  gates?: string[];
  conditions?: { type: string; status: 'True' | 'False' | 'Unknown' }[];
  statuses: ContainerStatus[];
  phase?: PodPhase;
  want: ConditionDraft;
}

const ready: ReadyCase[] = [
  { name: 'all containers ready, no gates', statuses: initializedAll, want: { type: 'Ready', status: 'True' } },
  {
    name: 'copies ContainersReady when that is not True',
    statuses: [done('init-1'), done('init-2'), up('sc'), up('a', false), up('b')],
    want: { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [a]' },
  },
  { name: 'copies PodCompleted', phase: 'Succeeded', statuses: [done('init-1'), done('init-2'), cs('sc', terminated(0)), cs('a', terminated(0)), cs('b', terminated(0))], want: { type: 'Ready', status: 'False', reason: 'PodCompleted' } },
  {
    name: 'a gate whose condition does not exist',
    gates: ['example.com/lb'],
    statuses: initializedAll,
    want: { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: 'corresponding condition of pod readiness gate "example.com/lb" does not exist.' },
  },
  {
    name: 'a gate whose condition is False',
    gates: ['example.com/lb'],
    conditions: [{ type: 'example.com/lb', status: 'False' }],
    statuses: initializedAll,
    want: { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: 'the status of pod readiness gate "example.com/lb" is not "True", but False' },
  },
  {
    name: 'several failing gates are joined',
    gates: ['g1', 'g2'],
    conditions: [{ type: 'g2', status: 'Unknown' }],
    statuses: initializedAll,
    want: {
      type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady',
      message: 'corresponding condition of pod readiness gate "g1" does not exist., the status of pod readiness gate "g2" is not "True", but Unknown',
    },
  },
  { name: 'gates all True', gates: ['g1'], conditions: [{ type: 'g1', status: 'True' }], statuses: initializedAll, want: { type: 'Ready', status: 'True' } },
];

for (const c of ready) {
  test(`Ready: ${c.name}`, () => {
    const podSpec: PodSpec = { ...base, ...(c.gates ? { readinessGates: c.gates.map((conditionType) => ({ conditionType })) } : {}) };
    assert.deepEqual(podReadyCondition(podSpec, c.conditions ?? [], c.statuses, c.phase ?? 'Running'), c.want);
  });
}

const earlier = '2026-11-26T20:00:00Z';
const previous: PodCondition[] = [
  { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: earlier, reason: 'ContainersNotReady' },
];

const stampCases: { name: string; draft: ConditionDraft; want: PodCondition }[] = [
  {
    name: 'unchanged status keeps the old transition time (even if the reason changed)',
    draft: { type: 'Ready', status: 'False', reason: 'PodCompleted' },
    want: { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: earlier, reason: 'PodCompleted' },
  },
  {
    name: 'a changed status transitions now',
    draft: { type: 'Ready', status: 'True' },
    want: { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-11-26T22:45:31Z' },
  },
  {
    name: 'a new condition transitions now',
    draft: { type: 'Initialized', status: 'True' },
    want: { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-11-26T22:45:31Z' },
  },
];

for (const c of stampCases) {
  test(`stampCondition: ${c.name}`, () => {
    assert.deepEqual(stampCondition(c.draft, previous, T0 + 400), c.want);
  });
}
