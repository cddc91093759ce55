import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Endpoints, Service } from '../../api/service-types.js';
import { endpointSliceColumns, endpointsColumns, formatEndpoints, formatLabels, serviceColumns, serviceExternalIP, servicePorts } from './service-table.js';
import { metadataTable } from './table.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const meta = (name: string): Service['metadata'] => ({ name, namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' });

function svc(spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: meta('web'), spec };
}

test('services: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE, SELECTOR wide, as kubectl prints them', () => {
  assert.deepEqual(serviceColumns.columns.map((c) => [c.name, c.priority]), [
    ['Name', 0], ['Type', 0], ['Cluster-IP', 0], ['External-IP', 0], ['Port(s)', 0], ['Age', 0], ['Selector', 1],
  ]);
  const s = svc({ type: 'ClusterIP', clusterIP: '10.87.0.10', clusterIPs: ['10.87.0.10'], selector: { tier: 'f', app: 'web' },
    ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] });
  assert.deepEqual(serviceColumns.cells(s, NOW), ['web', 'ClusterIP', '10.87.0.10', '<none>', '80/TCP,53/UDP', '10m', 'app=web,tier=f']);
  const headless = svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] });
  assert.deepEqual(serviceColumns.cells(headless, NOW), ['web', 'ClusterIP', 'None', '<none>', '<none>', '10m', '<none>']);
  const ext = svc({ type: 'ExternalName', externalName: 'example.com', ports: [{ port: 443, protocol: 'TCP' }] });
  assert.deepEqual(serviceColumns.cells(ext, NOW), ['web', 'ExternalName', '<none>', 'example.com', '443/TCP', '10m', '<none>']);
  assert.equal(servicePorts(svc({ ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] })), '80:30080/TCP');
  assert.equal(serviceExternalIP(svc({ type: 'ClusterIP', externalIPs: ['192.0.2.1', '192.0.2.2'] })), '192.0.2.1,192.0.2.2');
  assert.equal(serviceExternalIP(svc({ type: 'LoadBalancer' })), '<pending>');
  assert.equal(formatLabels({}), '<none>');
});

function endpoints(subsets: Endpoints['subsets']): Endpoints {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: meta('web'), ...(subsets === undefined ? {} : { subsets }) };
}

test('endpoints: ready ip:port pairs, at most three then "+ N more...", <none> without subsets', () => {
  assert.equal(formatEndpoints(endpoints(undefined)), '<none>');
  assert.equal(formatEndpoints(endpoints([{ addresses: [{ ip: '10.86.0.5' }, { ip: '10.86.0.6' }], notReadyAddresses: [{ ip: '10.86.0.7' }], ports: [{ port: 8080 }] }])), '10.86.0.5:8080,10.86.0.6:8080');
  assert.equal(formatEndpoints(endpoints([{ notReadyAddresses: [{ ip: '10.86.0.7' }], ports: [{ port: 8080 }] }])), '');
  assert.equal(formatEndpoints(endpoints([{ addresses: [{ ip: '10.86.0.5' }] }])), '10.86.0.5', 'headless without ports');
  const many = [{ addresses: ['1', '2', '3', '4', '5'].map((n) => ({ ip: `10.86.0.${n}` })), ports: [{ port: 80 }, { port: 81 }] }];
  assert.equal(formatEndpoints(endpoints(many)), '10.86.0.1:80,10.86.0.2:80,10.86.0.3:80 + 7 more...');
  assert.deepEqual(endpointsColumns.cells(endpoints(undefined), NOW), ['web', '<none>', '10m']);
});

test('endpointslices: NAME ADDRESSTYPE PORTS ENDPOINTS AGE with <unset> for empty lists', () => {
  const slice = (endpoints: EndpointSlice['endpoints'], ports?: EndpointSlice['ports']): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta('web-abcde'), addressType: 'IPv4', endpoints, ...(ports === undefined ? {} : { ports }),
  });
  assert.deepEqual(endpointSliceColumns.cells(slice([]), NOW), ['web-abcde', 'IPv4', '<unset>', '<unset>', '10m']);
  assert.deepEqual(endpointSliceColumns.cells(slice([{ addresses: ['10.86.0.5'] }, { addresses: ['10.86.0.6'] }], [{ name: '', port: 8080 }, { name: 'x' }, {}]), NOW),
    ['web-abcde', 'IPv4', '8080,x,*', '10.86.0.5,10.86.0.6', '10m']);
  const four = ['1', '2', '3', '4'].map((n) => ({ addresses: [`10.86.0.${n}`] }));
  assert.equal(endpointSliceColumns.cells(slice(four), NOW)[3], '10.86.0.1,10.86.0.2,10.86.0.3 + 1 more...');
  const table = metadataTable([slice([])], endpointSliceColumns, { now: NOW, includeObject: 'Metadata', resourceVersion: '5' });
  assert.deepEqual(table.columnDefinitions.map((c) => c.name), ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
});
