import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container, PodSpec } from '../../api/types.js';
import { podCgroupLimits } from './pod-cgroup.js';

const c = (name: string, limits?: Record<string, string>, sidecar = false): Container => ({
  name, image: 'busybox', ...(limits ? { resources: { limits } } : {}), ...(sidecar ? { restartPolicy: 'Always' } : {}),
});

const cases: { name: string; spec: PodSpec; want: ReturnType<typeof podCgroupLimits> }[] = [
  { name: 'no limits: unbounded', spec: { containers: [c('a')] }, want: {} },
  { name: 'one app limited, one not: unbounded', spec: { containers: [c('a', { memory: '64Mi' }), c('b')] }, want: {} },
  { name: 'sum of apps', spec: { containers: [c('a', { memory: '64Mi', cpu: '500m' }), c('b', { memory: '32Mi', cpu: '250m' })] }, want: { memory: 96 * 1048576, cpu: 0.75 } },
  { name: 'largest init wins over the apps', spec: { initContainers: [c('i', { memory: '1Gi' })], containers: [c('a', { memory: '64Mi' })] }, want: { memory: 1073741824 } },
  { name: 'an unlimited init leaves the pod unbounded', spec: { initContainers: [c('i')], containers: [c('a', { memory: '64Mi' })] }, want: {} },
  { name: 'a zero limit is no limit', spec: { containers: [c('a', { memory: '64Mi' }), c('b', { memory: '0' })] }, want: {} },
  { name: 'sidecar adds to the apps', spec: { initContainers: [c('s', { memory: '16Mi' }, true)], containers: [c('a', { memory: '64Mi' })] }, want: { memory: 80 * 1048576 } },
];
for (const t of cases) {
  test(`pod cgroup limits: ${t.name}`, () => assert.deepEqual(podCgroupLimits(t.spec), t.want));
}
