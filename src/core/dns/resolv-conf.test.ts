import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type ClusterDnsSettings, type PodDnsInput, type ResolvConfig, isLoopbackAddress, mergeDnsOptions, parseResolvConf,
  podDnsType, podHostDomain, podResolvConfig, renderResolvConf,
} from './resolv-conf.js';
import { gatewayOf } from './names.js';

test('parseResolvConf: nameservers accumulate, the last search and options lines win, comments and junk are skipped', () => {
  const text = [
    '# generated', 'nameserver 10.0.0.2', 'search a.example b.example.', '  nameserver   10.0.0.3  ', 'nameserver',
    'options ndots:2', 'search c.example. d.example', 'options timeout:1 rotate', 'domain ignored.example', 'sortlist 10.0.0.0',
  ].join('\n');
  assert.deepEqual(parseResolvConf(text), {
    nameservers: ['10.0.0.2', '10.0.0.3'], searches: ['c.example', 'd.example'], options: ['timeout:1', 'rotate'],
  });
  assert.deepEqual(parseResolvConf(''), { nameservers: [], searches: [], options: [] });
});

test('podDnsType: the kubelet table, with ClusterFirst on the host network falling back to Default', () => {
  const table: [string | undefined, boolean, string][] = [
    ['ClusterFirst', false, 'cluster'], ['ClusterFirst', true, 'host'], [undefined, false, 'cluster'], [undefined, true, 'host'],
    ['ClusterFirstWithHostNet', false, 'cluster'], ['ClusterFirstWithHostNet', true, 'cluster'],
    ['Default', false, 'host'], ['Default', true, 'host'], ['None', false, 'none'], ['None', true, 'none'], ['Bogus', false, 'cluster'],
  ];
  for (const [policy, hostNet, want] of table) assert.equal(podDnsType(policy, hostNet), want, `${policy} hostNetwork=${hostNet}`);
});

const HOST: ResolvConfig = { nameservers: ['192.0.2.53', '192.0.2.54'], searches: ['corp.example', 'example'], options: ['ndots:1', 'timeout:2'] };
const CLUSTER: ClusterDnsSettings = { nameservers: ['10.86.0.1'], domain: 'cluster.local' };
const many = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i));

interface Case {
  name: string;
  pod: Partial<PodDnsInput>;
  host?: ResolvConfig;
  cluster?: ClusterDnsSettings | undefined;
  want: ResolvConfig;
  warnings?: string[];
}

