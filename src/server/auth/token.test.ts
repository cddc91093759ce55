import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBearer, ensureToken } from './token.js';
import { isPoddError } from '../../core/errors.js';

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'podd-token-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('ensureToken', () => {
  it('creates a 32-byte hex token with mode 0600 and reuses it', () =>
    withDir(async (dir) => {
      const file = join(dir, 'sub', 'token');
      const a = await ensureToken(file);
      assert.match(a, /^[0-9a-f]{64}$/);
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.equal((await stat(join(dir, 'sub'))).mode & 0o777, 0o700);
      assert.equal((await readFile(file, 'utf8')).trim(), a);
      assert.equal(await ensureToken(file), a);
      const other = await ensureToken(join(dir, 'other'));
      assert.notEqual(other, a);
    }));

  it('tightens a reused file to 0600 and refuses a file without a usable token', () =>
    withDir(async (dir) => {
      const file = join(dir, 'token');
      await writeFile(file, 'my-own-token-0123456789\n');
      await chmod(file, 0o644);
      assert.equal(await ensureToken(file), 'my-own-token-0123456789');
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      await writeFile(file, 'short\n');
      await assert.rejects(ensureToken(file), (e) => isPoddError(e, 'FailedPrecondition'));
    }));
});

describe('checkBearer', () => {
  const token = 'a'.repeat(64);
  it('accepts exactly the token', () => {
    assert.equal(checkBearer(`Bearer ${token}`, token), true);
    assert.equal(checkBearer(`bearer  ${token} `, token), true);
  });
  it('rejects everything else', () => {
    for (const h of [undefined, '', 'Bearer', 'Bearer ', `Basic ${token}`, `Bearer ${token}x`, `Bearer ${token.slice(1)}`,
      `Bearer ${token} extra`, `${token}`, `Bearer b${token.slice(1)}`]) {
      assert.equal(checkBearer(h, token), false, String(h));
    }
    assert.equal(checkBearer('Bearer x', ''), false);
  });
});
