import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyLayer } from './apply-layer.js';
import { NET_RAW_FILE_CAPABILITY, buildTar, type TarEntrySpec } from './test-tar.js';
import { PoddError } from '../../core/errors.js';

async function* chunks(data: Buffer, size = 700): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'podd-layer-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function applyEntries(entries: TarEntrySpec[], dir: string): Promise<void> {
  const layer = join(dir, 'layer');
  await mkdir(layer);
  await applyLayer(chunks(buildTar(entries)), layer);
}

function opaque(path: string): string {
  return execFileSync('getfattr', ['--absolute-names', '--only-values', '-n', 'trusted.overlay.opaque', path], { encoding: 'utf8' });
}

const isInvalid = (pattern: RegExp) => (err: unknown): boolean =>
  err instanceof PoddError && err.code === 'Invalid' && pattern.test(err.message);

test('applyLayer keeps types, modes, ownership, times, and absolute symlinks verbatim', async () => {
  await withDir(async (dir) => {
    const mtime = new Date('2020-05-06T07:08:09Z');
    await applyEntries([
      { path: './', type: 'Directory', mode: 0o755 },
      { path: './bin/', type: 'Directory', mode: 0o711, mtime },
      { path: './bin/tool', body: '#!/bin/sh\n', mode: 0o4755, uid: 1000, gid: 1001, mtime },
      { path: './bin/sh', type: 'SymbolicLink', linkpath: '/bin/tool', uid: 7, gid: 8 },
      { path: './bin/rel', type: 'SymbolicLink', linkpath: '../etc/conf' },
      { path: './bin/hard', type: 'Link', linkpath: './bin/tool' },
      { path: 'deep/a/b/file', body: 'x'.repeat(5000) },
      { path: 'run/fifo', type: 'FIFO', mode: 0o600 },
    ], dir);
    const layer = join(dir, 'layer');
    const tool = await stat(join(layer, 'bin/tool'));
    assert.equal(tool.mode & 0o7777, 0o4755);
    assert.deepEqual([tool.uid, tool.gid], [1000, 1001]);
    assert.equal(tool.mtime.getTime(), mtime.getTime());
    assert.equal(tool.nlink, 2);
    assert.equal((await stat(join(layer, 'bin/hard'))).ino, tool.ino);
    assert.equal(await readlink(join(layer, 'bin/sh')), '/bin/tool');
    assert.deepEqual([(await lstat(join(layer, 'bin/sh'))).uid, (await lstat(join(layer, 'bin/sh'))).gid], [7, 8]);
    assert.equal(await readlink(join(layer, 'bin/rel')), '../etc/conf');
    const bin = await stat(join(layer, 'bin'));
    assert.equal(bin.mode & 0o777, 0o711);
    assert.equal(bin.mtime.getTime(), mtime.getTime(), 'directory mtime survives its children being written');
    assert.equal(await readFile(join(layer, 'deep/a/b/file'), 'utf8'), 'x'.repeat(5000));
    assert.ok((await lstat(join(layer, 'run/fifo'))).isFIFO());
  });
});

test('applyLayer turns whiteouts into overlayfs whiteouts, and same-layer content wins', async () => {
  await withDir(async (dir) => {
    await applyEntries([
      { path: 'etc/', type: 'Directory' },
      { path: 'etc/.wh.gone', body: '' },
      { path: 'etc/.wh.back', body: '' },
      { path: 'etc/back', body: 'recreated' },
      { path: 'etc/kept', body: 'kept' },
      { path: 'etc/.wh.kept', body: '' },
      { path: 'data/.wh..wh..opq', body: '' },
      { path: 'data/new', body: 'new' },
      { path: '.wh..wh.plnk', type: 'Directory' },
      { path: '.wh..wh.plnk/123.456', body: 'aufs hard link store' },
      // Many at once, so a whiteout could overtake the write of the file it must leave alone.
      ...Array.from({ length: 40 }, (_, i) => ({ path: `many/f${i}`, body: `file ${i}` })),
      ...Array.from({ length: 40 }, (_, i) => ({ path: `many/.wh.f${i}`, body: '' })),
    ], dir);
    const layer = join(dir, 'layer');
    const gone = await lstat(join(layer, 'etc/gone'));
    assert.ok(gone.isCharacterDevice());
    assert.equal(gone.rdev, 0);
    assert.equal(await readFile(join(layer, 'etc/back'), 'utf8'), 'recreated');
    assert.equal(await readFile(join(layer, 'etc/kept'), 'utf8'), 'kept');
    assert.equal(opaque(join(layer, 'data')), 'y');
    assert.deepEqual((await readdir(join(layer, 'data'))).sort(), ['new']);
    assert.deepEqual((await readdir(layer)).sort(), ['data', 'etc', 'many'], 'no .wh. files are left in the layer');
    for (let i = 0; i < 40; i++) assert.equal(await readFile(join(layer, `many/f${i}`), 'utf8'), `file ${i}`);
  });
});

