// The host's resolvers, which answer every name outside the cluster: a query is relayed as it came (same id, same
// flags) over the transport it came on, to each upstream in turn until one answers in time.
import dgram from 'node:dgram';
import { readFile, stat } from 'node:fs/promises';
import net from 'node:net';
import { isLoopbackAddress, parseResolvConf } from '../../core/dns/resolv-conf.js';
import { ipFamily } from '../../core/dns/names.js';
import { FrameReader, frame } from './tcp-frames.js';

export interface Upstream {
  host: string;
  port: number;
}

export type Transport = 'udp' | 'tcp';

/** `1.2.3.4`, `1.2.3.4:5353`, `::1`, `[::1]:5353`; undefined when it is none of those. */
export function parseUpstream(text: string): Upstream | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const v4 = /^([\d.]+)(?::(\d+))?$/.exec(text);
  const [host, port] = bracketed ? [bracketed[1], bracketed[2]] : v4 ? [v4[1], v4[2]] : [text, undefined];
  if (host === undefined || ipFamily(host) === undefined) return undefined;
  const n = port === undefined ? 53 : Number(port);
  return n >= 1 && n <= 65535 ? { host, port: n } : undefined;
}

/**
 * The nameservers of a resolv.conf, loopback ones last: a stub such as systemd-resolved's 127.0.0.53 is reachable
 * from podd (it runs in the host's network namespace) but is the host's cache in front of the real ones.
 */
export function upstreamsFromResolvConf(text: string): Upstream[] {
  const servers = parseResolvConf(text).nameservers.map(parseUpstream).filter((u): u is Upstream => u !== undefined);
  return [...servers.filter((u) => !isLoopbackAddress(u.host)), ...servers.filter((u) => isLoopbackAddress(u.host))];
}

/** Re-reads the file when it changes (DHCP, a VPN), at most once per query. */
export class ResolvConfUpstreams {
  private cached: { mtimeMs: number; upstreams: Upstream[] } | undefined;

  constructor(private readonly path: string) {}

  async get(): Promise<Upstream[]> {
    try {
      const { mtimeMs } = await stat(this.path);
      if (this.cached?.mtimeMs !== mtimeMs) this.cached = { mtimeMs, upstreams: upstreamsFromResolvConf(await readFile(this.path, 'utf8')) };
      return this.cached.upstreams;
    } catch {
      return this.cached?.upstreams ?? [];
    }
  }
}

function isAnswerTo(query: Buffer, reply: Buffer): boolean {
  return reply.length >= 12 && reply.readUInt16BE(0) === query.readUInt16BE(0) && (reply[2] ?? 0) >= 0x80;
}

function udpExchange(query: Buffer, up: Upstream, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(ipFamily(up.host) === 6 ? 'udp6' : 'udp4');
    const done = (reply: Buffer | undefined): void => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    // connected: only the upstream's datagrams arrive, and an ICMP port-unreachable fails fast
    socket.on('error', () => done(undefined));
    socket.on('message', (msg) => {
      if (isAnswerTo(query, msg)) done(msg);
    });
    socket.connect(up.port, up.host, () => socket.send(query));
  });
}

function tcpExchange(query: Buffer, up: Upstream, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: up.host, port: up.port });
    const reader = new FrameReader();
    let settled = false;
    const done = (reply: Buffer | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
    socket.on('connect', () => socket.write(frame(query)));
    socket.on('data', (chunk: Buffer) => {
      for (const msg of reader.push(chunk)) if (isAnswerTo(query, msg)) done(msg);
    });
  });
}

const RETRY_NEXT_RCODES = new Set([2, 4, 5]); // SERVFAIL, NOTIMP, REFUSED: ask the next server, as a stub resolver does

export class Forwarder {
  constructor(private readonly upstreams: () => Promise<Upstream[]>, private readonly timeoutMs = 2_000) {}

  /** The first good reply, else the last bad one, else undefined (nothing answered in time: the caller's SERVFAIL). */
  async forward(query: Buffer, transport: Transport): Promise<Buffer | undefined> {
    let fallback: Buffer | undefined;
    for (const up of await this.upstreams()) {
      const reply = transport === 'udp' ? await udpExchange(query, up, this.timeoutMs) : await tcpExchange(query, up, this.timeoutMs);
      if (reply === undefined) continue;
      if (!RETRY_NEXT_RCODES.has((reply[3] ?? 0) & 0x0f)) return reply;
      fallback = reply;
    }
    return fallback;
  }
}
