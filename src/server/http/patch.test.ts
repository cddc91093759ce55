import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergePatch, strategicMergePatch } from './patch.js';

test('merge patch replaces lists and deletes with null', () => {
  assert.deepEqual(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [3] }), { a: 1, b: { d: 3, e: 4 }, l: [3] });
});

test('strategic merge patch merges containers by name and honours $setElementOrder', () => {
  const pod = { spec: { containers: [{ name: 'app', image: 'busybox:1' }, { name: 'side', image: 'nginx:1' }] } };
  const out = strategicMergePatch(pod, {
    spec: { '$setElementOrder/containers': [{ name: 'app' }, { name: 'side' }], containers: [{ name: 'side', image: 'nginx:2' }] },
  });
  assert.deepEqual(out, { spec: { containers: [{ name: 'app', image: 'busybox:1' }, { name: 'side', image: 'nginx:2' }] } });
});

test('strategic merge patch: $patch delete, null, ports by containerPort, $deleteFromPrimitiveList', () => {
  const base = { metadata: { labels: { a: '1', b: '2' }, finalizers: ['x', 'y'] },
    spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, protocol: 'TCP' }] }, { name: 'b' }] } };
  const out = strategicMergePatch(base, {
    metadata: { labels: { b: null }, '$deleteFromPrimitiveList/finalizers': ['x'] },
    spec: { containers: [{ name: 'b', $patch: 'delete' }, { name: 'a', ports: [{ containerPort: 80, name: 'http' }] }] },
  });
  assert.deepEqual(out, { metadata: { labels: { a: '1' }, finalizers: ['y'] },
    spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }] }] } });
});
