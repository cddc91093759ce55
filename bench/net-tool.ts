// The TCP tool of the networking bench, one program for every path so that only the path differs: the bench runs it
// on the host (loopback) and with `nsenter --net=<netns>` inside pods' and plain network namespaces.
//   node net-tool.js server HOST              listens on HOST, port chosen by the kernel; prints "listening PORT"
//   node net-tool.js client HOST PORT BYTES PINGS
//       throughput: BYTES in 64 KiB writes to a sink, timed from the first write to the sink's 1-byte ack;
//       latency:    PINGS round trips of 1 byte (TCP_NODELAY), after 1000 unmeasured ones;
//       prints {"mbps": MB/s, "rtt": [µs, ...]} on stdout.
// On a connection the server reads one mode byte: 'T' (an 8-byte length, then that many bytes to discard, then it
// answers 1 byte) or 'P' (it echoes every byte back).
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';

const CHUNK = 64 * 1024;
const WARMUP_PINGS = 1000;

function serve(host: string): void {
  const server = createServer((sock) => {
    sock.setNoDelay(true);
    let mode = '';
    let header = Buffer.alloc(0);
    let want = -1n;
    let got = 0n;
    sock.on('data', (d: Buffer) => {
      if (mode === '') {
        mode = String.fromCharCode(d[0] ?? 0);
        d = d.subarray(1);
      }
      if (mode === 'P') {
        if (d.length > 0) sock.write(d);
        return;
      }
      if (want < 0n) {
        header = Buffer.concat([header, d]);
        if (header.length < 8) return;
        want = header.readBigUInt64BE(0);
        d = header.subarray(8);
      }
      got += BigInt(d.length);
      if (got >= want) sock.end(Buffer.from('k'));
    });
    sock.on('error', () => sock.destroy());
  });
  server.listen(0, host, () => {
    const addr = server.address();
    process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
}

function connected(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port }, () => resolve(sock));
    sock.once('error', reject);
  });
}

async function throughput(host: string, port: number, bytes: number): Promise<number> {
  const sock = await connected(host, port);
  const header = Buffer.alloc(9);
  header.write('T', 0);
  header.writeBigUInt64BE(BigInt(bytes), 1);
  const acked = new Promise<void>((resolve, reject) => {
    sock.once('data', () => resolve());
    sock.once('error', reject);
    sock.once('close', () => reject(new Error('throughput: the server closed before its ack')));
  });
  const chunk = Buffer.alloc(CHUNK, 0x61);
  const t0 = performance.now();
  sock.write(header);
  for (let sent = 0; sent < bytes; sent += CHUNK) {
    const last = Math.min(CHUNK, bytes - sent);
    if (!sock.write(last === CHUNK ? chunk : chunk.subarray(0, last))) await new Promise((r) => sock.once('drain', r));
  }
  await acked;
  const seconds = (performance.now() - t0) / 1000;
  sock.destroy();
  return bytes / 1e6 / seconds;
}

async function latency(host: string, port: number, pings: number): Promise<number[]> {
  const sock = await connected(host, port);
  sock.setNoDelay(true);
  const rtt: number[] = [];
  const one = Buffer.from('x');
  await new Promise<void>((resolve, reject) => {
    let left = WARMUP_PINGS + pings;
    let t0 = 0;
    const ping = (): void => {
      t0 = performance.now();
      sock.write(one);
    };
    sock.on('data', (d: Buffer) => {
      // 1-byte answers, one outstanding at a time: each chunk is exactly one answer
      if (d.length !== 1) return reject(new Error(`latency: ${d.length} bytes answered to one`));
      const us = (performance.now() - t0) * 1000;
      if (left-- <= pings) rtt.push(us);
      if (left > 0) ping();
      else resolve();
    });
    sock.once('error', reject);
    sock.write('P');
    ping();
  });
  sock.destroy();
  return rtt;
}

async function main(argv: string[]): Promise<void> {
  const [verb, host, port, bytes, pings] = argv;
  if (verb === 'server' && host !== undefined) return serve(host);
  if (verb === 'client' && host !== undefined && port !== undefined && bytes !== undefined && pings !== undefined) {
    const mbps = await throughput(host, Number(port), Number(bytes));
    const rtt = await latency(host, Number(port), Number(pings));
    process.stdout.write(`${JSON.stringify({ mbps, rtt: rtt.map((x) => Math.round(x * 10) / 10) })}\n`);
    return;
  }
  throw new Error('usage: net-tool.js server HOST | client HOST PORT BYTES PINGS');
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`net-tool: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