test('applyLayer refuses entries that escape the layer', async () => {
  await withDir(async (dir) => {
    const outside = join(dir, 'outside');
    await mkdir(outside);
    const cases: Array<[TarEntrySpec[], RegExp]> = [
      [[{ path: '../evil', body: 'x' }], /contains "\.\."/],
      [[{ path: 'a/../../evil', body: 'x' }], /contains "\.\."/],
      [[{ path: '/etc/evil', body: 'x' }], /is absolute/],
      [[{ path: 'link', type: 'SymbolicLink', linkpath: outside }, { path: 'link/evil', body: 'x' }], /symbolic link "link"/],
      [[{ path: 'link', type: 'SymbolicLink', linkpath: outside }, { path: 'link/.wh.x', body: '' }], /symbolic link "link"/],
      [[{ path: 'hard', type: 'Link', linkpath: '../outside/x' }], /contains "\.\."/],
      [[{ path: 'hard', type: 'Link', linkpath: 'missing' }], /not a file in this layer/],
    ];
    for (const [entries, pattern] of cases) {
      const layer = join(dir, 'layer');
      await rm(layer, { recursive: true, force: true });
      await assert.rejects(applyEntries(entries, dir), isInvalid(pattern), entries.map((e) => e.path).join(','));
      assert.deepEqual(await readdir(outside), []);
    }
    assert.deepEqual((await readdir(dir)).sort(), ['layer', 'outside']);
  });
});

test('applyLayer rejects data that is not a tar, and truncated tars, without hanging', async () => {
  await withDir(async (dir) => {
    const layer = join(dir, 'layer');
    await mkdir(layer);
    await assert.rejects(applyLayer(chunks(Buffer.alloc(2048, 'garbage!')), layer), isInvalid(/bad layer tar/));
    const whole = buildTar([{ path: 'big', body: 'y'.repeat(10000) }, { path: 'after', body: 'z' }]);
    await rm(layer, { recursive: true });
    await mkdir(layer);
    await assert.rejects(applyLayer(chunks(whole.subarray(0, 4096)), layer), isInvalid(/bad layer tar/));
  });
});

test('applyLayer passes through errors of the source with their code', async () => {
  await withDir(async (dir) => {
    const layer = join(dir, 'layer');
    await mkdir(layer);
    const tar = buildTar([{ path: 'big', body: 'y'.repeat(100000) }]);
    async function* failing(): AsyncGenerator<Buffer> {
      yield tar.subarray(0, 2048);
      throw new PoddError('Unavailable', 'connection reset');
    }
    await assert.rejects(applyLayer(failing(), layer), (err: unknown) => err instanceof PoddError && err.code === 'Unavailable');
  });
});

test('applyLayer replaces a directory by a file and a symlink by a directory', async () => {
  await withDir(async (dir) => {
    const layer = join(dir, 'layer');
    await mkdir(layer);
    await mkdir(join(dir, 'target'));
    await symlink(join(dir, 'target'), join(layer, 'was-link'));
    await applyLayer(chunks(buildTar([
      { path: 'x/', type: 'Directory' },
      { path: 'x/child', body: 'c' },
      { path: 'x', body: 'now a file' },
      { path: 'was-link/', type: 'Directory' },
      { path: 'was-link/f', body: 'inside' },
    ])), layer);
    assert.equal(await readFile(join(layer, 'x'), 'utf8'), 'now a file');
    assert.ok((await lstat(join(layer, 'was-link'))).isDirectory());
    assert.deepEqual(await readdir(join(dir, 'target')), []);
  });
});

