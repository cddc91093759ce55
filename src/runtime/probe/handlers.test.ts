// The network probe handlers against real servers on the host's loopback: HTTP (status codes, headers, redirects,
// body limit, timeouts), HTTPS with a certificate nobody trusts, TCP, and the gRPC health protocol. Each runs both
// directly and through the network-namespace relay (nsenter into this very process's namespace, so the relay's
// whole path runs without a pod).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { spawn } from 'node:child_process';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import grpc from '@grpc/grpc-js';
import { PROBE_USER_AGENT, probeHeaders, probeURL } from '../../core/probe/action.js';
import type { ProbeAction } from '../../core/probe/types.js';
import { ensurePki } from '../../server/tls/pki.js';
import { DirectDialer, NetnsDialer, type Dialer } from './dialer.js';
import { HEALTH_CHECK_METHOD, type HealthCheckRequest, type HealthCheckResponse, decodeHealthCheckRequest, decodeHealthCheckResponse, encodeHealthCheckRequest, encodeHealthCheckResponse, grpcProbe } from './grpc-probe.js';
import { MAX_BODY_BYTES, httpProbe } from './http-probe.js';
import { RuntimeProbeHandlers } from './handlers.js';
import { connErrorMessage, dialErrorMessage } from './net-errors.js';
import { tcpProbe } from './tcp-probe.js';

const seen: { url: string; headers: IncomingHttpHeaders }[] = [];

function listen(server: Server | NetServer): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = createNetServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
  seen.push({ url: req.url ?? '', headers: req.headers });
  const u = new URL(req.url ?? '/', 'http://x');
  switch (u.pathname) {
    case '/ok': res.end('fine'); return;
    case '/status': res.statusCode = Number(u.searchParams.get('code')); res.end('body-not-shown'); return;
    case '/needs-header': res.statusCode = req.headers['x-probe'] === 'yes' ? 200 : 401; res.end(); return;
    case '/to-ok': res.statusCode = 302; res.setHeader('Location', '/ok'); res.end(); return;
    case '/offsite': res.statusCode = 302; res.setHeader('Location', 'http://example.invalid/'); res.end('moved'); return;
    case '/loop': res.statusCode = 302; res.setHeader('Location', '/loop'); res.end(); return;
    case '/big': res.end('x'.repeat(MAX_BODY_BYTES * 20)); return;
    case '/slow': setTimeout(() => res.end('late'), 3_000).unref(); return;
    default: res.statusCode = 404; res.end();
  }
};

let http: Server;
let https: Server;
let tcp: NetServer;
let grpcServer: grpc.Server;
let httpPort = 0;
let httpsPort = 0;
let tcpPort = 0;
let grpcPort = 0;
let refused = 0;
let certDir = '';
const health = new Map<string, string>([['', 'SERVING'], ['db', 'NOT_SERVING']]);

