// The exec endpoint without a container runtime: request checks, frames, and whole WebSocket sessions against an
// in-process API server whose ExecRunner is a fake that records what reaches it.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { WebSocket } from 'ws';
import type { Pod } from '../../api/types.js';
import { PoddError } from '../../core/errors.js';
import { SqliteObjectStore } from '../../store/object-store.js';
import { ensurePki } from '../tls/pki.js';
import { createApiServer } from './api-server.js';
import { Channel, EXEC_PROTOCOL, execPath, execRequest, frame, outcomeStatus, parseResize } from './pod-exec.js';
import type { ExecRunner, ExecSession, ExecSink, ExecStart, TermSize } from './pod-exec.js';
import { HttpError } from './respond.js';

const TOKEN = 'exec-test-token-0123456789';

function pod(containers: string[], init: string[] = []): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' },
    spec: { containers: containers.map((name) => ({ name, image: 'busybox' })), initContainers: init.map((name) => ({ name, image: 'busybox' })) },
  } as Pod;
}

function httpError(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof HttpError) return { code: err.code, message: err.body.message ?? '' };
    throw err;
  }
  throw new Error('no HttpError');
}

test('execPath accepts only namespaced pods/NAME/exec', () => {
  assert.deepEqual(execPath(['api', 'v1', 'namespaces', 'ns1', 'pods', 'web', 'exec']), { namespace: 'ns1', name: 'web' });
  assert.equal(execPath(['api', 'v1', 'namespaces', 'ns1', 'pods', 'web', 'attach']), undefined);
  assert.equal(execPath(['api', 'v1', 'pods', 'web', 'exec']), undefined);
  assert.equal(execPath(['api', 'v1', 'namespaces', 'ns1', 'configmaps', 'web', 'exec']), undefined);
});

test('execRequest: container choice, command and streams, as the apiserver and kubelet check them', () => {
  const q = (s: string): URLSearchParams => new URLSearchParams(s);
  const one = execRequest(pod(['app']), q('command=echo&command=hi&stdout=true&stderr=true'));
  assert.deepEqual(one, { namespace: 'default', name: 'web', container: 'app', command: ['echo', 'hi'], stdin: false, stdout: true, stderr: true, tty: false });
  assert.equal(execRequest(pod(['app'], ['setup']), q('container=setup&command=true&stdout=1')).container, 'setup');
  assert.deepEqual(httpError(() => execRequest(pod(['app', 'side']), q('command=true&stdout=true'))),
    { code: 400, message: 'a container name must be specified for pod web, choose one of: [app side]' });
  assert.deepEqual(httpError(() => execRequest(pod(['app']), q('container=nope&command=true&stdout=true'))),
    { code: 400, message: 'container nope is not valid for pod web' });
  assert.deepEqual(httpError(() => execRequest(pod(['app']), q('container=app&stdout=true'))),
    { code: 400, message: 'you must specify at least 1 command' });
  assert.deepEqual(httpError(() => execRequest(pod(['app']), q('command=true&stdout=false'))),
    { code: 400, message: 'you must specify at least 1 of stdin, stdout, stderr' });
  // A terminal carries both output streams: stderr is dropped, as kubectl itself does under -t.
  const tty = execRequest(pod(['app']), q('command=sh&stdin=true&stdout=true&stderr=true&tty=true'));
  assert.equal(tty.tty, true);
  assert.equal(tty.stderr, false);
});

test('frames, resize messages and the final status', () => {
  assert.deepEqual([...frame(Channel.stdout, 'hi')], [1, 0x68, 0x69]);
  assert.deepEqual(parseResize(Buffer.from('{"Width":100,"Height":30}\n')), { cols: 100, rows: 30 });
  assert.equal(parseResize(Buffer.from('{"Width":0,"Height":30}')), undefined);
  assert.equal(parseResize(Buffer.from('nope')), undefined);
  assert.deepEqual(outcomeStatus({ exitCode: 0 }, ['true']), { metadata: {}, status: 'Success' });
  const failed = outcomeStatus({ exitCode: 3 }, ['sh', '-c', 'exit 3']);
  assert.equal(failed.reason, 'NonZeroExitCode');
  assert.deepEqual(failed.details, { causes: [{ reason: 'ExitCode', message: '3' }] });
  assert.deepEqual(outcomeStatus({ error: 'exec: "nope": executable file not found' }, ['nope']), {
    metadata: {}, status: 'Failure', reason: 'InternalError', code: 500,
    message: 'Internal error occurred: error executing command in container: exec: "nope": executable file not found',
    details: { causes: [{ message: 'error executing command in container: exec: "nope": executable file not found' }] },
  });
});

