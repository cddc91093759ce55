// The cluster DNS against a real SQLite store and real sockets on loopback, with a fake upstream resolver.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { tempStore } from '../../store/store-fixtures.js';
import type { StoredObject } from '../../store/types.js';
import { type ClusterDns, startClusterDns, startClusterDnsFor } from './cluster-dns.js';
import { isPoddError } from '../../core/errors.js';
import { DnsServer } from './dns-server.js';
import { FakeUpstream, ask, tcpRoundTrip, udpRoundTrip } from './test-dns.js';
import { frame, FrameReader } from './tcp-frames.js';
import { parseUpstream, upstreamsFromResolvConf } from './upstream.js';

const SVC = 'default.svc.cluster.local';

function obj(o: Record<string, unknown> & { metadata: StoredObject['metadata'] }): StoredObject {
  return o;
}

async function setUp(t: TestContext): Promise<{ dns: ClusterDns; upstream: FakeUpstream; store: ReturnType<typeof tempStore>['store']; logs: string[] }> {
  const { store } = tempStore(t);
  const upstream = new FakeUpstream({ 'up.example.com': '192.0.2.10', 'www.example.org': '192.0.2.20' });
  await upstream.start();
  const logs: string[] = [];
  const dns = await startClusterDns({
    store, ip: '127.0.0.1', port: 0, domain: 'cluster.local', resolvConf: '/nonexistent',
    upstreams: [{ host: '127.0.0.1', port: upstream.port }], upstreamTimeoutMs: 300, log: (l) => logs.push(l),
  });
  t.after(async () => {
    await dns.close();
    await upstream.close();
  });
  return { dns, upstream, store, logs };
}

