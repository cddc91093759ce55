// pods/{name}/exec over WebSocket with the v5.channel.k8s.io subprotocol (what kubectl 1.30+ speaks; see
// kubectl-wire-protocol.md section 5). Requests are checked before the upgrade, so errors are plain HTTP Status
// answers; after it, the command's end is a Status on channel 3 followed by close 1000.

import { STATUS_CODES } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import type { Pod } from '../../api/types.js';
import { PoddError } from '../../core/errors.js';
import type { ObjectStore } from '../../store/types.js';
import { badRequestStatus, execExitStatus, internalErrorStatus, methodNotSupportedStatus, statusForError } from '../wire/status.js';
import type { Status } from '../wire/status.js';
import { HttpError } from './respond.js';

export const EXEC_PROTOCOL = 'v5.channel.k8s.io';

export const Channel = { stdin: 0, stdout: 1, stderr: 2, status: 3, resize: 4, close: 255 } as const;

export interface TermSize {
  cols: number;
  rows: number;
}

/** Which container of which pod; the runner finds the running instance. */
export interface ExecTarget {
  namespace: string;
  pod: string;
  podUid: string;
  container: string;
}

export interface ExecStart {
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  size?: TermSize;
}

/** How the command ended: its exit code, or why it could not run at all. */
export type ExecOutcome = { exitCode: number } | { error: string };

export interface ExecSink {
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
  /** Called once, after all output. */
  exit(outcome: ExecOutcome): void;
}

export interface ExecSession {
  write(data: Buffer): void;
  closeStdin(): void;
  resize(size: TermSize): void;
  pauseOutput(): void;
  resumeOutput(): void;
  /** Ends the command and whatever it started; `exit` still follows. */
  kill(): void;
}

export interface ExecRunner {
  /** The id of the container's running instance; a PoddError (FailedPrecondition) when it is not running. */
  find(target: ExecTarget): Promise<string>;
  start(instanceId: string, opts: ExecStart, sink: ExecSink): ExecSession;
}

export interface ExecRequest extends ExecStart {
  namespace: string;
  name: string;
  container: string;
}

/** `[api, v1, namespaces, NS, pods, NAME, exec]` → the pod; undefined for any other path. */
export function execPath(segs: readonly string[]): { namespace: string; name: string } | undefined {
  if (segs.length !== 7) return undefined;
  const [api, v1, nsWord, namespace = '', pods, name = '', exec] = segs;
  if (api !== 'api' || v1 !== 'v1' || nsWord !== 'namespaces' || pods !== 'pods' || exec !== 'exec') return undefined;
  return namespace === '' || name === '' ? undefined : { namespace, name };
}

/** Go's strconv.ParseBool truths, as the apiserver converts query parameters. */
function flag(query: URLSearchParams, name: string): boolean {
  return ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(query.get(name) ?? '');
}

/** The apiserver's and kubelet's checks of an exec request, in their order; HttpError with their messages. */
export function execRequest(pod: Pod, query: URLSearchParams): ExecRequest {
  const name = pod.metadata.name ?? '';
  const names = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name);
  let container = query.get('container') ?? '';
  if (container === '') {
    if (pod.spec.containers.length !== 1) {
      const choices = pod.spec.containers.map((c) => c.name).join(' ');
      throw new HttpError(400, badRequestStatus(`a container name must be specified for pod ${name}, choose one of: [${choices}]`));
    }
    container = pod.spec.containers[0]?.name ?? '';
  } else if (!names.includes(container)) {
    throw new HttpError(400, badRequestStatus(`container ${container} is not valid for pod ${name}`));
  }
  const command = query.getAll('command');
  if (command.length === 0) throw new HttpError(400, badRequestStatus('you must specify at least 1 command'));
  const tty = flag(query, 'tty');
  const req: ExecRequest = {
    namespace: pod.metadata.namespace ?? 'default', name, container, command,
    // The kubelet drops stderr under a tty: the terminal carries both streams.
    stdin: flag(query, 'stdin'), stdout: flag(query, 'stdout'), stderr: flag(query, 'stderr') && !tty, tty,
  };
  if (!req.stdin && !req.stdout && !req.stderr) throw new HttpError(400, badRequestStatus('you must specify at least 1 of stdin, stdout, stderr'));
  return req;
}

export function frame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.of(channel), body]);
}

/** A resize message (`{"Width":W,"Height":H}`); undefined when it is not one. */
export function parseResize(data: Buffer): TermSize | undefined {
  try {
    const v = JSON.parse(data.toString('utf8')) as { Width?: unknown; Height?: unknown };
    const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 0xffff;
    return ok(v.Width) && ok(v.Height) ? { cols: v.Width, rows: v.Height } : undefined;
  } catch {
    return undefined;
  }
}

/** The channel-3 Status that ends a session (no kind/apiVersion, as the kubelet writes it). */
export function outcomeStatus(outcome: ExecOutcome, argv: readonly string[]): Omit<Status, 'kind' | 'apiVersion'> {
  if ('exitCode' in outcome) return execExitStatus(outcome.exitCode, argv);
  const { kind: _k, apiVersion: _a, ...rest } = internalErrorStatus(`error executing command in container: ${outcome.error}`);
  return rest;
}