/** Every xattr of a path (not following symlinks), as getfattr dumps them, hex-encoded. */
function xattrsOf(path: string): string[] {
  const out = execFileSync('getfattr', ['-h', '--absolute-names', '-d', '-m', '-', '-e', 'hex', path], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line !== '' && !line.startsWith('#')).sort();
}

test('applyLayer sets the xattrs of PAX headers: binary capabilities survive chown; overlayfs keys are not taken from layers', async () => {
  await withDir(async (dir) => {
    await applyEntries([
      { path: 'bin/', type: 'Directory', xattrs: { 'user.dir': 'd' } },
      { path: 'bin/ping', body: 'x', mode: 0o755, uid: 1000, gid: 1000, xattrs: { 'security.capability': NET_RAW_FILE_CAPABILITY, 'user.note': 'a=b\nc' } },
      { path: 'bin/plain', body: 'y' },
      { path: 'bin/link', type: 'SymbolicLink', linkpath: '/nowhere', xattrs: { 'trusted.podd': 'on the link' } },
      { path: 'bin/hard', type: 'Link', linkpath: 'bin/plain', xattrs: { 'user.shared': 'inode' } },
      { path: 'sneaky/', type: 'Directory', xattrs: { 'trusted.overlay.opaque': 'y', 'user.kept': '1' } },
    ], dir);
    const layer = join(dir, 'layer');
    assert.deepEqual(xattrsOf(join(layer, 'bin')), ['user.dir=0x64']);
    assert.deepEqual(xattrsOf(join(layer, 'bin/ping')), [
      `security.capability=0x${NET_RAW_FILE_CAPABILITY.toString('hex')}`,
      `user.note=0x${Buffer.from('a=b\nc').toString('hex')}`,
    ]);
    assert.equal((await stat(join(layer, 'bin/ping'))).uid, 1000);
    assert.deepEqual(xattrsOf(join(layer, 'bin/plain')), [`user.shared=0x${Buffer.from('inode').toString('hex')}`]);
    assert.deepEqual(xattrsOf(join(layer, 'bin/link')), [`trusted.podd=0x${Buffer.from('on the link').toString('hex')}`]);
    assert.deepEqual(xattrsOf(join(layer, 'sneaky')), ['user.kept=0x31']);
  });
});

test('applyLayer reads the xattrs GNU tar --xattrs writes', async () => {
  await withDir(async (dir) => {
    const source = join(dir, 'source');
    await mkdir(join(source, 'sub'), { recursive: true });
    execFileSync('sh', ['-c', 'printf x > sub/ping && printf y > sub/other', 'sh'], { cwd: source });
    execFileSync('setfattr', ['-n', 'security.capability', '-v', `0s${NET_RAW_FILE_CAPABILITY.toString('base64')}`, join(source, 'sub/ping')]);
    execFileSync('setfattr', ['-n', 'user.mime_type', '-v', 'text/plain', join(source, 'sub/other')]);
    execFileSync('setfattr', ['-n', 'user.dir', '-v', 'yes', join(source, 'sub')]);
    const archive = execFileSync('tar', ['--xattrs', '--xattrs-include=*', '--format=posix', '-C', source, '-cf', '-', 'sub'], { maxBuffer: 1 << 24 });
    const layer = join(dir, 'layer');
    await mkdir(layer);
    await applyLayer(chunks(archive, 100), layer);
    for (const path of ['sub', 'sub/ping', 'sub/other']) {
      assert.deepEqual(xattrsOf(join(layer, path)), xattrsOf(join(source, path)), path);
      assert.notDeepEqual(xattrsOf(join(layer, path)), [], `${path} has xattrs to compare`);
    }
  });
});
