// Test helpers: a DNS client over UDP and TCP, and a fake upstream resolver on loopback.
import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';
import { FrameReader, frame } from './tcp-frames.js';

export interface AskOptions {
  transport?: 'udp' | 'tcp';
  edns?: number;
  host?: string;
  timeoutMs?: number;
}

export function udpRoundTrip(host: string, port: number, raw: Buffer, timeoutMs = 3_000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => { socket.close(); resolve(undefined); }, timeoutMs);
    socket.on('message', (msg) => { clearTimeout(timer); socket.close(); resolve(msg); });
    socket.send(raw, port, host);
  });
}

export function tcpRoundTrip(host: string, port: number, raw: Buffer, timeoutMs = 3_000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const reader = new FrameReader();
    const done = (out: Buffer | undefined): void => { clearTimeout(timer); socket.destroy(); resolve(out); };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', () => done(undefined));
    socket.on('connect', () => socket.write(frame(raw)));
    socket.on('data', (c: Buffer) => { const [msg] = reader.push(c); if (msg) done(msg); });
  });
}

let nextId = 1;

export async function ask(port: number, name: string, type: dnsPacket.RecordType, opts: AskOptions = {}): Promise<dnsPacket.DecodedPacket & { rcode: string }> {
  const raw = dnsPacket.encode({
    type: 'query', id: nextId++ & 0xffff, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }],
    ...(opts.edns === undefined ? {} : { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: opts.edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] }),
  });
  const host = opts.host ?? '127.0.0.1';
  const out = opts.transport === 'tcp' ? await tcpRoundTrip(host, port, raw, opts.timeoutMs) : await udpRoundTrip(host, port, raw, opts.timeoutMs);
  if (out === undefined) throw new Error(`no answer to ${name} ${type}`);
  return dnsPacket.decode(out) as dnsPacket.DecodedPacket & { rcode: string };
}

/** A resolver that knows a few names (A records), answers NXDOMAIN otherwise, and never answers `silent.` names. */
export class FakeUpstream {
  readonly queries: string[] = [];
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly names: Record<string, string>) {}

  get port(): number {
    return this.udp?.address().port ?? 0;
  }

  private answer(raw: Buffer, transport: string): Buffer | undefined {
    const q = dnsPacket.decode(raw);
    const question = q.questions?.[0];
    if (!question) return undefined;
    this.queries.push(`${transport} ${question.name} ${question.type}`);
    if (question.name.startsWith('silent.')) return undefined;
    const ip = this.names[question.name.toLowerCase()];
    return dnsPacket.encode({
      type: 'response', id: q.id ?? 0, flags: dnsPacket.RECURSION_AVAILABLE | (q.flag_rd ? dnsPacket.RECURSION_DESIRED : 0) | (ip === undefined ? 3 : 0),
      questions: q.questions ?? [],
      answers: ip === undefined || question.type !== 'A' ? [] : [{ name: question.name, type: 'A', ttl: 60, data: ip }],
    });
  }

  async start(host = '127.0.0.1'): Promise<void> {
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, host, r));
    udp.on('message', (msg, rinfo) => {
      const out = this.answer(msg, 'udp');
      if (out) udp.send(out, rinfo.port, rinfo.address);
    });
    this.udp = udp;
    const tcp = net.createServer((socket) => {
      const reader = new FrameReader();
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.on('data', (c: Buffer) => {
        for (const msg of reader.push(c)) {
          const out = this.answer(msg, 'tcp');
          if (out) socket.write(frame(out));
        }
      });
    });
    await new Promise<void>((r) => tcp.listen(this.port, host, r));
    this.tcp = tcp;
  }

  async close(): Promise<void> {
    const udp = this.udp;
    const tcp = this.tcp;
    if (udp) await new Promise<void>((r) => udp.close(() => r()));
    if (tcp) {
      for (const s of this.sockets) s.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
    }
  }
}
