// Layer blob compression: sniffed from the bytes (a stored blob keeps no media type), undone as a stream.
// gzip through node's zlib (off the event loop, in libuv's pool). zstd through Debian's `zstd` in a child process:
// node's zlib has zstd only from Node 22.15, and the pure-JS decoders work on the event loop, take whatever window a
// frame asks for (gigabytes, from a hostile layer) and skip frame checksums. zstd keeps libzstd's limit (windows of
// 128 MiB at most) and checks checksums.
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { Duplex, type Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { PoddError } from '../../core/errors.js';
import { isErrno } from './fs-util.js';

export type Compression = 'gzip' | 'zstd' | 'none';

const ZSTD_MAGIC = 0xfd2fb528;
const STDERR_KEPT = 4096;

export async function compressionOf(path: string): Promise<Compression> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    if (bytesRead >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && buffer.readUInt32LE(0) === ZSTD_MAGIC) return 'zstd';
    return 'none';
  } finally {
    await handle.close();
  }
}

/** `what` names the data for the message, e.g. `layer "/path"`. */
export function corruptData(what: string, kind: Compression, err: unknown): PoddError {
  return new PoddError('Invalid', `${what} has corrupt ${kind} data: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

export function isZlibError(err: unknown): boolean {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('Z_');
}

/**
 * `zstd -d` between a writable and a readable side. The readable side ends only once zstd has exited 0, so a
 * truncated or corrupt stream is an error, never a short tar; destroying the stream kills zstd.
 */
export function zstdDecompressor(what: string): Duplex {
  const child = spawn('zstd', ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  let stderr = '';
  const stream = new Duplex({
    read() {
      child.stdout.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      if (child.stdin.write(chunk)) callback();
      else child.stdin.once('drain', () => callback());
    },
    final(callback) {
      child.stdin.end();
      callback();
    },
    destroy(err, callback) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      callback(err);
    },
  });
  child.stdout.on('data', (data: Buffer) => {
    if (!stream.push(data)) child.stdout.pause();
  });
  child.stderr.on('data', (data: Buffer) => {
    if (stderr.length < STDERR_KEPT) stderr += data.toString();
  });
  // zstd stopping early breaks the pipe; its exit status says why.
  child.stdin.on('error', () => {});
  child.on('error', (err) => {
    stream.destroy(isErrno(err, 'ENOENT') ? new PoddError('FailedPrecondition', 'zstd not found: install the "zstd" package', { cause: err }) : err);
  });
  child.on('close', (code, signal) => {
    if (stream.destroyed) return;
    if (code === 0) stream.push(null);
    else stream.destroy(corruptData(what, 'zstd', new Error(stderr.trim().replace(/^zstd: /, '') || `zstd exited with ${code ?? signal}`)));
  });
  return stream;
}

/**
 * A stream that turns the blob's bytes into the layer tar, or undefined when they are the tar already.
 * zstd errors are PoddError('Invalid') naming the data; gzip ones are zlib's (see isZlibError).
 */
export function decompressor(kind: Compression, what: string): Transform | Duplex | undefined {
  // 256 KiB output chunks (zlib's default is 16 KiB): fewer, larger writes into the tar parser.
  if (kind === 'gzip') return createGunzip({ chunkSize: 1 << 18 });
  if (kind === 'zstd') return zstdDecompressor(what);
  return undefined;
}
