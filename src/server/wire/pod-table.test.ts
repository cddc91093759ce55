import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodCondition } from '../../api/types.js';
import { cs, makePod, running, SEC, spec, T0, terminated, waiting } from '../../core/status/fixtures.js';
import { formatRfc3339 } from '../../core/time.js';
import { podTable } from './pod-table.js';
import type { TableCell } from './table.js';

const NOW = T0 + 3600 * SEC;
const ago = (seconds: number) => formatRfc3339(NOW - seconds * SEC);
const cond = (type: string, status: PodCondition['status']): PodCondition => ({ type, status, lastProbeTime: null, lastTransitionTime: ago(100) });

const web: Pod = makePod({ containers: [spec('nginx'), spec('sidecar')], nodeName: 'node-1' }, {
  metadata: { name: 'web', namespace: 'default', uid: 'u-web', creationTimestamp: ago(29), labels: { app: 'web' } },
  status: {
    phase: 'Running', podIP: '10.88.0.5', podIPs: [{ ip: '10.88.0.5' }],
    conditions: [cond('Initialized', 'True'), cond('Ready', 'True')],
    containerStatuses: [cs('nginx', running(), { ready: true, started: true }), cs('sidecar', running(), { ready: true, started: true })],
  },
});

const init: Pod = makePod({ initContainers: [spec('init-1'), spec('init-2')], containers: [spec('app')] }, {
  metadata: { name: 'init', namespace: 'default', uid: 'u-init', creationTimestamp: ago(300) },
  status: {
    phase: 'Pending', conditions: [cond('Initialized', 'False')],
    initContainerStatuses: [cs('init-1', terminated(0, 'Completed')), cs('init-2', running())],
    containerStatuses: [cs('app', waiting('PodInitializing'))],
  },
});

const job: Pod = makePod({ containers: [spec('main')], restartPolicy: 'OnFailure', readinessGates: [{ conditionType: 'example.com/gate' }], nodeName: 'node-1' }, {
  metadata: { name: 'job', namespace: 'default', uid: 'u-job', creationTimestamp: ago(3 * 3600) },
  status: {
    phase: 'Succeeded', podIP: '10.88.0.7', conditions: [cond('Initialized', 'True'), cond('example.com/gate', 'True')],
    containerStatuses: [cs('main', terminated(0, 'Completed'), {
      restartCount: 2, lastState: terminated(1, 'Error', { finishedAt: ago(300) }),
    })],
  },
});

const cases: { name: string; pod: Pod; cells: TableCell[] }[] = [
  { name: 'Running', pod: web, cells: ['web', '2/2', 'Running', '0', '29s', '10.88.0.5', 'node-1', '<none>', '<none>'] },
  { name: 'Init:1/2', pod: init, cells: ['init', '0/1', 'Init:1/2', '0', '5m', '<none>', '<none>', '<none>', '<none>'] },
  { name: 'Completed with restarts', pod: job, cells: ['job', '0/1', 'Completed', '2 (5m ago)', '3h', '10.88.0.7', 'node-1', '<none>', '1/1'] },
  {
    name: 'no creationTimestamp, unmet gate',
    pod: { ...job, metadata: { name: 'x' }, status: { phase: 'Pending' } },
    cells: ['x', '0/1', 'Pending', '0', '<unknown>', '<none>', 'node-1', '<none>', '0/1'],
  },
];

for (const c of cases) {
  test(`pod table cells: ${c.name}`, () => {
    const t = podTable([c.pod], { now: NOW, includeObject: 'None', resourceVersion: '7' });
    assert.equal(t.rows.length, 1);
    assert.deepEqual(t.rows[0]?.cells, c.cells);
    assert.equal(t.rows[0]?.object, undefined);
  });
}

test('pod table: columns as kubectl printPod', () => {
  const t = podTable([], { now: NOW, includeObject: 'Metadata', resourceVersion: '7' });
  assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.type, c.format, c.priority]), [
    ['Name', 'string', 'name', 0], ['Ready', 'string', '', 0], ['Status', 'string', '', 0], ['Restarts', 'string', '', 0],
    ['Age', 'string', '', 0], ['IP', 'string', '', 1], ['Node', 'string', '', 1], ['Nominated Node', 'string', '', 1],
    ['Readiness Gates', 'string', '', 1],
  ]);
  assert.ok(t.columnDefinitions.every((c) => c.description.length > 0));
  assert.deepEqual(t.rows, []);
});

test('pod table: envelope, includeObject and row conditions', () => {
  const meta = podTable([web, job], { now: NOW, includeObject: 'Metadata', resourceVersion: '1035', continue: 'abc' });
  assert.equal(meta.kind, 'Table');
  assert.equal(meta.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(meta.metadata, { resourceVersion: '1035', continue: 'abc' });
  assert.deepEqual(meta.rows[0]?.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: web.metadata });
  assert.equal(meta.rows[0]?.conditions, undefined);
  assert.deepEqual(meta.rows[1]?.conditions,
    [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);

  const full = podTable([web], { now: NOW, includeObject: 'Object', resourceVersion: '1', version: 'v1beta1', omitColumns: true });
  assert.equal(full.apiVersion, 'meta.k8s.io/v1beta1');
  assert.deepEqual(full.metadata, { resourceVersion: '1' });
  assert.deepEqual(full.columnDefinitions, []);
  assert.equal(full.rows[0]?.object, web);
});

test('pod table: Failed phase row condition', () => {
  const failed: Pod = { ...job, status: { phase: 'Failed' } };
  const t = podTable([failed], { now: NOW, includeObject: 'None', resourceVersion: '1' });
  assert.deepEqual(t.rows[0]?.conditions, [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]);
});