before(async () => {
  http = createHttpServer(handler);
  httpPort = await listen(http);
  certDir = mkdtempSync(join(tmpdir(), 'podd-probe-pki-'));
  const pki = await ensurePki(certDir, { hosts: ['127.0.0.1'], now: new Date() });
  https = createHttpsServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, handler);
  httpsPort = await listen(https);
  tcp = createNetServer((s) => s.end());
  tcpPort = await listen(tcp);
  refused = await closedPort();
  grpcServer = new grpc.Server();
  grpcServer.register(HEALTH_CHECK_METHOD, (call: grpc.ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, cb: grpc.sendUnaryData<HealthCheckResponse>) => {
    const status = health.get(call.request.service);
    if (status === undefined) cb({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
    else cb(null, { status });
  }, encodeHealthCheckResponse, decodeHealthCheckRequest, 'unary');
  grpcPort = await new Promise<number>((resolve, reject) => grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
});

after(async () => {
  await new Promise((r) => http.close(r));
  https.closeAllConnections();
  await new Promise((r) => https.close(r));
  await new Promise((r) => tcp.close(r));
  grpcServer.forceShutdown();
  rmSync(certDir, { recursive: true, force: true });
});

function get(port: number, path: string, opts: { scheme?: 'http' | 'https'; headers?: { name: string; value: string }[] } = {}): Extract<ProbeAction, { kind: 'http' }> {
  const scheme = opts.scheme ?? 'http';
  return { kind: 'http', url: probeURL(scheme, '127.0.0.1', port, path), scheme, host: '127.0.0.1', port, headers: probeHeaders(opts.headers) };
}

const dialers: [string, () => Dialer][] = [
  ['direct', () => new DirectDialer()],
  ['through the netns relay', () => new NetnsDialer(`/proc/${process.pid}/ns/net`)],
];

for (const [how, make] of dialers) {
  describe(`network probes, ${how}`, () => {
    const d = make();

    test('http: 200 is success with the body; the kubelet\'s headers are sent', async () => {
      seen.length = 0;
      assert.deepEqual(await httpProbe(d, get(httpPort, '/ok?x=1'), 1_000), { result: 'success', output: 'fine' });
      const req = seen.at(-1);
      assert.equal(req?.url, '/ok?x=1');
      assert.equal(req?.headers['user-agent'], PROBE_USER_AGENT);
      assert.equal(req?.headers.accept, '*/*');
      assert.equal(req?.headers.host, `127.0.0.1:${httpPort}`);
      assert.equal(req?.headers.connection, 'close');
    });

    test('http: statuses 404 and 500 fail without the body; 399 is a warning', async () => {
      assert.deepEqual(await httpProbe(d, get(httpPort, '/status?code=404'), 1_000), { result: 'failure', output: 'HTTP probe failed with statuscode: 404' });
      assert.deepEqual(await httpProbe(d, get(httpPort, '/status?code=500'), 1_000), { result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
      assert.deepEqual(await httpProbe(d, get(httpPort, '/status?code=399'), 1_000), { result: 'warning', output: 'Probe terminated redirects, Response body: body-not-shown' });
    });

    test('http: custom headers (and a Host override) reach the server', async () => {
      assert.equal((await httpProbe(d, get(httpPort, '/needs-header'), 1_000)).result, 'failure');
      seen.length = 0;
      const r = await httpProbe(d, get(httpPort, '/needs-header', { headers: [{ name: 'x-probe', value: 'yes' }, { name: 'Host', value: 'app.example' }] }), 1_000);
      assert.equal(r.result, 'success');
      assert.equal(seen.at(-1)?.headers.host, 'app.example');
    });

    test('http: a same-host redirect is followed, another host ends on the redirect, a loop stops after 10', async () => {
      seen.length = 0;
      assert.deepEqual(await httpProbe(d, get(httpPort, '/to-ok'), 1_000), { result: 'success', output: 'fine' });
      assert.deepEqual(seen.map((s) => s.url), ['/to-ok', '/ok']);
      assert.deepEqual(await httpProbe(d, get(httpPort, '/offsite'), 1_000), { result: 'warning', output: 'Probe terminated redirects, Response body: moved' });
      seen.length = 0;
      assert.deepEqual(await httpProbe(d, get(httpPort, '/loop'), 3_000), { result: 'failure', output: `Get "http://127.0.0.1:${httpPort}/loop": stopped after 10 redirects` });
      assert.equal(seen.length, 10);
    });

    test('http: a big body is cut at 10 KiB', async () => {
      const r = await httpProbe(d, get(httpPort, '/big'), 2_000);
      assert.equal(r.result, 'success');
      assert.equal(r.output.length, MAX_BODY_BYTES);
    });

    test('http: refused and timed-out requests fail in Go\'s words', async () => {
      assert.deepEqual(await httpProbe(d, get(refused, '/'), 1_000),
        { result: 'failure', output: `Get "http://127.0.0.1:${refused}/": dial tcp 127.0.0.1:${refused}: connect: connection refused` });
      const t0 = Date.now();
      assert.deepEqual(await httpProbe(d, get(httpPort, '/slow'), 1_000),
        { result: 'failure', output: `Get "http://127.0.0.1:${httpPort}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
      const took = Date.now() - t0;
      assert.ok(took >= 950 && took < 2_000, `timeout took ${took} ms`);
    });

    test('https: a certificate from an unknown CA is not verified', async () => {
      seen.length = 0;
      assert.deepEqual(await httpProbe(d, get(httpsPort, '/ok', { scheme: 'https' }), 2_000), { result: 'success', output: 'fine' });
      assert.equal(seen.at(-1)?.headers['user-agent'], PROBE_USER_AGENT);
      assert.deepEqual(await httpProbe(d, get(httpsPort, '/status?code=503', { scheme: 'https' }), 2_000), { result: 'failure', output: 'HTTP probe failed with statuscode: 503' });
      const plain = await httpProbe(d, get(httpPort, '/ok', { scheme: 'https' }), 2_000);
      assert.deepEqual(plain, { result: 'failure', output: `Get "https://127.0.0.1:${httpPort}/ok": http: server gave HTTP response to HTTPS client` });
    });

    test('tcp: open port succeeds, closed port fails with Go\'s dial error', async () => {
      assert.deepEqual(await tcpProbe(d, '127.0.0.1', tcpPort, 1_000), { result: 'success', output: '' });
      assert.deepEqual(await tcpProbe(d, '127.0.0.1', refused, 1_000), { result: 'failure', output: `dial tcp 127.0.0.1:${refused}: connect: connection refused` });
    });

    test('grpc: SERVING, NOT_SERVING, an unknown service, nothing listening', async () => {
      assert.deepEqual(await grpcProbe(d, '127.0.0.1', grpcPort, '', 2_000), { result: 'success', output: 'service healthy' });
      assert.deepEqual(await grpcProbe(d, '127.0.0.1', grpcPort, 'db', 2_000), { result: 'failure', output: 'service unhealthy (responded with "NOT_SERVING")' });
      assert.deepEqual(await grpcProbe(d, '127.0.0.1', grpcPort, 'nope', 2_000),
        { result: 'failure', output: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service' });
      assert.deepEqual(await grpcProbe(d, '127.0.0.1', refused, '', 1_000),
        { result: 'failure', output: `timeout: failed to connect service "127.0.0.1:${refused}" within 1s: context deadline exceeded` });
    });

    test('grpc: a server without the health service', async () => {
      assert.deepEqual(await grpcProbe(d, '127.0.0.1', httpPort, '', 1_000).then((r) => r.result), 'failure');
    });
  });
}

test('grpc health messages round-trip', () => {
  assert.deepEqual(decodeHealthCheckRequest(encodeHealthCheckRequest({ service: 'db' })), { service: 'db' });
  assert.deepEqual([...encodeHealthCheckRequest({ service: 'db' })], [0x0a, 0x02, 0x64, 0x62]);
  assert.equal(encodeHealthCheckRequest({ service: '' }).length, 0);
  assert.deepEqual(decodeHealthCheckResponse(encodeHealthCheckResponse({ status: 'SERVING' })), { status: 'SERVING' });
  assert.deepEqual([...encodeHealthCheckResponse({ status: 'NOT_SERVING' })], [0x08, 0x02]);
  assert.deepEqual(decodeHealthCheckResponse(encodeHealthCheckResponse({ status: 'SERVICE_UNKNOWN' })), { status: 'SERVICE_UNKNOWN' });
  assert.deepEqual(decodeHealthCheckResponse(Buffer.from([0x08, 0x09])), { status: '9' });
  assert.deepEqual(decodeHealthCheckResponse(Buffer.alloc(0)), { status: 'UNKNOWN' });
});

test('the netns relay reports a namespace it cannot enter', async () => {
  const d = new NetnsDialer('/proc/999999999/ns/net');
  const r = await tcpProbe(d, '127.0.0.1', tcpPort, 2_000);
  assert.equal(r.result, 'failure');
  assert.match(r.output, /^dial tcp 127\.0\.0\.1:\d+: entering the pod's network namespace \/proc\/999999999\/ns\/net: nsenter: cannot open /);
});

test('RuntimeProbeHandlers: an unresolvable probe errors; exec without runc errors', async () => {
  const h = new RuntimeProbeHandlers({ runcPath: '/nonexistent/runc', stateDir: tmpdir() });
  assert.deepEqual(await h.run({ kind: 'invalid', error: 'invalid port number: 0' }, { containerId: 'x', network: { kind: 'host' } }, 1_000),
    { result: 'unknown', output: '', error: 'invalid port number: 0' });
  const ex = await h.run({ kind: 'exec', command: ['true'] }, { containerId: 'x', network: { kind: 'host' } }, 1_000);
  assert.equal(ex.result, 'unknown');
  assert.match(ex.error ?? '', /nonexistent\/runc/);
});

test('a dial nobody answers ends at the timeout with i/o timeout', async () => {
  // A namespace whose only way out is a veth whose peer is down: nothing ever answers there, so a connect hangs
  // until the dialer gives up (reached through the relay, as a pod without an IP is).
  const ns = spawn('unshare', ['-n', 'sh', '-c', 'ip link set lo up && ip link add d0 type veth peer name d1 && ip link set d0 up && ip addr add 10.99.0.1/24 dev d0 && echo ready && exec sleep 60'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      ns.stdout.once('data', () => resolve());
      ns.once('exit', (code) => reject(new Error(`unshare exited ${code}`)));
    });
    const d = new NetnsDialer(`/proc/${ns.pid}/ns/net`);
    const t0 = Date.now();
    assert.deepEqual(await tcpProbe(d, '10.99.0.2', 9, 700), { result: 'failure', output: 'dial tcp 10.99.0.2:9: i/o timeout' });
    const took = Date.now() - t0;
    assert.ok(took >= 650 && took < 1_500, `took ${took} ms`);
    const action: ProbeAction = { kind: 'http', url: 'http://10.99.0.2:80/', scheme: 'http', host: '10.99.0.2', port: 80, headers: probeHeaders(undefined) };
    assert.deepEqual(await httpProbe(d, action, 700),
      { result: 'failure', output: 'Get "http://10.99.0.2:80/": dial tcp 10.99.0.2:80: i/o timeout (Client.Timeout exceeded while awaiting headers)' });
    assert.deepEqual(await tcpProbe(d, '127.0.0.1', 9, 700), { result: 'failure', output: 'dial tcp 127.0.0.1:9: connect: connection refused' }, 'the namespace\'s own loopback');
  } finally {
    ns.kill('SIGKILL');
  }
});

test('Go words for socket errors', () => {
  const e = (code: string, message = code): Error => Object.assign(new Error(message), { code });
  assert.equal(dialErrorMessage('10.86.0.5', 8080, e('ECONNREFUSED')), 'dial tcp 10.86.0.5:8080: connect: connection refused');
  assert.equal(dialErrorMessage('10.86.0.5', 8080, e('EHOSTUNREACH')), 'dial tcp 10.86.0.5:8080: connect: no route to host');
  assert.equal(dialErrorMessage('10.86.0.5', 8080, undefined, true), 'dial tcp 10.86.0.5:8080: i/o timeout');
  assert.equal(dialErrorMessage('db.local', 5432, e('ENOTFOUND')), 'dial tcp: lookup db.local: no such host');
  assert.equal(dialErrorMessage('fd00::1', 80, e('ECONNREFUSED')), 'dial tcp [fd00::1]:80: connect: connection refused');
  assert.equal(dialErrorMessage('10.86.0.5', 1, e('EWEIRD', 'weird thing')), 'dial tcp 10.86.0.5:1: weird thing');
  assert.equal(connErrorMessage(e('ECONNRESET', 'socket hang up')), 'EOF');
  assert.equal(connErrorMessage(e('ECONNRESET', 'read ECONNRESET')), 'read: connection reset by peer');
  assert.equal(connErrorMessage(e('ERR_SSL_WRONG_VERSION_NUMBER', 'ssl3_get_record:wrong version number')), 'http: server gave HTTP response to HTTPS client');
});
