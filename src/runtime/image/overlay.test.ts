import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountOverlay, unmountOverlay } from './overlay.js';
import { PoddError } from '../../core/errors.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'podd-overlay-'));
  try {
    await fn(dir);
  } finally {
    await unmountOverlay(join(dir, 'ctr')).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

test('mountOverlay stacks layers (last is topmost) and keeps them read-only', async () => {
  await withDir(async (dir) => {
    const low = join(dir, 'low');
    const high = join(dir, 'high');
    await mkdir(low);
    await mkdir(high);
    await writeFile(join(low, 'a'), 'low a');
    await writeFile(join(low, 'b'), 'low b');
    await writeFile(join(high, 'a'), 'high a');

    const mount = await mountOverlay([low, high], join(dir, 'ctr'));
    assert.equal(mount.merged, join(dir, 'ctr', 'merged'));
    assert.equal(await readFile(join(mount.merged, 'a'), 'utf8'), 'high a');
    assert.equal(await readFile(join(mount.merged, 'b'), 'utf8'), 'low b');

    await writeFile(join(mount.merged, 'b'), 'changed');
    await writeFile(join(mount.merged, 'c'), 'new');
    await rm(join(mount.merged, 'a'));
    assert.equal(await readFile(join(low, 'b'), 'utf8'), 'low b', 'lower layers are never written');
    assert.equal(await readFile(join(high, 'a'), 'utf8'), 'high a');
    assert.equal(await readFile(join(dir, 'ctr', 'upper', 'c'), 'utf8'), 'new');

    await mount.unmount();
    assert.deepEqual(await readdir(join(dir, 'ctr')), [], 'upper, work and merged are removed');
    await mount.unmount(); // idempotent
    assert.deepEqual((await readdir(dir)).sort(), ['ctr', 'high', 'low']);
  });
});

test('mountOverlay uses overlay for a single layer too', async () => {
  await withDir(async (dir) => {
    const only = join(dir, 'only');
    await mkdir(only);
    await writeFile(join(only, 'f'), 'image');
    const mount = await mountOverlay([only], join(dir, 'ctr'));
    try {
      await writeFile(join(mount.merged, 'f'), 'container');
      assert.equal(await readFile(join(only, 'f'), 'utf8'), 'image');
      const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
      assert.ok(mountinfo.split('\n').some((line) => line.includes(` ${mount.merged} `) && line.includes(' - overlay ')));
    } finally {
      await mount.unmount();
    }
    await assert.rejects(access(join(dir, 'ctr', 'merged')));
  });
});

test('mountOverlay rejects bad input and cleans up after a failed mount', async () => {
  await withDir(async (dir) => {
    await assert.rejects(mountOverlay([], join(dir, 'ctr')), (err: unknown) => err instanceof PoddError && err.code === 'Invalid');
    await assert.rejects(mountOverlay([join(dir, 'a:b')], join(dir, 'ctr')), (err: unknown) => err instanceof PoddError && err.code === 'Invalid');
    await assert.rejects(mountOverlay([join(dir, 'missing')], join(dir, 'ctr')), (err: unknown) =>
      err instanceof PoddError && err.code === 'Internal' && /failed to mount container rootfs/.test(err.message));
    assert.deepEqual(await readdir(join(dir, 'ctr')), []);
  });
});
