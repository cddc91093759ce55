import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, PodSpec, ResourceList } from '../../api/types.js';
import { containerLimits, containerRequests, effectivePodResources } from './effective.js';

function c(name: string, requests?: ResourceList, limits?: ResourceList, sidecar = false): Container {
  const out: Container = { name, image: 'busybox' };
  if (requests || limits) out.resources = { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
  if (sidecar) out.restartPolicy = 'Always';
  return out;
}

// Section 3's worked example.
const worked: PodSpec = {
  containers: [c('app-a', { cpu: '200m' }), c('app-b', { cpu: '300m' })],
  initContainers: [c('init-1', { cpu: '500m' }), c('sidecar-1', { cpu: '100m' }, undefined, true), c('init-2', { cpu: '300m' })],
};

interface Case { name: string; spec: PodSpec; requests: Record<string, number>; limits: Record<string, number> }

const cases: Case[] = [
  { name: 'worked example: max(600m steady, 500m init) = 600m', spec: worked, requests: { cpu: 0.6 }, limits: {} },
  {
    name: 'worked example with init-1 at 2 cpu: 2',
    spec: { ...worked, initContainers: [c('init-1', { cpu: '2' }), ...(worked.initContainers ?? []).slice(1)] },
    requests: { cpu: 2 },
    limits: {},
  },
  { name: 'no resources at all', spec: { containers: [c('a'), c('b')] }, requests: {}, limits: {} },
  {
    name: 'apps are summed',
    spec: { containers: [c('a', { cpu: '100m', memory: '64Mi' }), c('b', { cpu: '200m', memory: '64Mi' })] },
    requests: { cpu: 0.3, memory: 128 * 2 ** 20 },
    limits: {},
  },
  {
    name: 'classic init: the largest single init wins over the app sum',
    spec: { containers: [c('a', { memory: '100Mi' })], initContainers: [c('i1', { memory: '200Mi' }), c('i2', { memory: '50Mi' })] },
    requests: { memory: 200 * 2 ** 20 },
    limits: {},
  },
  {
    name: 'classic init: inits are not summed with each other',
    spec: { containers: [c('a', { cpu: '1' })], initContainers: [c('i1', { cpu: '600m' }), c('i2', { cpu: '600m' })] },
    requests: { cpu: 1 },
    limits: {},
  },
  {
    name: 'per resource independently: cpu from init, memory from apps',
    spec: { containers: [c('a', { cpu: '100m', memory: '1Gi' })], initContainers: [c('i', { cpu: '2', memory: '10Mi' })] },
    requests: { cpu: 2, memory: 2 ** 30 },
    limits: {},
  },
  {
    name: 'a regular init after a sidecar runs next to it',
    spec: { containers: [c('a', { cpu: '100m' })], initContainers: [c('s', { cpu: '500m' }, undefined, true), c('i', { cpu: '700m' })] },
    requests: { cpu: 1.2 },
    limits: {},
  },
  {
    name: 'a regular init before a sidecar does not add it',
    spec: { containers: [c('a', { cpu: '100m' })], initContainers: [c('i', { cpu: '700m' }), c('s', { cpu: '500m' }, undefined, true)] },
    requests: { cpu: 0.7 },
    limits: {},
  },
  {
    name: 'sidecars are cumulative during their own start',
    spec: {
      containers: [c('a')],
      initContainers: [c('s1', { memory: '100Mi' }, undefined, true), c('s2', { memory: '100Mi' }, undefined, true)],
    },
    requests: { memory: 200 * 2 ** 20 },
    limits: {},
  },
  {
    name: 'limits aggregate the same way; a container without a limit adds nothing',
    spec: {
      containers: [c('a', undefined, { cpu: '1', memory: '256Mi' }), c('b')],
      initContainers: [c('s', undefined, { cpu: '500m' }, true), c('i', undefined, { memory: '1Gi' })],
    },
    requests: { cpu: 1.5, memory: 2 ** 30 },
    limits: { cpu: 1.5, memory: 2 ** 30 },
  },
  {
    name: 'requests default to limits per resource name',
    spec: { containers: [c('a', { cpu: '100m' }, { cpu: '200m', memory: '64Mi' })] },
    requests: { cpu: 0.1, memory: 64 * 2 ** 20 },
    limits: { cpu: 0.2, memory: 64 * 2 ** 20 },
  },
  {
    name: 'extended and storage resources follow the same rule',
    spec: { containers: [c('a', { 'ephemeral-storage': '1G', 'example.com/gpu': '1' }), c('b', { 'example.com/gpu': '2' })] },
    requests: { 'ephemeral-storage': 1e9, 'example.com/gpu': 3 },
    limits: {},
  },
  {
    name: 'sums are exact in decimal (0.1 + 0.2)',
    spec: { containers: [c('a', { cpu: '100m' }), c('b', { cpu: '200m' })] },
    requests: { cpu: 0.3 },
    limits: {},
  },
];

for (const k of cases) {
  test(`effectivePodResources: ${k.name}`, () => {
    assert.deepEqual(effectivePodResources(k.spec), { requests: k.requests, limits: k.limits });
  });
}

test('containerLimits reports only the limits that are set', () => {
  assert.deepEqual(containerLimits(c('a', { cpu: '1' }, { memory: '1Gi', cpu: '1500m' })), { memory: 2 ** 30, cpu: 1.5 });
  assert.deepEqual(containerLimits(c('a', { cpu: '1' })), {});
});

test('containerRequests defaults from limits without overriding explicit requests', () => {
  assert.deepEqual(containerRequests(c('a', { cpu: '250m' }, { cpu: '1', memory: '1Gi' })), { cpu: 0.25, memory: 2 ** 30 });
});

test('malformed quantities are skipped, not thrown', () => {
  assert.deepEqual(effectivePodResources({ containers: [c('a', { cpu: 'lots', memory: '1Ki' })] }), {
    requests: { memory: 1024 },
    limits: {},
  });
});