/** A runner whose command echoes stdin to stdout and ends with `exitCode` when stdin closes. */
class FakeRunner implements ExecRunner {
  started: { id: string; opts: ExecStart }[] = [];
  resizes: TermSize[] = [];
  killed = 0;
  exitCode = 0;
  running: string | undefined = 'inst-1';

  find(): Promise<string> {
    if (this.running === undefined) return Promise.reject(new PoddError('FailedPrecondition', 'container not found ("app")'));
    return Promise.resolve(this.running);
  }

  start(id: string, opts: ExecStart, sink: ExecSink): ExecSession {
    this.started.push({ id, opts });
    sink.stdout(Buffer.from(`argv ${opts.command.join(' ')}\n`));
    sink.stderr(Buffer.from('to stderr\n'));
    return {
      write: (d) => sink.stdout(d),
      closeStdin: () => sink.exit({ exitCode: this.exitCode }),
      resize: (s) => this.resizes.push(s),
      pauseOutput: () => undefined,
      resumeOutput: () => undefined,
      kill: () => {
        this.killed++;
        sink.exit({ exitCode: 137 });
      },
    };
  }
}

async function startServer(t: TestContext, runner: ExecRunner | undefined): Promise<{ port: number; ca: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'podd-exec-'));
  const store = SqliteObjectStore.open(join(dir, 'store.db'));
  const pki = await ensurePki(join(dir, 'pki'), { hosts: ['127.0.0.1'], now: new Date() });
  const server = createApiServer({
    store, token: TOKEN, tls: { cert: pki.serverCertPem, key: pki.serverKeyPem }, now: Date.now, nodeName: 'node-1',
    version: { major: '1', minor: '32', gitVersion: 'v1.32.0' }, ...(runner === undefined ? {} : { exec: runner }),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  store.create('pods', { ...pod(['app']), metadata: { name: 'web', namespace: 'default' } });
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { port: (server.address() as AddressInfo).port, ca: pki.caCertPem };
}

interface Session {
  frames: Buffer[];
  closed: Promise<number>;
  ws: WebSocket;
}

function open(port: number, ca: string, query: string, opts: { token?: string; protocol?: string } = {}): Promise<Session | { status: number; body: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/api/v1/namespaces/default/pods/web/exec?${query}`, opts.protocol ?? EXEC_PROTOCOL, {
      ca, headers: { Authorization: `Bearer ${opts.token ?? TOKEN}` },
    });
    const frames: Buffer[] = [];
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('message', (d: Buffer) => frames.push(d));
    ws.on('open', () => resolve({ frames, closed, ws }));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
}

function session(s: Session | { status: number; body: string }): Session {
  if (!('ws' in s)) throw new Error(`upgrade refused: ${s.status} ${s.body}`);
  return s;
}

function text(frames: Buffer[], channel: number): string {
  return frames.filter((f) => f[0] === channel).map((f) => f.subarray(1).toString()).join('');
}

test('a session: output on channels 1 and 2, stdin echoed, close-stream 0 ends it with Success and close 1000', async (t) => {
  const runner = new FakeRunner();
  const { port, ca } = await startServer(t, runner);
  const s = session(await open(port, ca, 'command=cat&command=-&container=app&stdin=true&stdout=true&stderr=true'));
  s.ws.send(Buffer.from([Channel.stdin, ...Buffer.from('some data\n')]));
  s.ws.send(Buffer.from([Channel.close, Channel.stdin]));
  assert.equal(await s.closed, 1000);
  assert.equal(text(s.frames, Channel.stdout), 'argv cat -\nsome data\n');
  assert.equal(text(s.frames, Channel.stderr), 'to stderr\n');
  assert.deepEqual(JSON.parse(text(s.frames, Channel.status)), { metadata: {}, status: 'Success' });
  assert.equal(s.frames.at(-1)?.[0], Channel.status, 'the status is the last frame');
  assert.deepEqual(runner.started.map((x) => x.id), ['inst-1']);
});

test('a non-zero exit is a NonZeroExitCode status with the code as cause', async (t) => {
  const runner = new FakeRunner();
  runner.exitCode = 3;
  const { port, ca } = await startServer(t, runner);
  const s = session(await open(port, ca, 'command=sh&container=app&stdin=true&stdout=true'));
  s.ws.send(Buffer.from([Channel.close, Channel.stdin]));
  assert.equal(await s.closed, 1000);
  const status = JSON.parse(text(s.frames, Channel.status)) as { status: string; reason: string; details: unknown };
  assert.equal(status.reason, 'NonZeroExitCode');
  assert.deepEqual(status.details, { causes: [{ reason: 'ExitCode', message: '3' }] });
  assert.equal(text(s.frames, Channel.stderr), '', 'stderr was not asked for');
});

test('tty: the command starts with the first resize size, later resizes reach it', async (t) => {
  const runner = new FakeRunner();
  const { port, ca } = await startServer(t, runner);
  const s = session(await open(port, ca, 'command=sh&container=app&stdin=true&stdout=true&tty=true'));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(runner.started.length, 0, 'waits for the terminal size');
  s.ws.send(Buffer.from([Channel.resize, ...Buffer.from('{"Width":100,"Height":30}\n')]));
  s.ws.send(Buffer.from([Channel.resize, ...Buffer.from('{"Width":120,"Height":40}\n')]));
  s.ws.send(Buffer.from([Channel.close, Channel.stdin]));
  assert.equal(await s.closed, 1000);
  assert.deepEqual(runner.started[0]?.opts.size, { cols: 100, rows: 30 });
  assert.deepEqual(runner.resizes, [{ cols: 120, rows: 40 }]);
});

test('a client that goes away kills the command', async (t) => {
  const runner = new FakeRunner();
  const { port, ca } = await startServer(t, runner);
  const s = session(await open(port, ca, 'command=sleep&command=100&container=app&stdout=true'));
  await new Promise((r) => setTimeout(r, 50));
  s.ws.terminate();
  const end = Date.now() + 2_000;
  while (runner.killed === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  assert.equal(runner.killed, 1);
});

test('refusals before the upgrade: token, pod, container, not running, protocol, no runner', async (t) => {
  const runner = new FakeRunner();
  const { port, ca } = await startServer(t, runner);
  const refused = async (query: string, opts: { token?: string; protocol?: string } = {}): Promise<{ status: number; message: string }> => {
    const r = await open(port, ca, query, opts);
    if ('ws' in r) throw new Error('upgraded');
    return { status: r.status, message: (JSON.parse(r.body) as { message: string }).message };
  };
  assert.deepEqual(await refused('command=true&stdout=true', { token: 'wrong-token-0123456789' }), { status: 401, message: 'Unauthorized' });
  assert.deepEqual(await refused('command=true&stdout=true&container=nope'), { status: 400, message: 'container nope is not valid for pod web' });
  assert.deepEqual(await refused('stdout=true'), { status: 400, message: 'you must specify at least 1 command' });
  assert.deepEqual(await refused('command=true&stdout=true', { protocol: 'v4.channel.k8s.io' }),
    { status: 400, message: 'podd serves exec only over WebSocket with the v5.channel.k8s.io subprotocol (kubectl 1.30 or newer)' });
  runner.running = undefined;
  assert.deepEqual(await refused('command=true&stdout=true'), { status: 400, message: 'container not found ("app")' });
  assert.equal(runner.started.length, 0);

  const gone = await new Promise<{ status: number; body: string }>((resolve) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/api/v1/namespaces/default/pods/nope/exec?command=true&stdout=true`, EXEC_PROTOCOL, {
      ca, headers: { Authorization: `Bearer ${TOKEN}` },
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
  assert.equal(gone.status, 404);
  assert.equal((JSON.parse(gone.body) as { message: string }).message, 'pods "nope" not found');
});

test('without a runner exec answers 405', async (t) => {
  const { port, ca } = await startServer(t, undefined);
  const r = await open(port, ca, 'command=true&stdout=true');
  assert.ok(!('ws' in r));
  assert.equal(r.status, 405);
});

/** A masked client frame (RFC 6455 5.3), written raw to put it in the same packet as the upgrade request. */
function clientFrame(payload: Buffer): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] ?? 0)));
  return Buffer.concat([Buffer.from([0x82, 0x80 | payload.length]), mask, masked]);
}

test('frames sent together with the upgrade request (in `head`) are not lost', async (t) => {
  const runner = new FakeRunner();
  const { port, ca } = await startServer(t, runner);
  const reply = await new Promise<string>((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port, ca }, () => {
      const upgrade = 'GET /api/v1/namespaces/default/pods/web/exec?command=cat&container=app&stdin=true&stdout=true HTTP/1.1\r\n'
        + `Host: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n`
        + `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ${EXEC_PROTOCOL}\r\n\r\n`;
      sock.write(Buffer.concat([Buffer.from(upgrade), clientFrame(Buffer.from([Channel.stdin, ...Buffer.from('early\n')])),
        clientFrame(Buffer.from([Channel.close, Channel.stdin]))]));
    });
    let got = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.includes(Buffer.from('"status":"Success"'))) {
        sock.destroy();
        resolve(got.toString('latin1'));
      }
    });
    sock.on('error', reject);
  });
  assert.match(reply, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.match(reply, /Sec-WebSocket-Protocol: v5\.channel\.k8s\.io\r\n/i);
  assert.match(reply, /early\n/);
});