const until = async (what: string, fn: () => Promise<boolean>): Promise<void> => {
  for (let i = 0; i < 100; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
};

const data = (p: { answers?: { type: string; data?: unknown }[] | undefined }): string[] =>
  (p.answers ?? []).map((a) => `${a.type} ${typeof a.data === 'object' && a.data !== null ? JSON.stringify(a.data) : String(a.data)}`);

test('services in the store resolve over UDP and TCP, and follow creates and deletes', async (t) => {
  const { dns, store } = await setUp(t);
  assert.equal(dns.listening, true);
  const missing = await ask(dns.port, `web.${SVC}`, 'A');
  assert.equal(missing.rcode, 'NXDOMAIN');
  assert.equal(missing.flag_aa, true);
  assert.deepEqual(missing.authorities?.map((a) => a.type), ['SOA']);

  store.create('services', obj({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' },
    spec: { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } }));
  await until('web to resolve', async () => (await ask(dns.port, `web.${SVC}`, 'A')).rcode === 'NOERROR');
  for (const transport of ['udp', 'tcp'] as const) {
    const r = await ask(dns.port, `Web.Default.svc.cluster.local`, 'A', { transport });
    assert.deepEqual(data(r), ['A 10.96.0.10'], transport);
    assert.equal(r.answers?.[0]?.name, 'Web.Default.svc.cluster.local');
    assert.equal(r.flag_aa && r.flag_qr && r.flag_rd && r.flag_ra, true);
  }
  const srv = await ask(dns.port, `_http._tcp.web.${SVC}`, 'SRV');
  assert.deepEqual(data(srv), [`SRV {"priority":0,"weight":100,"port":80,"target":"web.${SVC}"}`]);
  assert.deepEqual(data({ answers: srv.additionals ?? [] }), ['A 10.96.0.10']);
  const ptr = await ask(dns.port, '10.0.96.10.in-addr.arpa', 'PTR');
  assert.deepEqual(data(ptr), [`PTR web.${SVC}`]);
  const aaaa = await ask(dns.port, `web.${SVC}`, 'AAAA');
  assert.equal(aaaa.rcode, 'NOERROR');
  assert.deepEqual(aaaa.answers, []);

  store.delete('services', 'default', 'web');
  await until('web to go', async () => (await ask(dns.port, `web.${SVC}`, 'A')).rcode === 'NXDOMAIN');
});

test('a headless service answers its ready endpoints from EndpointSlices, else from the pods its selector picks', async (t) => {
  const { dns, store } = await setUp(t);
  store.create('services', obj({ metadata: { name: 'db', namespace: 'default' }, spec: { clusterIP: 'None', selector: { app: 'db' } } }));
  store.create('pods', obj({ metadata: { name: 'db-0', namespace: 'default', labels: { app: 'db' } },
    spec: { hostname: 'db-0', subdomain: 'db', containers: [] },
    status: { phase: 'Running', podIP: '10.86.0.5', podIPs: [{ ip: '10.86.0.5' }], conditions: [{ type: 'Ready', status: 'True' }] } }));
  await until('db from the pod', async () => data(await ask(dns.port, `db-0.db.${SVC}`, 'A')).join() === 'A 10.86.0.5');

  store.create('endpointslices', obj({ metadata: { name: 'db-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'db' } },
    addressType: 'IPv4', endpoints: [{ addresses: ['10.86.0.7'], hostname: 'db-1', conditions: { ready: true } }] }));
  await until('db from the slice', async () => data(await ask(dns.port, `db.${SVC}`, 'A')).join() === 'A 10.86.0.7');
  assert.equal((await ask(dns.port, `db-0.db.${SVC}`, 'A')).rcode, 'NXDOMAIN');
});

test('other names go to the upstream over the client transport; silence is SERVFAIL; ExternalName is chased', async (t) => {
  const { dns, store, upstream } = await setUp(t);
  for (const transport of ['udp', 'tcp'] as const) {
    const r = await ask(dns.port, 'up.example.com', 'A', { transport });
    assert.deepEqual(data(r), ['A 192.0.2.10']);
    assert.equal(r.flag_aa, false, 'a relayed answer is not ours');
  }
  assert.deepEqual(upstream.queries.slice(0, 2), ['udp up.example.com A', 'tcp up.example.com A']);
  assert.equal((await ask(dns.port, 'nothing.example.com', 'A')).rcode, 'NXDOMAIN');
  // the search-list expansion of a cluster name that is not there never leaves the cluster zone
  assert.equal((await ask(dns.port, `up.example.com.${SVC}`, 'A')).rcode, 'NXDOMAIN');
  assert.equal(upstream.queries.some((q) => q.includes('svc.cluster.local')), false);
  const silent = await ask(dns.port, 'silent.example.com', 'A');
  assert.equal(silent.rcode, 'SERVFAIL');

  store.create('services', obj({ metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'www.example.org' } }));
  await until('ext', async () => (await ask(dns.port, `ext.${SVC}`, 'A')).answers?.length === 2);
  assert.deepEqual(data(await ask(dns.port, `ext.${SVC}`, 'A')), ['CNAME www.example.org', 'A 192.0.2.20']);
});

// dns-packet does not compress names: 20 A records (~40 bytes each) pass 512 bytes but not EDNS's 1232.
test('an answer too big for a datagram is truncated over UDP and whole over TCP; EDNS raises the limit', async (t) => {
  const { dns, store } = await setUp(t);
  const endpoints = Array.from({ length: 20 }, (_, i) => ({ addresses: [`10.86.1.${i + 1}`], conditions: { ready: true } }));
  store.create('services', obj({ metadata: { name: 'big', namespace: 'default' }, spec: { clusterIP: 'None' } }));
  store.create('endpointslices', obj({ metadata: { name: 'big-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'big' } }, endpoints }));
  await until('big', async () => (await ask(dns.port, `big.${SVC}`, 'A', { transport: 'tcp' })).answers?.length === 20);
  const udp = await ask(dns.port, `big.${SVC}`, 'A');
  assert.equal(udp.flag_tc, true);
  assert.deepEqual(udp.answers, []);
  const edns = await ask(dns.port, `big.${SVC}`, 'A', { edns: 4096 });
  assert.equal(edns.flag_tc, false);
  assert.equal(edns.answers?.length, 20);
  assert.equal(edns.additionals?.[0]?.type, 'OPT');
});

test('malformed messages: FORMERR when the header is readable, nothing otherwise; other opcodes NOTIMP', async (t) => {
  const { dns } = await setUp(t);
  assert.equal(await udpRoundTrip('127.0.0.1', dns.port, Buffer.from([1, 2, 3]), 300), undefined);
  const junk = Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]), Buffer.from([60, 1, 2])]);
  const formerr = await udpRoundTrip('127.0.0.1', dns.port, junk);
  assert.ok(formerr);
  assert.equal(formerr.readUInt16BE(0), 0x1234);
  assert.equal(formerr.readUInt16BE(2) & 0x800f, 0x8001);
  const status = Buffer.from([0xab, 0xcd, 0x10, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]); // opcode 2 (STATUS)
  const notimp = await tcpRoundTrip('127.0.0.1', dns.port, status);
  assert.equal((notimp?.readUInt16BE(2) ?? 0) & 0x000f, 4);
});

test('several queries on one TCP connection are all answered', async (t) => {
  const { dns } = await setUp(t);
  const net = await import('node:net');
  const dnsPacket = await import('dns-packet');
  const queries = [1, 2, 3].map((id) => dnsPacket.encode({ type: 'query', id, questions: [{ name: `n${id}.${SVC}`, type: 'A' }] }));
  const ids = await new Promise<number[]>((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: dns.port });
    const reader = new FrameReader();
    const got: number[] = [];
    socket.on('error', reject);
    socket.on('connect', () => socket.write(Buffer.concat(queries.map(frame))));
    socket.on('data', (c: Buffer) => {
      for (const m of reader.push(c)) got.push(m.readUInt16BE(0));
      if (got.length === 3) { socket.destroy(); resolve(got.sort()); }
    });
  });
  assert.deepEqual(ids, [1, 2, 3]);
});

