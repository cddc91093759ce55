// Checks a blob while it streams: never more bytes than the descriptor says, and at the end
// exactly its size and digest. A stream that fails here has been written nowhere final.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { PoddError } from '../../../core/errors.js';

export interface Expected {
  digest: string;
  size: number;
}

export class DigestVerifier extends Transform {
  private readonly hash: Hash;
  private received = 0;

  constructor(private readonly expected: Expected, private readonly onBytes?: (total: number) => void) {
    super();
    const algorithm = expected.digest.slice(0, expected.digest.indexOf(':'));
    if (algorithm !== 'sha256' && algorithm !== 'sha512') {
      throw new PoddError('Invalid', `unsupported digest algorithm in ${expected.digest}`);
    }
    this.hash = createHash(algorithm);
  }

  get bytes(): number {
    return this.received;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.expected.size) {
      callback(new PoddError('Invalid', `blob ${this.expected.digest} is larger than the ${this.expected.size} bytes its descriptor says`));
      return;
    }
    this.hash.update(chunk);
    this.onBytes?.(this.received);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.received !== this.expected.size) {
      callback(new PoddError('Invalid', `blob ${this.expected.digest} is truncated: got ${this.received} of ${this.expected.size} bytes`));
      return;
    }
    const got = `${this.expected.digest.slice(0, this.expected.digest.indexOf(':'))}:${this.hash.digest('hex')}`;
    if (got !== this.expected.digest) {
      callback(new PoddError('Invalid', `blob ${this.expected.digest} failed verification: its content has digest ${got}`));
      return;
    }
    callback();
  }
}

/** Digest of bytes in memory (manifests, configs), as "<algorithm>:<hex>". */
export function digestOf(bytes: Uint8Array, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Checks bytes in memory against a descriptor. */
export function verifyBytes(bytes: Uint8Array, expected: Expected, what: string): void {
  if (bytes.length !== expected.size) {
    throw new PoddError('Invalid', `${what} ${expected.digest} has ${bytes.length} bytes, its descriptor says ${expected.size}`);
  }
  const got = digestOf(bytes, expected.digest.slice(0, expected.digest.indexOf(':')));
  if (got !== expected.digest) throw new PoddError('Invalid', `${what} ${expected.digest} failed verification: its content has digest ${got}`);
}
