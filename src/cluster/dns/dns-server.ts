// The cluster DNS's sockets: UDP and TCP on one address and port (the bridge's gateway, :53).
//
// The gateway address exists only once the bridge does, which the CNI bridge plugin makes at the first pod's ADD
// (and podd deletes with the last pod). So binding is retried on a timer until it works, and `ensureServing()`
// tries at once: the agent calls it between a ClusterFirst pod's CNI ADD and its containers' start. Once bound the
// sockets stay: Linux keeps them when the address goes with the bridge, and they receive again when it comes back.
import dgram from 'node:dgram';
import net from 'node:net';
import { ipFamily } from '../../core/dns/names.js';
import { FrameReader, frame } from './tcp-frames.js';
import type { Transport } from './upstream.js';

export interface DnsServerOptions {
  host: string;
  /** 53; 0 picks a free port (tests). */
  port: number;
  handle(raw: Buffer, transport: Transport): Promise<Buffer | undefined>;
  log(line: string): void;
  retryMs?: number;
}

const TCP_IDLE_MS = 10_000;
const MAX_TCP_CONNECTIONS = 256;

function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: ipFamily(host) === 6 ? 'udp6' : 'udp4' });
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

function listenTcp(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}

export class DnsServer {
  private udp: dgram.Socket | undefined;
  private readonly tcp: net.Server;
  private readonly connections = new Set<net.Socket>();
  private attempt: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastError = '';
  private closed = false;

  constructor(private readonly opts: DnsServerOptions) {
    this.tcp = net.createServer((socket) => this.serveTcp(socket));
    this.tcp.maxConnections = MAX_TCP_CONNECTIONS;
  }

  get listening(): boolean {
    return this.udp !== undefined;
  }

  /** The bound port (the UDP and TCP ones are the same). */
  get port(): number {
    return this.udp?.address().port ?? 0;
  }

  /** Tries to bind now; on failure keeps retrying in the background. Never rejects. */
  async start(): Promise<void> {
    await this.ensureServing();
  }

  /** Resolves when the sockets are bound or this attempt failed (the timer tries again). Never rejects. */
  ensureServing(): Promise<void> {
    if (this.closed || this.udp !== undefined) return Promise.resolve();
    this.attempt ??= this.bind().finally(() => {
      this.attempt = undefined;
    });
    return this.attempt;
  }

  private async bind(): Promise<void> {
    const { host } = this.opts;
    let udp: dgram.Socket | undefined;
    try {
      udp = await bindUdp(host, this.opts.port);
      await listenTcp(this.tcp, host, udp.address().port);
    } catch (err) {
      udp?.close();
      this.report(err);
      this.schedule();
      return;
    }
    if (this.closed) {
      udp.close();
      this.tcp.close();
      return;
    }
    udp.on('message', (msg, rinfo) => {
      this.opts.handle(msg, 'udp')
        .then((out) => { if (out !== undefined && this.udp === udp) udp.send(out, rinfo.port, rinfo.address); })
        .catch((err: unknown) => this.opts.log(`podd dns: ${err instanceof Error ? err.message : String(err)}`));
    });
    udp.on('error', (err) => this.opts.log(`podd dns: udp: ${err.message}`));
    this.udp = udp;
    clearTimeout(this.timer);
    this.opts.log(`podd dns: serving on ${host}:${this.port} (udp, tcp)`);
  }

  /** One line per new kind of failure: "not there yet" is expected until the first pod, and said once. */
  private report(err: unknown): void {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    if (code === this.lastError) return;
    this.lastError = code;
    const why = code === 'EADDRNOTAVAIL' ? 'the address is not on this host yet (the pod bridge comes with the first pod); retrying'
      : `${err instanceof Error ? err.message : String(err)}; retrying`;
    this.opts.log(`podd dns: cannot listen on ${this.opts.host}:${this.opts.port}: ${why}`);
  }

  private schedule(): void {
    if (this.closed || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.ensureServing();
    }, this.opts.retryMs ?? 1_000);
    this.timer.unref();
  }

  private serveTcp(socket: net.Socket): void {
    this.connections.add(socket);
    const reader = new FrameReader();
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      for (const msg of reader.push(chunk)) {
        this.opts.handle(msg, 'tcp')
          .then((out) => { if (out !== undefined && !socket.destroyed) socket.write(frame(out)); })
          .catch((err: unknown) => this.opts.log(`podd dns: ${err instanceof Error ? err.message : String(err)}`));
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.attempt;
    for (const c of this.connections) c.destroy();
    const udp = this.udp;
    this.udp = undefined;
    await Promise.all([
      udp === undefined ? undefined : new Promise<void>((r) => udp.close(() => r())),
      this.tcp.listening ? new Promise<void>((r) => this.tcp.close(() => r())) : undefined,
    ]);
  }
}
