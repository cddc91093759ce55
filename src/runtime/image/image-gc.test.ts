import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_GC_POLICY } from '../../core/image/gc-plan.js';
import { BASE_IMAGE, collectImageGarbage, gcPolicyFromEnv, imagesUsedByContainers, pruneImages } from './image-gc.js';
import { LocalImageStore } from './local-store.js';
import { buildTar } from './test-tar.js';

async function withImages(fn: (store: LocalImageStore, dir: string, clock: { now: Date }) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'podd-gc-'));
  const clock = { now: new Date('2025-01-01T00:00:00Z') };
  const store = new LocalImageStore(join(dir, 'root'), { now: () => clock.now, architecture: 'amd64' });
  try {
    // busybox (pinned), old, middle, new: imported an hour apart; each has its own 1000-byte file
    for (const [i, name] of [BASE_IMAGE, 'r.io/old:1', 'r.io/middle:1', 'r.io/new:1'].entries()) {
      const file = join(dir, `${i}.tar`);
      await writeFile(file, buildTar([{ path: 'bin/', type: 'Directory' }, { path: `bin/f${i}`, body: Buffer.alloc(1000, i) }]));
      clock.now = new Date(Date.parse('2025-01-01T00:00:00Z') + i * 3_600_000);
      await store.importArchive(file, name);
    }
    await fn(store, dir, clock);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const names = async (store: LocalImageStore): Promise<string[]> => (await store.list()).map((i) => i.name);

test('collectImageGarbage removes the least recently used unused images until below the low threshold', async () => {
  await withImages(async (store, _dir, clock) => {
    const images = await store.list();
    const oldId = images.find((i) => i.name === 'r.io/old:1')?.id ?? '';
    const size = images[1]?.size ?? 0;
    // 90% used of a disk where freeing two images' worth gets to 80%
    const total = (size * 2) / 0.1;
    const report = await collectImageGarbage(store, {
      usage: async () => ({ used: total * 0.9, total }),
      inUse: new Set([oldId]),
      now: clock.now.getTime() + 3_600_000,
      policy: DEFAULT_GC_POLICY,
    });
    assert.deepEqual(report.removed, ['r.io/middle:1', 'r.io/new:1']);
    assert.deepEqual(await names(store), [BASE_IMAGE, 'r.io/old:1']);
  });
});

test('collectImageGarbage does nothing below the high threshold, and keeps images younger than the minimum age', async () => {
  await withImages(async (store, _dir, clock) => {
    const none = await collectImageGarbage(store, { usage: async () => ({ used: 84, total: 100 }), inUse: new Set(), now: clock.now.getTime() });
    assert.deepEqual(none.removed, []);
    const size = (await store.list())[1]?.size ?? 0;
    // full: everything would go, but "new" was imported a minute ago and busybox is pinned
    const young = await collectImageGarbage(store, { usage: async () => ({ used: size * 10, total: size * 10 }), inUse: new Set(), now: clock.now.getTime() + 60_000 });
    assert.deepEqual(young.removed, ['r.io/old:1', 'r.io/middle:1']);
  });
});

test('pruneImages removes every unused image but the base image; repo digests and ids both count as in use', async () => {
  await withImages(async (store) => {
    const middleId = (await store.resolve('r.io/middle:1'))?.id ?? '';
    const removed = await pruneImages(store, new Set([middleId]));
    assert.deepEqual(removed.map((i) => i.name), ['r.io/new:1', 'r.io/old:1']);
    assert.deepEqual(await names(store), [BASE_IMAGE, 'r.io/middle:1']);
  });
});

test('imagesUsedByContainers reads imageId from every meta.json, skipping unreadable ones', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podd-state-'));
  try {
    assert.deepEqual(await imagesUsedByContainers(dir), new Set());
    for (const [id, meta] of [['a', { imageId: 'sha256:1' }], ['b', { imageId: '' }], ['c', undefined]] as const) {
      await mkdir(join(dir, 'containers', id), { recursive: true });
      if (meta !== undefined) await writeFile(join(dir, 'containers', id, 'meta.json'), JSON.stringify(meta));
    }
    assert.deepEqual(await imagesUsedByContainers(dir), new Set(['sha256:1']));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('gcPolicyFromEnv reads PODD_IMAGE_GC_HIGH/LOW and refuses nonsense', () => {
  assert.deepEqual(gcPolicyFromEnv({}), DEFAULT_GC_POLICY);
  assert.deepEqual(gcPolicyFromEnv({ PODD_IMAGE_GC_HIGH: '90', PODD_IMAGE_GC_LOW: '70' }), { ...DEFAULT_GC_POLICY, highThresholdPercent: 90, lowThresholdPercent: 70 });
  assert.throws(() => gcPolicyFromEnv({ PODD_IMAGE_GC_HIGH: 'lots' }), /PODD_IMAGE_GC_HIGH="lots" is not a number/);
  assert.throws(() => gcPolicyFromEnv({ PODD_IMAGE_GC_HIGH: '50', PODD_IMAGE_GC_LOW: '60' }), /low threshold 60% is above the high threshold 50%/);
});
