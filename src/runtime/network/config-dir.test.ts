import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFLIST_FILE } from '../../core/network/default-conflist.js';
import { isNetworkError } from '../../core/network/errors.js';
import { loadNetwork } from './config-dir.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'podd-cni-conf-'));
  try {
    await fn(join(root, 'net.d'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('an empty (or missing) directory gets podd\'s default conflist', async () => {
  await withDir(async (dir) => {
    const loaded = await loadNetwork(dir, { podCidr: '10.244.250.0/24' });
    assert.equal(loaded.path, join(dir, DEFAULT_CONFLIST_FILE));
    assert.equal(loaded.isPoddDefault, true);
    assert.deepEqual(loaded.list.plugins.map((p) => p.type), ['bridge', 'portmap']);
    assert.deepEqual(await readdir(dir), [DEFAULT_CONFLIST_FILE], 'no temporary file left');
    const written = JSON.parse(await readFile(loaded.path, 'utf8')) as { plugins: { ipam?: { ranges: unknown } }[] };
    assert.deepEqual(written.plugins[0]?.ipam?.ranges, [[{ subnet: '10.244.250.0/24' }]]);
    // a second load reads the file, it does not rewrite it
    await writeFile(loaded.path, (await readFile(loaded.path, 'utf8')).replace('"podd"', '"edited"'));
    assert.equal((await loadNetwork(dir, {})).list.name, 'edited');
  });
});

test('the first configuration file in byte order wins; other files are ignored', async () => {
  await withDir(async (dir) => {
    await mkdir(dir);
    const conf = (name: string) => JSON.stringify({ cniVersion: '1.0.0', name, plugins: [{ type: 'ptp' }] });
    await writeFile(join(dir, '99-last.conflist'), conf('last'));
    await writeFile(join(dir, '10-first.conflist'), conf('first'));
    await writeFile(join(dir, '00-notes.txt'), 'not config');
    const loaded = await loadNetwork(dir, {});
    assert.equal(loaded.list.name, 'first');
    assert.equal(loaded.isPoddDefault, false);
    assert.equal((await readdir(dir)).includes(DEFAULT_CONFLIST_FILE), false, 'no default written next to a user\'s file');
  });
});

test('a broken first file is an error naming it, not a silent fallback to the next', async () => {
  await withDir(async (dir) => {
    await mkdir(dir);
    await writeFile(join(dir, '10-broken.conflist'), '{"cniVersion":"1.0.0"');
    await writeFile(join(dir, '20-good.conflist'), JSON.stringify({ cniVersion: '1.0.0', name: 'g', plugins: [{ type: 'ptp' }] }));
    await assert.rejects(loadNetwork(dir, {}), (err: unknown) => isNetworkError(err, 'InvalidConfig') && err.message.startsWith(join(dir, '10-broken.conflist')));
  });
});

test('with defaults off, an empty directory is an error', async () => {
  await withDir(async (dir) => {
    await assert.rejects(loadNetwork(dir, false), (err: unknown) => isNetworkError(err, 'InvalidConfig') && /no CNI network configuration/.test(err.message));
  });
});

test('invalid default options are reported before anything is written', async () => {
  await withDir(async (dir) => {
    await assert.rejects(loadNetwork(dir, { podCidr: '10.0.0.1/24' }), /host bits set/);
    await assert.rejects(readdir(dir));
  });
});
