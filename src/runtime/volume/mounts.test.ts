import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, open, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mountAt, mountsUnder, mountTmpfs, parseMountInfo, removeTree, unmount, unmountAllUnder } from './mounts.js';
import { withTempDir } from './test-util.js';

test('parseMountInfo reads mount point, type, source and unescapes paths', () => {
  const text = [
    '36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 - ext3 /dev/root rw,errors=continue',
    '42 27 0:39 / /tmp/x rw,relatime - tmpfs tmpfs rw,size=1024k',
    '',
  ].join('\n');
  assert.deepEqual(parseMountInfo(text), [
    { mountPoint: '/mnt/with space', fsType: 'ext3', source: '/dev/root', superOptions: 'rw,errors=continue' },
    { mountPoint: '/tmp/x', fsType: 'tmpfs', source: 'tmpfs', superOptions: 'rw,size=1024k' },
  ]);
});

test('unmountAllUnder removes nested and stacked mounts deepest first', async () => {
  await withTempDir(async (dir) => {
    const outer = join(dir, 'a b');
    await mkdir(outer);
    await mountTmpfs(outer, ['size=1m']);
    await mkdir(join(outer, 'inner'));
    await mountTmpfs(join(outer, 'inner'), []);
    await mountTmpfs(join(outer, 'inner'), []);
    assert.equal((await mountsUnder(dir)).length, 3);
    assert.equal((await mountsUnder(dir))[0]?.mountPoint.endsWith('/inner'), true, 'deepest first');
    assert.equal((await mountAt(outer))?.fsType, 'tmpfs', 'a path with a space is found');
    await unmountAllUnder(dir);
    assert.deepEqual(await mountsUnder(dir), []);
  });
});

test('unmount detaches lazily when the mount is busy', async () => {
  await withTempDir(async (dir) => {
    const target = join(dir, 'm');
    await mkdir(target);
    await mountTmpfs(target, []);
    const handle = await open(join(target, 'held'), 'w');
    try {
      await unmount(target);
      assert.equal(await mountAt(target), undefined);
    } finally {
      await handle.close();
    }
  });
});

test('removeTree refuses while something is mounted below, and removes once unmounted', async () => {
  await withTempDir(async (dir) => {
    const tree = join(dir, 'tree');
    await mkdir(join(tree, 'm'), { recursive: true });
    await mountTmpfs(join(tree, 'm'), []);
    await writeFile(join(tree, 'm', 'precious'), 'x');
    await assert.rejects(removeTree(tree), { code: 'FailedPrecondition' });
    await unmountAllUnder(tree);
    await removeTree(tree);
    assert.deepEqual(await readdir(dir), []);
    await removeTree(tree);
  });
});
