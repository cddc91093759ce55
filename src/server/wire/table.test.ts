import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEC, T0 } from '../../core/status/fixtures.js';
import { formatRfc3339 } from '../../core/time.js';
import {
  configMapColumns, eventColumns, metadataTable, namespaceColumns, nodeColumns, nodeRoles, secretColumns, since,
} from './table.js';
import type { EventLike, KindColumns, NodeLike, TableCell } from './table.js';

const NOW = T0 + 30 * 86_400 * SEC;
const ago = (seconds: number) => formatRfc3339(NOW - seconds * SEC);

function only<T extends { metadata: { name?: string } }>(printer: KindColumns<T>, obj: T): TableCell[] {
  const t = metadataTable([obj], printer, { now: NOW, includeObject: 'None', resourceVersion: '1' });
  return t.rows[0]?.cells ?? [];
}

const names = <T>(p: KindColumns<T>) => p.columns.map((c) => (c.priority === 1 ? `${c.name}*` : c.name));

test('column sets match kubectl printers (* = wide)', () => {
  assert.deepEqual(names(namespaceColumns), ['Name', 'Status', 'Age']);
  assert.deepEqual(names(nodeColumns), ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP*', 'External-IP*', 'OS-Image*', 'Kernel-Version*', 'Container-Runtime*']);
  assert.deepEqual(names(eventColumns), ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']);
  assert.deepEqual(names(secretColumns), ['Name', 'Type', 'Data', 'Age']);
  assert.deepEqual(names(configMapColumns), ['Name', 'Data', 'Age']);
});

const node = (o: Partial<NodeLike> = {}): NodeLike => ({
  metadata: { name: 'host-1', creationTimestamp: ago(10 * 86_400), labels: { 'node-role.kubernetes.io/control-plane': '' } },
  status: {
    conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
    addresses: [{ type: 'Hostname', address: 'host-1' }, { type: 'InternalIP', address: '192.168.1.10' }],
    nodeInfo: { kubeletVersion: 'v1.32.0-podd', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'podd://0.1.0' },
  },
  ...o,
});

const event = (o: Partial<EventLike> = {}): EventLike => ({
  metadata: { name: 'web.1800a', namespace: 'default' },
  involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{nginx}' },
  reason: 'Pulled', message: 'Successfully pulled image "nginx"\n', type: 'Normal', count: 3,
  firstTimestamp: ago(600), lastTimestamp: ago(65), source: { component: 'kubelet', host: 'host-1' },
  ...o,
});

const rows: { name: string; got: () => TableCell[]; want: TableCell[] }[] = [
  { name: 'namespace', got: () => only(namespaceColumns, { metadata: { name: 'default', creationTimestamp: ago(2 * 86_400 + 3 * 3600) }, status: { phase: 'Active' } }), want: ['default', 'Active', '2d3h'] },
  {
    name: 'node ready control-plane', got: () => only(nodeColumns, node()),
    want: ['host-1', 'Ready', 'control-plane', '10d', 'v1.32.0-podd', '192.168.1.10', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0', 'podd://0.1.0'],
  },
  {
    name: 'node without status, cordoned', got: () => only(nodeColumns, { metadata: { name: 'n', labels: { 'kubernetes.io/role': 'worker' } }, spec: { unschedulable: true } }),
    want: ['n', 'Unknown,SchedulingDisabled', 'worker', '<unknown>', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
  },
  { name: 'node not ready', got: () => only(nodeColumns, node({ status: { conditions: [{ type: 'Ready', status: 'False' }] } })).slice(0, 3), want: ['host-1', 'NotReady', 'control-plane'] },
  {
    name: 'event', got: () => only(eventColumns, event()),
    want: ['65s', 'Normal', 'Pulled', 'pod/web', 'spec.containers{nginx}', 'kubelet, host-1', 'Successfully pulled image "nginx"', '10m', 3, 'web.1800a'],
  },
  {
    name: 'event without lastTimestamp/count, eventTime only',
    got: () => only(eventColumns, event({ count: 0, firstTimestamp: null, lastTimestamp: null, eventTime: ago(5), source: {}, reportingComponent: 'podd', involvedObject: { kind: 'Node' } })),
    want: ['5s', 'Normal', 'Pulled', 'node', '', 'podd', 'Successfully pulled image "nginx"', '5s', 1, 'web.1800a'],
  },
  {
    name: 'event series (last seen and count from the series)', got: () => only(eventColumns, event({ series: { count: 9, lastObservedTime: ago(1) } })),
    want: ['1s', 'Normal', 'Pulled', 'pod/web', 'spec.containers{nginx}', 'kubelet, host-1', 'Successfully pulled image "nginx"', '10m', 9, 'web.1800a'],
  },
  { name: 'secret', got: () => only(secretColumns, { metadata: { name: 's', creationTimestamp: ago(90) }, type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } }), want: ['s', 'kubernetes.io/tls', 2, '90s'] },
  { name: 'secret default type', got: () => only(secretColumns, { metadata: { name: 's' } }), want: ['s', 'Opaque', 0, '<unknown>'] },
  { name: 'configmap', got: () => only(configMapColumns, { metadata: { name: 'c', creationTimestamp: ago(400 * 86_400) }, data: { a: '1' }, binaryData: { b: 'AA==' } }), want: ['c', 2, '400d'] },
];

for (const r of rows) {
  test(`table cells: ${r.name}`, () => {
    assert.deepEqual(r.got(), r.want);
  });
}

test('nodeRoles', () => {
  assert.deepEqual(nodeRoles({ 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/': 'x', 'node-role.kubernetes.io/control-plane': 'true', 'kubernetes.io/role': 'worker' }), ['control-plane', 'worker']);
  assert.deepEqual(nodeRoles(undefined), []);
});

test('since', () => {
  assert.equal(since(undefined, NOW), '<unknown>');
  assert.equal(since('garbage', NOW), '<unknown>');
  assert.equal(since(ago(3 * 3600 + 20 * 60), NOW), '3h20m');
});
