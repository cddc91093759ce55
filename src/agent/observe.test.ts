import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InstanceMeta } from '../runtime/oci/container-runtime.js';
import { podRuntimeView, type TrackedInstance } from './observe.js';

function tracked(id: string, role: InstanceMeta['role'], name: string, sandboxId: string, attempt: number, state: TrackedInstance['state'], extra: Partial<InstanceMeta> = {}): TrackedInstance {
  return {
    state,
    meta: {
      id, role, podUid: 'u', podName: 'p', namespace: 'default', name, sandboxId, attempt, restartCount: 0, specHash: 'h',
      image: 'busybox', imageId: 'sha256:x', createdAt: attempt * 100 + id.length, logPath: '/l', cgroupsPath: '/c', overlay: role !== 'sandbox',
      ...extra,
    },
  };
}

test('the view has every sandbox, and init instances of the latest sandbox only (purged as the kubelet does)', () => {
  const view = podRuntimeView([
    tracked('s0', 'sandbox', 'POD', '', 0, 'exited'),
    tracked('i0', 'init', 'init-1', 's0', 0, 'exited', { exitCode: 0 }),
    tracked('a0', 'app', 'app', 's0', 0, 'exited', { exitCode: 137 }),
    tracked('s1', 'sandbox', 'POD', '', 1, 'running'),
    tracked('i1', 'init', 'init-1', 's1', 1, 'running'),
  ]);
  assert.deepEqual(view.sandboxes.map((s) => [s.id, s.state, s.attempt]), [['s0', 'notready', 0], ['s1', 'ready', 1]]);
  assert.deepEqual(view.containers.map((c) => c.id), ['a0', 'i1']);
});

test('exit details reach the planner: code, reason, times, kind', () => {
  const view = podRuntimeView([
    tracked('s0', 'sandbox', 'POD', '', 0, 'running'),
    tracked('a0', 'app', 'app', 's0', 0, 'exited', { exitCode: 137, reason: 'OOMKilled', startedAt: 5, finishedAt: 9 }),
  ]);
  const c = view.containers[0];
  assert.equal(c?.kind, 'app');
  assert.equal(c?.exitCode, 137);
  assert.equal(c?.reason, 'OOMKilled');
  assert.equal(c?.startedAt, 5);
  assert.equal(c?.finishedAt, 9);
});
