// How the agent reaches a pod's network for httpGet, tcpSocket and grpc probes. Probes connect from podd itself,
// never with tools inside the image:
// - DirectDialer: a pod with an IP on the bridge (or a hostNetwork pod at the node's address) is reached from the
//   host as it is; this is what the kubelet does.
// - NetnsDialer: a pod without an IP (PODD_NETWORK=none: a private network namespace with loopback only) can only
//   be reached from inside its namespace. Node cannot setns(2) itself, so each connection is made by a small
//   helper, `nsenter --net=<the pause process's ns/net> node -e <relay>`, which connects inside the pod's namespace,
//   says whether it could, and then relays bytes over its stdin/stdout: the prober gets a stream to talk HTTP,
//   TLS or nothing over, as over a socket. gRPC, which dials by itself, gets a listener on the host's loopback
//   whose every connection is relayed that way (forward()).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { Duplex, type Readable, type Writable } from 'node:stream';
import { joinHostPort } from '../../core/probe/action.js';
import { DialError, dialErrorMessage, errnoCode } from './net-errors.js';

export interface Forward {
  /** host:port on this host that leads to the target. */
  address: string;
  close(): void;
}

export interface Dialer {
  /** Connects to host:port within timeoutMs; rejects with a DialError in Go's words. */
  dial(host: string, port: number, timeoutMs: number): Promise<Duplex>;
  /** An address that clients dialing by themselves can use to reach host:port. */
  forward(host: string, port: number, timeoutMs: number): Promise<Forward>;
}

export class DirectDialer implements Dialer {
  dial(host: string, port: number, timeoutMs: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const s: Socket = connect({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new DialError(dialErrorMessage(host, port, undefined, true)));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(new DialError(dialErrorMessage(host, port, err), errnoCode(err)));
      });
    });
  }

  forward(host: string, port: number): Promise<Forward> {
    return Promise.resolve({ address: joinHostPort(host, port), close: () => undefined });
  }
}

/**
 * Runs inside the pod's network namespace (node -e; argv: host port). Writes `C` on stderr once connected, or
 * `E <code> <message>` if it could not connect, then relays stdin → socket and socket → stdout.
 */
const RELAY = `
const net = require('net');
let connected = false;
const s = net.connect({ host: process.argv[1], port: Number(process.argv[2]) });
s.on('connect', () => {
  connected = true;
  process.stderr.write('C\\n');
  process.stdin.pipe(s);
  s.pipe(process.stdout);
});
s.on('error', (e) => {
  if (!connected) process.stderr.write('E ' + (e.code || 'EUNKNOWN') + ' ' + String(e.message).replace(/\\n/g, ' ') + '\\n');
  process.exit(1);
});
s.on('close', () => process.exit(0));
`;

/**
 * The relay's stdout and stdin as one stream. It never emits 'error': TLS wraps a stream that is not a socket in
 * a wrapper that re-emits its errors with no one listening, so a torn-down relay just ends (and is killed).
 */
class RelayStream extends Duplex {
  constructor(private readonly child: ChildProcessByStdio<Writable, Readable, Readable>) {
    super();
    child.stdout.on('data', (d: Buffer) => {
      if (!this.push(d)) child.stdout.pause();
    });
    child.stdout.once('end', () => this.push(null));
    child.stdout.on('error', () => this.destroy());
    child.stdin.on('error', () => this.destroy());
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.child.stdin.write(chunk, (err) => {
      cb();
      if (err) this.destroy();
    });
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.child.stdin.end();
    cb();
  }

  override _destroy(_err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.child.stdin.destroy();
    this.child.stdout.destroy();
    cb(null);
  }
}

export interface NetnsDialerOptions {
  nsenterPath?: string;
  /** The node binary the relay runs with (this process's own by default). */
  nodePath?: string;
}

export class NetnsDialer implements Dialer {
  constructor(private readonly netnsPath: string, private readonly opts: NetnsDialerOptions = {}) {}

  dial(host: string, port: number, timeoutMs: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.opts.nsenterPath ?? 'nsenter', [`--net=${this.netnsPath}`, '--', this.opts.nodePath ?? process.execPath, '-e', RELAY, host, String(port)], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let settled = false;
      let errText = '';
      const stream = new RelayStream(child);
      const fail = (err: DialError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        stream.destroy();
        reject(err);
      };
      const timer = setTimeout(() => fail(new DialError(dialErrorMessage(host, port, undefined, true))), timeoutMs);
      child.on('error', (err) => fail(new DialError(`dial tcp ${joinHostPort(host, port)}: entering the pod's network namespace ${this.netnsPath}: ${err.message}`)));
      child.stderr.on('data', (d: Buffer) => {
        if (settled) return;
        errText += d.toString('utf8');
        const line = errText.split('\n')[0] ?? '';
        if (!errText.includes('\n')) return;
        if (line === 'C') {
          settled = true;
          clearTimeout(timer);
          resolve(stream);
          return;
        }
        const m = /^E (\S+) (.*)$/.exec(line);
        if (m) {
          const err = Object.assign(new Error(m[2] ?? ''), { code: m[1] });
          fail(new DialError(dialErrorMessage(host, port, err), m[1]));
        } else {
          fail(new DialError(`dial tcp ${joinHostPort(host, port)}: entering the pod's network namespace ${this.netnsPath}: ${line}`));
        }
      });
      child.on('close', (code) => fail(new DialError(
        `dial tcp ${joinHostPort(host, port)}: entering the pod's network namespace ${this.netnsPath} failed: ${errText.trim() || `exit status ${code ?? 'signal'}`}`,
      )));
    });
  }

  async forward(host: string, port: number, timeoutMs: number): Promise<Forward> {
    const open = new Set<Duplex>();
    const server = createServer((local) => {
      open.add(local);
      local.on('error', () => undefined);
      local.once('close', () => open.delete(local));
      this.dial(host, port, timeoutMs).then((remote) => {
        open.add(remote);
        remote.once('close', () => {
          open.delete(remote);
          local.destroy();
        });
        local.once('close', () => remote.destroy());
        local.pipe(remote);
        remote.pipe(local);
      }, () => local.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    const local = typeof addr === 'object' && addr !== null ? addr.port : 0;
    return {
      address: `127.0.0.1:${local}`,
      close: () => {
        server.close();
        for (const s of open) s.destroy();
      },
    };
  }
}
