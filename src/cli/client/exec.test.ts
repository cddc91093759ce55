// podd exec's side of v5.channel.k8s.io against a tiny local `ws` server standing in for the API: what it offers
// and sends (query, stdin frames, the [255,0] EOF, resize) and how it ends (exit codes from the channel-3 Status,
// a refused upgrade as kubectl prints it). The real server is exercised in test/e2e/podd-verbs.test.ts.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { ApiClient } from './api.js';
import { ApiError, describeError } from './errors.js';
import { execQuery, exitFromStatus, resizeFrame, stdinEofFrame } from './exec-protocol.js';
import { runExec } from './exec.js';
import type { ExecIo } from './exec.js';

interface Session {
  req: IncomingMessage;
  ws: WebSocket;
  frames: Buffer[];
}

/** An http server upgrading /exec to v5 WebSockets and handing each session to `onSession`; 400 Status otherwise. */
async function fakeApi(t: TestContext, onSession: (s: Session) => void): Promise<ApiClient> {
  const server = createServer((_req, res) => {
    res.writeHead(400, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'BadRequest', code: 400, message: 'container nope is not valid for pod p' }));
  });
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : false) });
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    if (!(req.url ?? '').includes('/exec?') || (req.url ?? '').includes('container=nope')) {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n'
        + JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'BadRequest', code: 400, message: 'container nope is not valid for pod p' }));
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const s: Session = { req, ws, frames: [] };
      ws.on('message', (d: Buffer) => s.frames.push(Buffer.from(d)));
      onSession(s);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    wss.close();
    server.closeAllConnections();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  return new ApiClient({ server: new URL(`http://127.0.0.1:${port}`), insecure: false, token: 'tok', namespace: 'default' });
}

function io(stdinText?: string, size?: { columns: number; rows: number }): ExecIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stdin = new PassThrough();
  if (stdinText !== undefined) stdin.end(stdinText);
  const stdout = Object.assign(new Writable({ write(c: Buffer, _e, done) { out += c.toString(); done(); } }), size ?? {});
  const stderr = new Writable({ write(c: Buffer, _e, done) { err += c.toString(); done(); } });
  return { stdin, stdout, stderr, out: () => out, err: () => err };
}

function end(ws: WebSocket, status: object): void {
  ws.send(Buffer.concat([Buffer.of(3), Buffer.from(JSON.stringify(status))]));
  ws.close(1000);
}

const PATH = (q: URLSearchParams): string => `/api/v1/namespaces/default/pods/p/exec?${q.toString()}`;

test('the query kubectl sends: one command= per argv element, stderr dropped under a tty', () => {
  assert.equal(execQuery(['sh', '-c', 'echo a b'], 'c1', { stdin: false, tty: false }).toString(),
    'command=sh&command=-c&command=echo+a+b&container=c1&stdout=true&stderr=true');
  assert.equal(execQuery(['sh'], 'c1', { stdin: true, tty: true }).toString(), 'command=sh&container=c1&stdin=true&stdout=true&tty=true');
  assert.deepEqual([...stdinEofFrame()], [255, 0]);
  assert.equal(resizeFrame(120, 40).toString('latin1'), '\x04{"Width":120,"Height":40}\n');
});

test('exit codes come from the channel-3 Status', () => {
  assert.deepEqual(exitFromStatus('{"metadata":{},"status":"Success"}'), { code: 0 });
  assert.deepEqual(exitFromStatus(JSON.stringify({ status: 'Failure', reason: 'NonZeroExitCode', message: 'command terminated with non-zero exit code: 3',
    details: { causes: [{ reason: 'ExitCode', message: '3' }] } })), { code: 3, message: 'command terminated with exit code 3' });
  assert.deepEqual(exitFromStatus(JSON.stringify({ status: 'Failure', reason: 'InternalError', message: 'Internal error occurred: boom' })),
    { code: 1, message: 'error: Internal error occurred: boom' });
});

test('output channels, bearer token and subprotocol; a non-zero exit', async (t) => {
  let seen: Session | undefined;
  const client = await fakeApi(t, (s) => {
    seen = s;
    s.ws.send(Buffer.concat([Buffer.of(1), Buffer.from('out\n')]));
    s.ws.send(Buffer.concat([Buffer.of(2), Buffer.from('err\n')]));
    end(s.ws, { metadata: {}, status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '7' }] } });
  });
  const term = io();
  const code = await runExec(client, PATH(execQuery(['false'], 'c1', { stdin: false, tty: false })), { stdin: false, tty: false }, term);
  assert.equal(code, 7);
  assert.equal(term.out(), 'out\n');
  assert.equal(term.err(), 'err\ncommand terminated with exit code 7\n');
  assert.equal(seen?.req.headers.authorization, 'Bearer tok');
  assert.equal(seen?.req.headers['sec-websocket-protocol'], 'v5.channel.k8s.io');
  assert.deepEqual(seen?.frames, []);
});

test('-i streams stdin on channel 0 and ends it with [255, 0]', async (t) => {
  let frames: Buffer[] = [];
  const client = await fakeApi(t, (s) => {
    frames = s.frames;
    s.ws.on('message', (d: Buffer) => {
      if (d[0] === 255) end(s.ws, { metadata: {}, status: 'Success' });
    });
  });
  const term = io('hello\nworld\n');
  const code = await runExec(client, PATH(execQuery(['cat'], 'c1', { stdin: true, tty: false })), { stdin: true, tty: false }, term);
  assert.equal(code, 0);
  const data = Buffer.concat(frames.filter((f) => f[0] === 0).map((f) => f.subarray(1))).toString();
  assert.equal(data, 'hello\nworld\n');
  assert.deepEqual([...(frames[frames.length - 1] ?? [])], [255, 0]);
});

test('-t sends the terminal size first', async (t) => {
  let frames: Buffer[] = [];
  const client = await fakeApi(t, (s) => {
    frames = s.frames;
    s.ws.once('message', () => end(s.ws, { metadata: {}, status: 'Success' }));
  });
  const term = io(undefined, { columns: 100, rows: 30 });
  const code = await runExec(client, PATH(execQuery(['sh'], 'c1', { stdin: false, tty: true })), { stdin: false, tty: true }, term);
  assert.equal(code, 0);
  assert.equal(frames[0]?.toString('latin1'), '\x04{"Width":100,"Height":30}\n');
});

test('a refused upgrade is the server Status; a session without a Status is an error', async (t) => {
  const client = await fakeApi(t, (s) => s.ws.close(1000));
  await assert.rejects(runExec(client, PATH(execQuery(['x'], 'nope', { stdin: false, tty: false })), { stdin: false, tty: false }, io()), (err) => {
    assert.ok(err instanceof ApiError);
    assert.equal(describeError(err), 'Error from server (BadRequest): container nope is not valid for pod p');
    return true;
  });
  await assert.rejects(runExec(client, PATH(execQuery(['x'], 'c1', { stdin: false, tty: false })), { stdin: false, tty: false }, io()),
    /the connection closed before the command finished/);
});
