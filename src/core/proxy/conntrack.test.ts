import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EndpointSlice, Service } from '../../api/service-types.js';
import { SERVICE_NAME_LABEL } from '../../api/service-types.js';
import { conntrackDeleteArgs, staleUdpFlows } from './conntrack.js';
import { udpDestinations } from './rules.js';

const dest = (entries: Record<string, string[]>): Map<string, Set<string>> => new Map(Object.entries(entries).map(([k, v]) => [k, new Set(v)]));

const cases: { name: string; before: Record<string, string[]>; after: Record<string, string[]>; want: string[][] }[] = [
  { name: 'nothing changed, nothing to clear', before: { '10.87.0.5:53': ['10.86.0.2'] }, after: { '10.87.0.5:53': ['10.86.0.2'] }, want: [] },
  {
    name: 'an endpoint gone: only its flows',
    before: { '10.87.0.5:53': ['10.86.0.2', '10.86.0.3'] }, after: { '10.87.0.5:53': ['10.86.0.3'] },
    want: [['-D', '-p', 'udp', '--orig-dst', '10.87.0.5', '--dport', '53', '--dst-nat', '10.86.0.2']],
  },
  { name: 'an endpoint added beside others: nothing (old flows still have a live endpoint)', before: { '10.87.0.5:53': ['10.86.0.2'] }, after: { '10.87.0.5:53': ['10.86.0.2', '10.86.0.4'] }, want: [] },
  {
    name: 'endpoints after none: every flow of the port (they met the REJECT)',
    before: { '10.87.0.5:53': [] }, after: { '10.87.0.5:53': ['10.86.0.4'] },
    want: [['-D', '-p', 'udp', '--orig-dst', '10.87.0.5', '--dport', '53']],
  },
  {
    name: 'a new Service port with endpoints: every flow of it',
    before: {}, after: { '10.87.0.6:9000': ['10.86.0.7'] },
    want: [['-D', '-p', 'udp', '--orig-dst', '10.87.0.6', '--dport', '9000']],
  },
  {
    name: 'a Service deleted: the flows to each of its endpoints',
    before: { '10.87.0.5:53': ['10.86.0.2', '10.86.0.3'] }, after: {},
    want: [
      ['-D', '-p', 'udp', '--orig-dst', '10.87.0.5', '--dport', '53', '--dst-nat', '10.86.0.2'],
      ['-D', '-p', 'udp', '--orig-dst', '10.87.0.5', '--dport', '53', '--dst-nat', '10.86.0.3'],
    ],
  },
  {
    name: 'the last endpoint gone: its flows',
    before: { '10.87.0.5:53': ['10.86.0.2'] }, after: { '10.87.0.5:53': [] },
    want: [['-D', '-p', 'udp', '--orig-dst', '10.87.0.5', '--dport', '53', '--dst-nat', '10.86.0.2']],
  },
];

for (const c of cases) {
  test(`staleUdpFlows: ${c.name}`, () => {
    assert.deepEqual(staleUdpFlows(dest(c.before), dest(c.after)).map(conntrackDeleteArgs), c.want);
  });
}

test('udpDestinations: UDP ports of proxied Services only, with their usable endpoints', () => {
  const svc = (name: string, clusterIP: string, protocol: string): Service => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' },
    spec: { clusterIP, ports: [{ name: 'p', port: 53, protocol }] },
  });
  const slice = (service: string, protocol: string, endpoints: { ip: string; ready: boolean }[]): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${service}-x`, namespace: 'default', labels: { [SERVICE_NAME_LABEL]: service } },
    addressType: 'IPv4', ports: [{ name: 'p', port: 5353, protocol }],
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready } })),
  });
  const got = udpDestinations({
    nodeName: 'n',
    services: [svc('dns', '10.87.0.5', 'UDP'), svc('web', '10.87.0.6', 'TCP'), svc('headless', 'None', 'UDP'), svc('empty', '10.87.0.7', 'UDP')],
    slices: [slice('dns', 'UDP', [{ ip: '10.86.0.2', ready: true }, { ip: '10.86.0.3', ready: false }]), slice('web', 'TCP', [{ ip: '10.86.0.9', ready: true }]), slice('headless', 'UDP', [{ ip: '10.86.0.8', ready: true }])],
  });
  assert.deepEqual([...got].map(([k, v]) => [k, [...v]]), [['10.87.0.5:53', ['10.86.0.2']], ['10.87.0.7:53', []]]);
});