test('upstreams: parsing, and loopback stubs after the real resolvers', () => {
  assert.deepEqual(parseUpstream('192.0.2.1'), { host: '192.0.2.1', port: 53 });
  assert.deepEqual(parseUpstream('192.0.2.1:5353'), { host: '192.0.2.1', port: 5353 });
  assert.deepEqual(parseUpstream('[fd00::1]:54'), { host: 'fd00::1', port: 54 });
  assert.deepEqual(parseUpstream('fd00::1'), { host: 'fd00::1', port: 53 });
  assert.equal(parseUpstream('resolver.example'), undefined);
  assert.equal(parseUpstream('192.0.2.1:0'), undefined);
  assert.deepEqual(upstreamsFromResolvConf('nameserver 127.0.0.53\nnameserver 192.0.2.1\nnameserver bogus\n').map((u) => u.host), ['192.0.2.1', '127.0.0.53']);
});

test('a server whose address is not on the host yet waits, and serves once the address appears', async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('needs root to add a network interface');
    return;
  }
  const link = `pdt${process.pid % 100000}`;
  const ip = '10.255.86.1';
  const logs: string[] = [];
  const server = new DnsServer({ host: ip, port: 0, retryMs: 50, log: (l) => logs.push(l), handle: async (raw) => raw });
  t.after(async () => {
    await server.close();
    try { execFileSync('ip', ['link', 'delete', link], { stdio: 'ignore' }); } catch { /* gone */ }
  });
  await server.start();
  assert.equal(server.listening, false);
  assert.match(logs.join('\n'), /not on this host yet/);
  execFileSync('ip', ['link', 'add', link, 'type', 'bridge']);
  execFileSync('ip', ['addr', 'add', `${ip}/32`, 'dev', link]);
  execFileSync('ip', ['link', 'set', link, 'up']);
  await server.ensureServing();
  assert.equal(server.listening, true);
  const echo = Buffer.from([0, 7, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(await udpRoundTrip(ip, server.port, echo), echo);
  // the address goes (the last pod's bridge) and comes back: the same sockets serve again
  execFileSync('ip', ['link', 'delete', link]);
  execFileSync('ip', ['link', 'add', link, 'type', 'bridge']);
  execFileSync('ip', ['addr', 'add', `${ip}/32`, 'dev', link]);
  execFileSync('ip', ['link', 'set', link, 'up']);
  assert.deepEqual(await tcpRoundTrip(ip, server.port, echo), echo);
});

test('serve settings: off with PODD_CLUSTER_DNS=none or without a pod network; bad addresses are Invalid', async (t) => {
  const { store } = tempStore(t);
  const base = { clusterDomain: 'cluster.local', hostResolvConf: '/etc/resolv.conf' };
  const log = (): void => undefined;
  assert.equal(await startClusterDnsFor(store, { ...base, clusterDns: 'none' }, log), undefined);
  assert.equal(await startClusterDnsFor(store, { ...base, podNetwork: 'none' }, log), undefined);
  await assert.rejects(startClusterDnsFor(store, { ...base, clusterDns: '10.86.0.300' }, log), (e) => isPoddError(e, 'Invalid') && /PODD_CLUSTER_DNS/.test(e.message));
  await assert.rejects(startClusterDnsFor(store, { ...base, clusterDns: '127.0.0.1', dnsUpstreams: ['dns.example'] }, log),
    (e) => isPoddError(e, 'Invalid') && /PODD_DNS_UPSTREAM/.test(e.message));
  await assert.rejects(startClusterDnsFor(store, { ...base, podCidr: 'nonsense' }, log), (e) => isPoddError(e, 'Invalid'));
});
