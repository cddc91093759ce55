// `podd exec`: a command in a running container over pods/NAME/exec, as kubectl 1.32 does it: a WebSocket (the `ws`
// package) offering only v5.channel.k8s.io, stdout/stderr from channels 1/2, the exit code from the channel-3
// Status. -i streams stdin (EOF as "close channel 0"); -t puts the terminal in raw mode and follows its size.

import type { ReadStream, WriteStream } from 'node:tty';
import { WebSocket } from 'ws';
import type { RawData } from 'ws';
import type { Pod } from '../../api/types.js';
import type { ApiClient } from './api.js';
import { bool, connect, parseFlags, str } from './args.js';
import { pickContainer } from './containers.js';
import { apiErrorFromResponse, ClientError, ConnectionError, UsageError } from './errors.js';
import {
  decodeFrame, EXEC_SUBPROTOCOL, execQuery, exitFromStatus, resizeFrame, STATUS, STDERR, stdinEofFrame, stdinFrame, STDOUT,
} from './exec-protocol.js';
import { podName } from './logs.js';
import { resourceByName, resourcePath } from './resources.js';

export const EXEC_USAGE = 'exec [pod/]NAME [-c CONTAINER] [-i] [-t] [-n NS] -- COMMAND [ARG...]';

export interface ExecIo {
  stdin: NodeJS.ReadableStream & Partial<Pick<ReadStream, 'isTTY' | 'setRawMode'>>;
  stdout: NodeJS.WritableStream & Partial<Pick<WriteStream, 'columns' | 'rows'>>;
  stderr: NodeJS.WritableStream;
}

const PROCESS_IO: ExecIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };

export async function execCommand(args: readonly string[], io: ExecIo = PROCESS_IO): Promise<number> {
  const dash = args.indexOf('--');
  const flags = dash < 0 ? args : args.slice(0, dash);
  const command = dash < 0 ? [] : args.slice(dash + 1);
  const { values, positionals } = parseFlags(flags, {
    container: { type: 'string', short: 'c' },
    stdin: { type: 'boolean', short: 'i' },
    tty: { type: 'boolean', short: 't' },
    quiet: { type: 'boolean', short: 'q' },
  });
  if (bool(values, 'help')) {
    io.stdout.write(`usage: podd ${EXEC_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`exec [POD] [COMMAND] is not supported; use: podd ${EXEC_USAGE}`);
  if (command.length === 0) throw new UsageError('you must specify at least one command for the container');
  const name = podName(positionals[0], 'exec');
  const stdin = bool(values, 'stdin');
  let tty = bool(values, 'tty') && stdin;
  if (tty && io.stdin.isTTY !== true) {
    if (!bool(values, 'quiet')) io.stderr.write('Unable to use a TTY - input is not a terminal or the right kind of file\n');
    tty = false;
  }
  const { client, namespace } = connect(values);
  try {
    const pods = resourceByName('pods');
    const pod = await client.get<Pod>(resourcePath(pods, namespace, name));
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') throw new ClientError(`cannot exec into a container in a completed pod; current phase is ${phase}`);
    const container = pickContainer(pod, str(values, 'container'), (l) => io.stderr.write(`${l}\n`));
    const query = execQuery(command, container, { stdin, tty });
    return await runExec(client, `${resourcePath(pods, namespace, name, 'exec')}?${query.toString()}`, { stdin, tty }, io);
  } finally {
    client.close();
  }
}

/** Runs one exec session on `path` (with its query) and resolves with the exit code kubectl would return. */
export function runExec(client: ApiClient, path: string, opts: { stdin: boolean; tty: boolean }, io: ExecIo): Promise<number> {
  const url = new URL(client.conn.server.href.replace(/\/+$/, '') + path);
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  const c = client.conn;
  const ws = new WebSocket(url, [EXEC_SUBPROTOCOL], {
    headers: client.headers() as Record<string, string>,
    perMessageDeflate: false,
    rejectUnauthorized: !c.insecure,
    ...(c.ca === undefined ? {} : { ca: c.ca }),
    ...(c.cert === undefined ? {} : { cert: c.cert }),
    ...(c.key === undefined ? {} : { key: c.key }),
  });
  const cleanups: (() => void)[] = [];
  const cleanup = (): void => {
    for (const f of cleanups.splice(0).reverse()) f();
  };
  return new Promise<number>((resolve, reject) => {
    let status: { code: number; message?: string } | undefined;
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      cleanup();
      fn();
    };
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        finish(() => reject(apiErrorFromResponse(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
        ws.terminate();
      });
      res.on('error', (e) => finish(() => reject(e)));
    });
    ws.on('error', (err) => finish(() => reject(connectionError(client, err))));
    ws.on('open', () => {
      if (ws.protocol !== EXEC_SUBPROTOCOL) {
        finish(() => reject(new ClientError(`the server did not agree to ${EXEC_SUBPROTOCOL} (it answered "${ws.protocol}")`)));
        ws.terminate();
        return;
      }
      if (opts.tty) startTerminal(ws, io, cleanups);
      if (opts.stdin) pumpStdin(ws, io, cleanups);
    });
    ws.on('message', (data: RawData) => {
      const msg = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      const f = decodeFrame(msg);
      if (f === undefined) return;
      if (f.channel === STDOUT) io.stdout.write(f.data);
      else if (f.channel === STDERR) io.stderr.write(f.data);
      else if (f.channel === STATUS) status = exitFromStatus(f.data.toString('utf8'));
    });
    ws.on('close', () => finish(() => {
      if (status === undefined) {
        reject(new ClientError('the connection closed before the command finished'));
        return;
      }
      if (status.message !== undefined) io.stderr.write(`${status.message}\n`);
      resolve(status.code);
    }));
  });
}

function startTerminal(ws: WebSocket, io: ExecIo, cleanups: (() => void)[]): void {
  const sendSize = (): void => {
    const cols = io.stdout.columns ?? (io.stdin as { columns?: number }).columns;
    const rows = io.stdout.rows ?? (io.stdin as { rows?: number }).rows;
    if (cols !== undefined && rows !== undefined && ws.readyState === ws.OPEN) ws.send(resizeFrame(cols, rows));
  };
  sendSize();
  process.on('SIGWINCH', sendSize);
  cleanups.push(() => process.off('SIGWINCH', sendSize));
  if (io.stdin.setRawMode !== undefined) {
    io.stdin.setRawMode(true);
    const restore = (): void => {
      io.stdin.setRawMode?.(false);
    };
    // Also on an abrupt exit: a terminal left in raw mode is unusable.
    process.once('exit', restore);
    cleanups.push(() => {
      restore();
      process.off('exit', restore);
    });
  }
}

function pumpStdin(ws: WebSocket, io: ExecIo, cleanups: (() => void)[]): void {
  const onData = (d: Buffer | string): void => {
    if (ws.readyState === ws.OPEN) ws.send(stdinFrame(Buffer.isBuffer(d) ? d : Buffer.from(d)));
  };
  const onEnd = (): void => {
    if (ws.readyState === ws.OPEN) ws.send(stdinEofFrame());
  };
  io.stdin.on('data', onData);
  io.stdin.once('end', onEnd);
  io.stdin.resume();
  cleanups.push(() => {
    io.stdin.off('data', onData);
    io.stdin.off('end', onEnd);
    io.stdin.pause();
  });
}

function connectionError(client: ApiClient, err: Error): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const host = client.conn.server.host;
  if (code === 'ECONNREFUSED') return new ConnectionError(`The connection to the server ${host} was refused - did you specify the right host or port?`);
  return new ConnectionError(`error: unable to upgrade connection: ${err.message}`);
}
