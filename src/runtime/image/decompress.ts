// Layer blob compression: sniffed from the bytes (a stored blob keeps no media type), undone as a stream.
// gzip through node's zlib; zstd through fzstd, since node's zlib has zstd only from Node 22.15.
import { open } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { PoddError } from '../../core/errors.js';

export type Compression = 'gzip' | 'zstd' | 'none';

const ZSTD_MAGIC = 0xfd2fb528;

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

function zstdStream(what: string): Transform {
  const stream: Transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        decoder.push(chunk);
        callback();
      } catch (err) {
        callback(corruptData(what, 'zstd', err));
      }
    },
    flush(callback) {
      try {
        decoder.push(new Uint8Array(0), true);
        callback();
      } catch (err) {
        callback(corruptData(what, 'zstd', err));
      }
    },
  });
  // fzstd may hand out views of its window buffer, which it overwrites later: copy.
  const decoder = new Decompress((data) => {
    stream.push(Buffer.from(data));
  });
  return stream;
}

/**
 * A stream that turns the blob's bytes into the layer tar, or undefined when they are the tar already.
 * zstd errors are PoddError('Invalid') naming the layer; gzip ones are zlib's (see isZlibError).
 */
export function decompressor(kind: Compression, what: string): Transform | undefined {
  if (kind === 'gzip') return createGunzip();
  if (kind === 'zstd') return zstdStream(what);
  return undefined;
}