const CASES: Case[] = [
  {
    name: 'ClusterFirst: the cluster DNS only, cluster search domains then the host ones, ndots:5',
    pod: { dnsPolicy: 'ClusterFirst' },
    want: { nameservers: ['10.86.0.1'], searches: ['web.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'example'], options: ['ndots:5'] },
  },
  {
    name: 'ClusterFirst without cluster DNS (podd run) is Default',
    pod: { dnsPolicy: 'ClusterFirst' }, cluster: undefined, want: HOST,
  },
  { name: 'Default: the host settings', pod: { dnsPolicy: 'Default' }, want: HOST },
  { name: 'ClusterFirst on the host network: the host settings', pod: { dnsPolicy: 'ClusterFirst', hostNetwork: true }, want: HOST },
  {
    name: 'ClusterFirstWithHostNet on the host network: the cluster DNS',
    pod: { dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true },
    want: { nameservers: ['10.86.0.1'], searches: ['web.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'example'], options: ['ndots:5'] },
  },
  {
    name: 'None: only dnsConfig',
    pod: { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['my.dns.search.suffix'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } },
    want: { nameservers: ['1.1.1.1'], searches: ['my.dns.search.suffix'], options: ['ndots:2', 'edns0'] },
  },
  {
    name: 'ClusterFirst + dnsConfig: nameservers appended, searches appended without duplicates, options override by name',
    pod: { dnsConfig: { nameservers: ['10.86.0.1', '9.9.9.9'], searches: ['cluster.local', 'extra.example'], options: [{ name: 'ndots', value: '2' }, { name: 'single-request-reopen' }] } },
    want: {
      nameservers: ['10.86.0.1', '9.9.9.9'],
      searches: ['web.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'example', 'extra.example'],
      options: ['ndots:2', 'single-request-reopen'],
    },
  },
  {
    name: 'Default + dnsConfig: host options kept in place, overridden and extended',
    pod: { dnsPolicy: 'Default', dnsConfig: { options: [{ name: 'timeout', value: '5' }, { name: 'ndots' }, { name: 'attempts', value: '3' }] } },
    want: { nameservers: HOST.nameservers, searches: HOST.searches, options: ['ndots', 'timeout:5', 'attempts:3'] },
  },
  {
    name: 'more than 3 nameservers are cut, with a warning',
    pod: { dnsPolicy: 'Default', dnsConfig: { nameservers: ['1.1.1.1', '8.8.8.8'] } },
    want: { nameservers: ['192.0.2.53', '192.0.2.54', '1.1.1.1'], searches: HOST.searches, options: HOST.options },
    warnings: ['Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 192.0.2.53 192.0.2.54 1.1.1.1'],
  },
  {
    name: 'more than 32 search domains are cut to 32',
    pod: { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: many(34, (i) => `s${i}.example`) } },
    want: { nameservers: ['1.1.1.1'], searches: many(32, (i) => `s${i}.example`), options: [] },
    warnings: [`Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${many(32, (i) => `s${i}.example`).join(' ')}`],
  },
  {
    name: 'a search line over 2048 characters loses domains from its end',
    pod: { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: many(10, (i) => `${String(i).padStart(2, '0')}${'a'.repeat(248)}.io`) } },
    want: { nameservers: ['1.1.1.1'], searches: many(8, (i) => `${String(i).padStart(2, '0')}${'a'.repeat(248)}.io`), options: [] },
    warnings: [`Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${many(8, (i) => `${String(i).padStart(2, '0')}${'a'.repeat(248)}.io`).join(' ')}`],
  },
  {
    name: 'a host search domain longer than 253 characters is dropped',
    host: { nameservers: ['192.0.2.53'], searches: ['ok.example', `${'b'.repeat(254)}`], options: [] },
    pod: { dnsPolicy: 'Default' },
    want: { nameservers: ['192.0.2.53'], searches: ['ok.example'], options: [] },
    warnings: ['Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ok.example'],
  },
  {
    name: 'the host search list repeating a cluster domain is not repeated',
    host: { nameservers: ['192.0.2.53'], searches: ['cluster.local', 'corp.example'], options: ['rotate'] },
    pod: {},
    want: { nameservers: ['10.86.0.1'], searches: ['web.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:5'] },
  },
  {
    name: 'another cluster domain and namespace',
    pod: { namespace: 'kube-system' }, cluster: { nameservers: ['10.96.0.10'], domain: 'k8s.internal' }, host: { nameservers: [], searches: [], options: [] },
    want: { nameservers: ['10.96.0.10'], searches: ['kube-system.svc.k8s.internal', 'svc.k8s.internal', 'k8s.internal'], options: ['ndots:5'] },
  },
];

for (const c of CASES) {
  test(`podResolvConfig: ${c.name}`, () => {
    const cluster = 'cluster' in c ? c.cluster : CLUSTER;
    const got = podResolvConfig(c.host ?? HOST, { namespace: 'web', ...c.pod }, cluster);
    assert.deepEqual(got.config, c.want);
    assert.deepEqual(got.warnings.map((w) => w.message), c.warnings ?? []);
    for (const w of got.warnings) assert.equal(w.reason, 'DNSConfigForming');
  });
}

test('podResolvConfig does not change its inputs', () => {
  const host = structuredClone(HOST);
  podResolvConfig(host, { namespace: 'x', dnsPolicy: 'Default', dnsConfig: { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: '3' }] } }, CLUSTER);
  assert.deepEqual(host, HOST);
});

test('renderResolvConf: containerd layout (search, nameservers, options); nothing at all is an empty file', () => {
  assert.equal(renderResolvConf({ nameservers: ['10.86.0.1', '1.1.1.1'], searches: ['a.svc', 'b'], options: ['ndots:5', 'edns0'] }),
    'search a.svc b\nnameserver 10.86.0.1\nnameserver 1.1.1.1\noptions ndots:5 edns0\n');
  assert.equal(renderResolvConf({ nameservers: ['1.1.1.1'], searches: [], options: [] }), 'nameserver 1.1.1.1\n');
  assert.equal(renderResolvConf({ nameservers: [], searches: [], options: [] }), '');
});

test('mergeDnsOptions: an empty value is a bare option', () => {
  assert.deepEqual(mergeDnsOptions(['ndots:5', 'rotate'], [{ name: 'rotate', value: '' }, { name: 'ndots', value: '1' }]), ['ndots:1', 'rotate']);
  assert.deepEqual(mergeDnsOptions([], undefined), []);
});

test('podHostDomain: <subdomain>.<namespace>.svc.<domain> only with a subdomain', () => {
  assert.equal(podHostDomain('db', 'prod', 'cluster.local'), 'db.prod.svc.cluster.local');
  assert.equal(podHostDomain(undefined, 'prod', 'cluster.local'), undefined);
  assert.equal(podHostDomain('', 'prod', 'cluster.local'), undefined);
});

test('isLoopbackAddress and gatewayOf', () => {
  for (const ip of ['127.0.0.53', '127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1']) assert.equal(isLoopbackAddress(ip), true, ip);
  for (const ip of ['10.0.0.1', '192.0.2.53', '::2', 'fe80::1', 'nonsense', '']) assert.equal(isLoopbackAddress(ip), false, ip);
  assert.equal(gatewayOf('10.86.0.0/24'), '10.86.0.1');
  assert.equal(gatewayOf('10.244.8.0/21'), '10.244.8.1');
  assert.equal(gatewayOf('fd00:86::/64'), 'fd00:86:0:0:0:0:0:1');
  assert.equal(gatewayOf('10.86.0.7/24'), undefined);
});
