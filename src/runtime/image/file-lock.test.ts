import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withFileLock } from './file-lock.js';

test('withFileLock excludes other holders, in this process and in others, and frees the lock on death', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podd-lock-'));
  const lock = join(dir, 'lock');
  try {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const first = withFileLock(lock, () => {
      order.push('first in');
      return new Promise<void>((resolve) => (release = () => { order.push('first out'); resolve(); }));
    });
    await new Promise((r) => setTimeout(r, 100));
    const second = withFileLock(lock, async () => {
      order.push('second in');
    });
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(order, ['first in'], 'the second waits');
    release();
    await Promise.all([first, second]);
    assert.deepEqual(order, ['first in', 'first out', 'second in']);

    // another process holds it, then is killed: the kernel releases its lock
    const holder = spawn('flock', ['--exclusive', lock, 'sleep', '30'], { stdio: 'ignore', detached: true });
    await new Promise((r) => setTimeout(r, 150));
    let got = false;
    const waiting = withFileLock(lock, async () => {
      got = true;
    });
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(got, false);
    process.kill(-(holder.pid ?? 0), 'SIGKILL');
    await waiting;
    assert.equal(got, true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('withFileLock releases the lock when the function throws', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podd-lock-'));
  try {
    await assert.rejects(withFileLock(join(dir, 'lock'), () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await withFileLock(join(dir, 'lock'), async () => 42), 42);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
