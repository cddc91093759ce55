import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildClusterIndex } from './cluster-index.js';
import { resolveQuestion } from './resolver.js';
import type { ClusterObjects, PodLike, Resolution, ResourceRecord } from './types.js';

const ready = [{ type: 'Ready', status: 'True' }];
const pod = (name: string, ip: string, extra: Partial<PodLike['spec']> = {}, opts: { ready?: boolean; ns?: string; deleting?: boolean } = {}): PodLike => ({
  metadata: { name, namespace: opts.ns ?? 'default', labels: { app: 'legacy' }, ...(opts.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
  spec: { containers: [{ ports: [{ name: 'web', containerPort: 8080 }] }], ...extra },
  status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: opts.ready === false ? [] : ready },
});

const OBJECTS: ClusterObjects = {
  services: [
    { metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [
      { name: 'http', port: 80, protocol: 'TCP' }, { port: 9090 }, { name: 'dns', port: 53, protocol: 'UDP' }] } },
    { metadata: { name: 'db', namespace: 'default' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432 }] } },
    { metadata: { name: 'cache', namespace: 'other' }, spec: { clusterIP: 'None', ports: [{ name: 'redis', port: 6379 }] } },
    { metadata: { name: 'legacy', namespace: 'default' }, spec: { clusterIP: 'None', selector: { app: 'legacy' }, ports: [{ name: 'web', port: 80, targetPort: 'web' }] } },
    { metadata: { name: 'empty', namespace: 'default' }, spec: { clusterIP: 'None', selector: { app: 'nothing' } } },
    { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'www.Example.com.' } },
    { metadata: { name: 'alias', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' } },
    { metadata: { name: 'v6', namespace: 'default' }, spec: { clusterIP: '10.96.0.11', clusterIPs: ['10.96.0.11', 'fd00::11'] } },
  ],
  endpointSlices: [{
    metadata: { name: 'db-abc', namespace: 'default', labels: { 'kubernetes.io/service-name': 'db' } },
    addressType: 'IPv4',
    endpoints: [
      { addresses: ['10.86.0.5'], hostname: 'db-0', conditions: { ready: true } },
      { addresses: ['10.86.0.6'], hostname: 'db-1', conditions: { ready: false } },
      { addresses: ['10.86.0.7'] },
    ],
    ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
  }],
  endpoints: [
    { metadata: { name: 'cache', namespace: 'other' }, subsets: [{ addresses: [{ ip: '10.86.0.9', hostname: 'c1' }], notReadyAddresses: [{ ip: '10.86.0.10' }], ports: [{ name: 'redis', port: 6379, protocol: 'TCP' }] }] },
    // the slices of db win over an Endpoints object
    { metadata: { name: 'db', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.86.0.99' }] }] },
  ],
  pods: [
    pod('l0', '10.86.0.20', { hostname: 'l0', subdomain: 'legacy' }),
    pod('l1', '10.86.0.21', { hostname: 'l1', subdomain: 'legacy' }, { ready: false }),
    pod('l2', '10.86.0.22', {}, { deleting: true }),
    pod('l3', '10.86.0.23', {}, { ns: 'other' }),
    pod('l4', '10.86.0.24', { hostname: 'l4', subdomain: 'elsewhere' }),
  ],
};

const index = buildClusterIndex(OBJECTS, { zone: 'cluster.local', serial: 42 });

function line(r: ResourceRecord): string {
  const d = r.data;
  const data = typeof d === 'string' ? d
    : 'target' in d ? `${d.priority} ${d.weight} ${d.port} ${d.target}`
      : `${d.mname} ${d.rname} ${d.serial}`;
  return `${r.name} ${r.type} ${data}`;
}

/** One readable string per resolution: rcode, answers; `+` additionals; `@` authority types; `→` chase. */
function show(res: Resolution): string {
  if (res.kind === 'forward') return 'FORWARD';
  const parts = [res.rcode, ...res.answers.map(line)];
  if (res.additionals.length > 0) parts.push(...res.additionals.map((r) => `+${line(r)}`));
  if (res.authorities.length > 0) parts.push(`@${res.authorities.map((r) => r.type).join(',')}`);
  if (res.chase) parts.push(`→ ${res.chase.name} ${res.chase.type}`);
  return parts.join(' | ');
}

const SVC = 'default.svc.cluster.local';
const CASES: [string, string, string][] = [
  // ClusterIP services
  [`web.${SVC}`, 'A', `NOERROR | web.${SVC} A 10.96.0.10`],
  ['WEB.Default.SVC.cluster.LOCAL.', 'A', 'NOERROR | WEB.Default.SVC.cluster.LOCAL A 10.96.0.10'],
  [`web.${SVC}.`, 'a', `NOERROR | web.${SVC} A 10.96.0.10`],
  [`web.${SVC}`, 'AAAA', 'NOERROR | @SOA'],
  [`web.${SVC}`, 'MX', 'NOERROR | @SOA'],
  [`v6.${SVC}`, 'AAAA', `NOERROR | v6.${SVC} AAAA fd00::11`],
  [`v6.${SVC}`, 'ANY', `NOERROR | v6.${SVC} A 10.96.0.11 | v6.${SVC} AAAA fd00::11`],
  [`_http._tcp.web.${SVC}`, 'SRV', `NOERROR | _http._tcp.web.${SVC} SRV 0 100 80 web.${SVC} | +web.${SVC} A 10.96.0.10`],
  [`_DNS._UDP.web.${SVC}`, 'SRV', `NOERROR | _DNS._UDP.web.${SVC} SRV 0 100 53 web.${SVC} | +web.${SVC} A 10.96.0.10`],
  [`web.${SVC}`, 'SRV', `NOERROR | web.${SVC} SRV 0 50 80 web.${SVC} | web.${SVC} SRV 0 50 53 web.${SVC} | +web.${SVC} A 10.96.0.10`],
  [`_http._udp.web.${SVC}`, 'SRV', 'NXDOMAIN | @SOA'],
  [`_udp.web.${SVC}`, 'SRV', 'NOERROR | @SOA'],
  [`_http._tcp.web.${SVC}`, 'A', 'NOERROR | @SOA'],
  // headless from EndpointSlices: ready endpoints only, hostname or dashed-IP names
  [`db.${SVC}`, 'A', `NOERROR | db.${SVC} A 10.86.0.5 | db.${SVC} A 10.86.0.7`],
  [`db-0.db.${SVC}`, 'A', `NOERROR | db-0.db.${SVC} A 10.86.0.5`],
  [`db-1.db.${SVC}`, 'A', 'NXDOMAIN | @SOA'],
  [`10-86-0-7.db.${SVC}`, 'A', `NOERROR | 10-86-0-7.db.${SVC} A 10.86.0.7`],
  [`_pg._tcp.db.${SVC}`, 'SRV',
    `NOERROR | _pg._tcp.db.${SVC} SRV 0 50 5432 db-0.db.${SVC} | _pg._tcp.db.${SVC} SRV 0 50 5432 10-86-0-7.db.${SVC}`
    + ` | +db-0.db.${SVC} A 10.86.0.5 | +10-86-0-7.db.${SVC} A 10.86.0.7`],
  // headless from Endpoints (no slices): notReadyAddresses are left out
  ['cache.other.svc.cluster.local', 'A', 'NOERROR | cache.other.svc.cluster.local A 10.86.0.9'],
  ['c1.cache.other.svc.cluster.local', 'A', 'NOERROR | c1.cache.other.svc.cluster.local A 10.86.0.9'],
  ['_redis._tcp.cache.other.svc.cluster.local', 'SRV',
    'NOERROR | _redis._tcp.cache.other.svc.cluster.local SRV 0 100 6379 c1.cache.other.svc.cluster.local | +c1.cache.other.svc.cluster.local A 10.86.0.9'],
  // headless from the pods (no endpoint objects): ready, not deleting, same namespace; hostname only with subdomain = service
  [`legacy.${SVC}`, 'A', `NOERROR | legacy.${SVC} A 10.86.0.20 | legacy.${SVC} A 10.86.0.24`],
  [`l0.legacy.${SVC}`, 'A', `NOERROR | l0.legacy.${SVC} A 10.86.0.20`],
  [`l1.legacy.${SVC}`, 'A', 'NXDOMAIN | @SOA'],
  [`l4.legacy.${SVC}`, 'A', 'NXDOMAIN | @SOA'],
  [`10-86-0-24.legacy.${SVC}`, 'A', `NOERROR | 10-86-0-24.legacy.${SVC} A 10.86.0.24`],
  [`_web._tcp.legacy.${SVC}`, 'SRV',
    `NOERROR | _web._tcp.legacy.${SVC} SRV 0 50 8080 l0.legacy.${SVC} | _web._tcp.legacy.${SVC} SRV 0 50 8080 10-86-0-24.legacy.${SVC}`
    + ` | +l0.legacy.${SVC} A 10.86.0.20 | +10-86-0-24.legacy.${SVC} A 10.86.0.24`],
  // a headless service without ready endpoints does not exist
  [`empty.${SVC}`, 'A', 'NXDOMAIN | @SOA'],
  // ExternalName
  [`ext.${SVC}`, 'A', `NOERROR | ext.${SVC} CNAME www.example.com | → www.example.com A`],
  [`ext.${SVC}`, 'CNAME', `NOERROR | ext.${SVC} CNAME www.example.com`],
  [`alias.${SVC}`, 'A', `NOERROR | alias.${SVC} CNAME web.${SVC} | web.${SVC} A 10.96.0.10`],
  // unknown cluster names, search-list expansions, empty non-terminals, the apex
  [`missing.${SVC}`, 'A', 'NXDOMAIN | @SOA'],
  [`example.com.${SVC}`, 'A', 'NXDOMAIN | @SOA'],
  ['web.svc.cluster.local', 'A', 'NXDOMAIN | @SOA'],
  ['web.cluster.local', 'A', 'NXDOMAIN | @SOA'],
  [SVC, 'A', 'NOERROR | @SOA'],
  ['svc.cluster.local', 'A', 'NOERROR | @SOA'],
  ['nope.cluster.local', 'A', 'NXDOMAIN | @SOA'],
  ['cluster.local', 'SOA', 'NOERROR | cluster.local SOA ns.dns.cluster.local hostmaster.cluster.local 42'],
  ['cluster.local', 'A', 'NOERROR | @SOA'],
  ['dns-version.cluster.local', 'TXT', 'NOERROR | dns-version.cluster.local TXT 1.1.0'],
  // deprecated pod records
  ['10-86-0-5.default.pod.cluster.local', 'A', 'NOERROR | 10-86-0-5.default.pod.cluster.local A 10.86.0.5'],
  ['10-86-0-5.default.pod.cluster.local', 'AAAA', 'NOERROR | @SOA'],
  ['999-1-1-1.default.pod.cluster.local', 'A', 'NXDOMAIN | @SOA'],
  ['web.default.pod.cluster.local', 'A', 'NXDOMAIN | @SOA'],
  // not ours
  ['example.com', 'A', 'FORWARD'],
  [`web.${SVC}.corp.example`, 'A', 'FORWARD'],
  ['local', 'A', 'FORWARD'],
  ['notcluster.local', 'A', 'FORWARD'],
  // reverse lookups: cluster addresses answered, the rest forwarded
  ['10.0.96.10.in-addr.arpa', 'PTR', `NOERROR | 10.0.96.10.in-addr.arpa PTR web.${SVC}`],
  ['5.0.86.10.in-addr.arpa.', 'PTR', `NOERROR | 5.0.86.10.in-addr.arpa PTR db-0.db.${SVC}`],
  ['6.0.86.10.in-addr.arpa', 'PTR', 'FORWARD'],
  ['1.1.1.1.in-addr.arpa', 'PTR', 'FORWARD'],
  ['0.86.10.in-addr.arpa', 'PTR', 'FORWARD'],
  ['10.0.96.10.in-addr.arpa', 'A', 'FORWARD'],
  [`1.1.0.0.${'0.'.repeat(24)}0.0.d.f.ip6.arpa`, 'PTR', `NOERROR | 1.1.0.0.${'0.'.repeat(24)}0.0.d.f.ip6.arpa PTR v6.${SVC}`],
];

for (const [name, type, want] of CASES) {
  test(`resolve ${name} ${type}`, () => {
    assert.equal(show(resolveQuestion(index, { name, type })), want);
  });
}

test('another zone: names under cluster.local are forwarded', () => {
  const other = buildClusterIndex(OBJECTS, { zone: 'Corp.Internal.', serial: 1 });
  assert.equal(show(resolveQuestion(other, { name: 'web.default.svc.corp.internal', type: 'A' })), 'NOERROR | web.default.svc.corp.internal A 10.96.0.10');
  assert.equal(show(resolveQuestion(other, { name: `web.${SVC}`, type: 'A' })), 'FORWARD');
});

test('an empty cluster still answers its zone', () => {
  const empty = buildClusterIndex({ services: [], endpointSlices: [], endpoints: [], pods: [] }, { zone: 'cluster.local', serial: 0 });
  assert.equal(show(resolveQuestion(empty, { name: `kubernetes.${SVC}`, type: 'A' })), 'NXDOMAIN | @SOA');
  assert.equal(show(resolveQuestion(empty, { name: 'dns-version.cluster.local', type: 'TXT' })), 'NOERROR | dns-version.cluster.local TXT 1.1.0');
});

test('publishNotReadyAddresses publishes unready endpoints', () => {
  const objects: ClusterObjects = {
    ...OBJECTS,
    services: [{ metadata: { name: 'legacy', namespace: 'default' }, spec: { clusterIP: 'None', selector: { app: 'legacy' }, publishNotReadyAddresses: true } }],
  };
  const idx = buildClusterIndex(objects, { zone: 'cluster.local', serial: 1 });
  assert.equal(show(resolveQuestion(idx, { name: `l1.legacy.${SVC}`, type: 'A' })), `NOERROR | l1.legacy.${SVC} A 10.86.0.21`);
});
