import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PoddError } from '../../../core/errors.js';
import { DigestVerifier, verifyBytes } from './verify.js';

const data = Buffer.from('the quick brown fox jumps over the lazy dog\n'.repeat(1000));
const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function run(chunks: Buffer[], expected = { digest, size: data.length }): Promise<{ written: number; progress: number[] }> {
  let written = 0;
  const progress: number[] = [];
  await pipeline(
    Readable.from(chunks),
    new DigestVerifier(expected, (n) => progress.push(n)),
    new Writable({ write(chunk: Buffer, _e, cb) { written += chunk.length; cb(); } }),
  );
  return { written, progress };
}

const invalid = (pattern: RegExp) => (err: unknown): boolean => err instanceof PoddError && err.code === 'Invalid' && pattern.test(err.message);

test('a correct blob passes, in any chunking, reporting progress', async () => {
  const got = await run([data.subarray(0, 10), data.subarray(10, 5000), data.subarray(5000)]);
  assert.equal(got.written, data.length);
  assert.deepEqual(got.progress, [10, 5000, data.length]);
});

test('a corrupt blob (same size) fails at the end', async () => {
  const bad = Buffer.from(data);
  bad[100] = (bad[100] ?? 0) ^ 1;
  await assert.rejects(run([bad]), invalid(/failed verification: its content has digest sha256:/));
});

test('a truncated blob fails', async () => {
  await assert.rejects(run([data.subarray(0, data.length - 1)]), invalid(/is truncated: got 43999 of 44000 bytes/));
});

test('a blob longer than its descriptor fails as soon as it is', async () => {
  let written = 0;
  await assert.rejects(
    pipeline(Readable.from([data, Buffer.from('x'), Buffer.from('never read')]), new DigestVerifier({ digest, size: data.length }),
      new Writable({ write(chunk: Buffer, _e, cb) { written += chunk.length; cb(); } })),
    invalid(/larger than the 44000 bytes/),
  );
  assert.equal(written, data.length);
});

test('unsupported digest algorithms are refused up front', () => {
  assert.throws(() => new DigestVerifier({ digest: 'md5:abc', size: 1 }), invalid(/unsupported digest algorithm/));
});

test('verifyBytes checks size and digest', () => {
  verifyBytes(data, { digest, size: data.length }, 'config');
  assert.throws(() => verifyBytes(data, { digest, size: 1 }, 'config'), invalid(/config sha256:.* has 44000 bytes, its descriptor says 1/));
  assert.throws(() => verifyBytes(Buffer.alloc(data.length), { digest, size: data.length }, 'config'), invalid(/failed verification/));
});
