import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPoddError } from '../../core/errors.js';
import { isNetworkError } from '../../core/network/errors.js';
import { mountAt, mountsUnder, unmountAllUnder } from '../volume/mounts.js';
import { NetnsManager } from './netns.js';
import { inNetns, sh } from './test-net.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'podd-netns-'));
  try {
    await fn(join(root, 'netns'));
  } finally {
    await unmountAllUnder(root).catch(() => undefined);
    if ((await mountsUnder(root)).length === 0) await rm(root, { recursive: true, force: true });
  }
}

test('create pins a namespace with lo up; remove unpins and deletes, twice is fine', async () => {
  await withDir(async (dir) => {
    const ns = new NetnsManager(dir);
    const path = await ns.create('sb-1');
    assert.equal(path, join(dir, 'sb-1'));
    assert.equal((await mountAt(path))?.fsType, 'nsfs');
    assert.equal(await ns.isPinned('sb-1'), true);
    const links = await inNetns(path, 'ip', ['-o', 'link', 'show']);
    assert.match(links, /^1: lo: <LOOPBACK,UP,LOWER_UP>/);
    assert.equal(links.trim().split('\n').length, 1, 'only lo in a new namespace');
    assert.match(await inNetns(path, 'busybox', ['ping', '-c1', '-W1', '127.0.0.1']), /1 packets received/);
    // a different namespace from the host's
    assert.notEqual(await sh('readlink', ['/proc/self/ns/net']), await inNetns(path, 'readlink', ['/proc/self/ns/net']));
    await ns.remove('sb-1');
    assert.equal(await mountAt(path), undefined);
    assert.deepEqual(await readdir(dir), []);
    await ns.remove('sb-1');
  });
});

test('the namespace directory is a shared mount, so other mount namespaces see later pins', async () => {
  await withDir(async (dir) => {
    const ns = new NetnsManager(dir);
    await ns.create('a');
    const info = await sh('findmnt', ['-n', '-o', 'PROPAGATION', dir]);
    assert.equal(info.trim(), 'shared');
    await ns.remove('a');
  });
});

test('creating a pinned namespace twice is AlreadyExists, and the first one stays', async () => {
  await withDir(async (dir) => {
    const ns = new NetnsManager(dir);
    await ns.create('x');
    await assert.rejects(ns.create('x'), (err: unknown) => isPoddError(err, 'AlreadyExists'));
    assert.equal(await ns.isPinned('x'), true);
    await ns.remove('x');
  });
});

test('list shows pinned namespaces and unpinned leftovers; both are removable', async () => {
  await withDir(async (dir) => {
    const ns = new NetnsManager(dir);
    assert.deepEqual(await ns.list(), [], 'no directory yet');
    await ns.create('b');
    await writeFile(join(dir, 'a'), ''); // a crash between creating the file and pinning
    assert.deepEqual(await ns.list(), [
      { id: 'a', path: join(dir, 'a'), pinned: false },
      { id: 'b', path: join(dir, 'b'), pinned: true },
    ]);
    for (const n of await ns.list()) await ns.remove(n.id);
    assert.deepEqual(await ns.list(), []);
  });
});

test('names that are not container ids are refused before touching the disk', async () => {
  await withDir(async (dir) => {
    const ns = new NetnsManager(dir);
    for (const bad of ['', '../x', 'a/b', '.hidden']) {
      await assert.rejects(ns.create(bad), (err: unknown) => isNetworkError(err, 'InvalidConfig'), bad);
    }
  });
});

test('a namespace directory that cannot be made is NetnsFailed, and nothing is pinned', async () => {
  await withDir(async (dir) => {
    const file = join(dir, '..', 'not-a-dir');
    await writeFile(file, '');
    const ns = new NetnsManager(file);
    await assert.rejects(ns.create('z'), (err: unknown) => isNetworkError(err, 'NetnsFailed'));
    assert.equal(await mountAt(join(file, 'z')), undefined);
  });
});