/** Answers an upgrade request with a plain HTTP Status (kubectl shows its message) and closes the connection. */
export function rejectUpgrade(socket: Duplex, code: number, status: Status): void {
  const body = JSON.stringify(status);
  socket.end(`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}\r\nContent-Type: application/json\r\n`
    + `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-cache, private\r\nConnection: close\r\n\r\n${body}`);
}

function offersV5(req: IncomingMessage): boolean {
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || req.method !== 'GET') return false;
  return (req.headers['sec-websocket-protocol'] ?? '').split(',').some((p) => p.trim() === EXEC_PROTOCOL);
}

// kubectl sends the terminal size right after connecting; starting before it would give the command 80x24.
const FIRST_RESIZE_WAIT_MS = 1_000;
// Output is paused above this much unsent data, so a slow client cannot make podd buffer without bound.
const HIGH_WATER = 1 << 20;
const CLOSE_WAIT_MS = 5_000;

/** Bridges one upgraded WebSocket to a running command until it ends or the client goes away. */
function serve(ws: WebSocket, runner: ExecRunner, instanceId: string, req: ExecRequest): void {
  let session: ExecSession | undefined;
  let ended = false;
  let paused = false;
  let size: TermSize | undefined;
  const early: Buffer[] = [];
  const waiting = setTimeout(() => begin(), req.tty ? FIRST_RESIZE_WAIT_MS : 0);

  const drained = (): void => {
    if (paused && ws.bufferedAmount < HIGH_WATER / 2) {
      paused = false;
      session?.resumeOutput();
    }
  };
  const send = (channel: number, data: Buffer): void => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(frame(channel, data), { binary: true }, drained);
    if (!paused && ws.bufferedAmount > HIGH_WATER) {
      paused = true;
      session?.pauseOutput();
    }
  };
  const sink: ExecSink = {
    // Streams the client did not ask for have no reader on its side.
    stdout: (d) => req.stdout && send(Channel.stdout, d),
    stderr: (d) => req.stderr && send(Channel.stderr, d),
    exit: (outcome) => {
      if (ended) return;
      ended = true;
      send(Channel.status, Buffer.from(JSON.stringify(outcomeStatus(outcome, req.command))));
      if (ws.readyState === ws.OPEN) ws.close(1000);
      setTimeout(() => ws.terminate(), CLOSE_WAIT_MS).unref();
    },
  };
  const handle = (msg: Buffer): void => {
    const channel = msg[0];
    const data = msg.subarray(1);
    if (channel === Channel.resize) {
      const s = parseResize(data);
      if (s === undefined) return;
      size = s;
      if (session) session.resize(s);
      else begin();
    } else if (!session) {
      early.push(msg);
    } else if (channel === Channel.stdin && req.stdin) {
      session.write(data);
    } else if (channel === Channel.close && data[0] === Channel.stdin && req.stdin) {
      session.closeStdin();
    }
  };
  const begin = (): void => {
    if (session || ended) return;
    clearTimeout(waiting);
    try {
      session = runner.start(instanceId, { ...req, ...(size === undefined ? {} : { size }) }, sink);
    } catch (err) {
      sink.exit({ error: err instanceof Error ? err.message : String(err) });
      return;
    }
    for (const m of early.splice(0)) handle(m);
  };

  ws.on('message', (data: RawData) => handle(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)));
  ws.on('error', () => ws.terminate());
  ws.on('close', () => {
    clearTimeout(waiting);
    // The client is gone before the command ended: nothing may keep running for it.
    if (!ended) session?.kill();
    ended = true;
  });
}

export interface ExecDeps {
  store: ObjectStore;
  runner?: ExecRunner | undefined;
}

/** The server's 'upgrade' listener for exec (after authentication): checks, upgrades, runs. */
export function execUpgradeHandler(deps: ExecDeps): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const wss = new WebSocketServer({
    noServer: true, perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(EXEC_PROTOCOL) ? EXEC_PROTOCOL : false),
  });
  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://podd.invalid');
    const segs = url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
    const where = execPath(segs);
    if (where === undefined) {
      rejectUpgrade(socket, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
        message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
      return;
    }
    try {
      const pod = deps.store.get<Pod>('pods', where.namespace, where.name);
      const exec = execRequest(pod, url.searchParams);
      if (deps.runner === undefined) throw new HttpError(405, methodNotSupportedStatus({ resource: 'pods/exec' }, 'create'));
      const runner = deps.runner;
      const instanceId = await runner.find({ namespace: exec.namespace, pod: exec.name, podUid: pod.metadata.uid ?? '', container: exec.container });
      // Last, so that kubectl's SPDY retry after a refused WebSocket gets the same refusal, which it then prints.
      if (!offersV5(req)) throw new HttpError(400, badRequestStatus(`podd serves exec only over WebSocket with the ${EXEC_PROTOCOL} subprotocol (kubectl 1.30 or newer)`));
      wss.handleUpgrade(req, socket, head, (ws) => serve(ws, runner, instanceId, exec));
    } catch (err) {
      if (err instanceof HttpError) return rejectUpgrade(socket, err.code, err.body);
      const { code, body } = statusForError(err, { resource: 'pods', name: where.name, kind: 'Pod' });
      rejectUpgrade(socket, code, body);
    }
  };
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    void upgrade(req, socket, head).catch((err: unknown) => {
      const e = err instanceof PoddError ? err : new PoddError('Internal', String(err));
      rejectUpgrade(socket, 500, internalErrorStatus(e.message));
    });
  };
}
