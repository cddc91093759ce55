import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from '../../api/types.js';
import { terminationOrder, terminationPlan, type KillStep, type LiveContainer } from './order.js';

const sidecar = (name: string, extra: Partial<Container> = {}): Container => ({ name, image: 'busybox', restartPolicy: 'Always', ...extra });
const plain = (name: string, extra: Partial<Container> = {}): Container => ({ name, image: 'busybox', ...extra });
const preStop = { lifecycle: { preStop: { exec: { command: ['true'] } } } };

function pod(inits: Container[], apps: Container[], grace = 30): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec: { initContainers: inits, containers: apps, terminationGracePeriodSeconds: grace } };
}

const running = (...names: string[]): LiveContainer[] => names.map((name) => ({ id: `id-${name}`, name, state: 'running' }));

test('terminationOrder: sidecars wait for every running app and the next running sidecar; nothing else waits', () => {
  const three = pod([sidecar('s1'), sidecar('s2'), plain('init'), sidecar('s3')], [plain('a'), plain('b')]);
  const cases: { name: string; pod: Pod; running: string[]; want: Record<string, string[]> | undefined }[] = [
    { name: 'no sidecars: no ordering at all', pod: pod([plain('init')], [plain('a')]), running: ['a'], want: undefined },
    {
      name: 'three sidecars, everything running: reverse order after the apps',
      pod: three, running: ['s1', 's2', 's3', 'a', 'b'],
      want: { s3: ['a', 'b'], s2: ['a', 'b', 's3'], s1: ['a', 'b', 's2'] },
    },
    {
      name: 'apps already exited (a Job-like pod): the last sidecar goes first, at once',
      pod: three, running: ['s1', 's2', 's3'],
      want: { s3: [], s2: ['s3'], s1: ['s2'] },
    },
    {
      name: 'a sidecar that is not running is not waited for, nor is what it would have waited for (kubelet channel semantics)',
      pod: three, running: ['s1', 's3', 'a'],
      want: { s3: ['a'], s2: ['a', 's3'], s1: ['a'] },
    },
    {
      name: 'a regular init container between sidecars is never waited for',
      pod: pod([sidecar('s1'), plain('init'), sidecar('s2')], [plain('a')]), running: ['s1', 'init', 's2'],
      want: { s2: [], s1: ['s2'] },
    },
  ];
  for (const c of cases) {
    const got = terminationOrder(c.pod, c.running);
    assert.deepEqual(got === undefined ? undefined : Object.fromEntries(got), c.want, c.name);
  }
});

test('terminationPlan: every live container at once, preStop for running ones with a hook, the grace per container or the pod override', () => {
  const p = pod([sidecar('s1', preStop), sidecar('s2'), sidecar('s3', preStop)], [plain('a', preStop), plain('b')], 10);
  const step = (name: string, extra: Partial<KillStep>): KillStep => ({ id: `id-${name}`, name, runPreStop: false, graceSeconds: 10, waitFor: [], ...extra });
  const cases: { name: string; pod: Pod; live: LiveContainer[]; terminating: boolean; want: KillStep[] }[] = [
    {
      name: 'termination order with three sidecars, preStops wherever defined',
      pod: p, live: running('a', 'b', 's1', 's2', 's3'), terminating: false,
      want: [
        step('a', { runPreStop: true }),
        step('b', {}),
        step('s1', { runPreStop: true, waitFor: ['a', 'b', 's2'] }),
        step('s2', { waitFor: ['a', 'b', 's3'] }),
        step('s3', { runPreStop: true, waitFor: ['a', 'b'] }),
      ],
    },
    {
      name: 'a deleted pod: its deletion grace overrides',
      pod: { ...p, metadata: { ...p.metadata, deletionTimestamp: '2025-01-01T00:00:00Z', deletionGracePeriodSeconds: 3 } },
      live: running('a'), terminating: true,
      want: [step('a', { runPreStop: true, graceSeconds: 3 })],
    },
    {
      name: 'deleted with grace 0: the pod worker\'s minimum of 1 s, so preStop still runs',
      pod: { ...p, metadata: { ...p.metadata, deletionTimestamp: '2025-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 } },
      live: running('a'), terminating: true,
      want: [step('a', { runPreStop: true, graceSeconds: 1 })],
    },
    {
      name: 'not terminating but deletion grace 0 (per-container grace): no budget, no preStop',
      pod: { ...p, metadata: { ...p.metadata, deletionGracePeriodSeconds: 0 } },
      live: running('a'), terminating: false,
      want: [step('a', { graceSeconds: 0 })],
    },
    {
      name: 'created or unknown instances get no preStop and wait for nothing; they are not waited for either',
      pod: p,
      live: [{ id: 'id-a', name: 'a', state: 'created' }, { id: 'id-s3', name: 's3', state: 'unknown' }, ...running('s2')],
      terminating: false,
      want: [step('a', {}), step('s3', {}), step('s2', { waitFor: [] })],
    },
  ];
  for (const c of cases) assert.deepEqual(terminationPlan(c.pod, c.live, c.terminating), c.want, c.name);
});
