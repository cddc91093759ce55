import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { LocalImageStore } from './local-store.js';
import { mountOverlay } from './overlay.js';
import { buildTar, type TarEntrySpec } from './test-tar.js';
import { PoddError } from '../../core/errors.js';

const execFileAsync = promisify(execFile);
const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

interface Fixture {
  dir: string;
  store: LocalImageStore;
  root: string;
}

async function withStore(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'podd-images-'));
  const root = join(dir, 'root');
  const store = new LocalImageStore(root, { now: () => new Date('2025-01-01T00:00:00Z'), architecture: 'amd64' });
  try {
    await fn({ dir, store, root });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function layerNames(root: string): Promise<string[]> {
  return (await readdir(join(root, 'images', 'layers'))).sort();
}

const isCode = (code: string, pattern = /./) => (err: unknown): boolean =>
  err instanceof PoddError && err.code === code && pattern.test(err.message);

const rootfsEntries: TarEntrySpec[] = [
  { path: './', type: 'Directory' },
  { path: './bin/', type: 'Directory' },
  { path: './bin/busybox', body: 'not really busybox', mode: 0o755 },
  { path: './bin/sh', type: 'SymbolicLink', linkpath: '/bin/busybox' },
  { path: './etc/', type: 'Directory' },
  { path: './etc/passwd', body: 'root:x:0:0:root:/root:/bin/sh\n' },
];

test('imports a plain rootfs tarball as a one-layer image with a default config', async () => {
  await withStore(async ({ dir, store, root }) => {
    const tar = buildTar(rootfsEntries);
    const file = join(dir, 'rootfs.tar');
    await writeFile(file, tar);

    const image = await store.importArchive(file, 'busybox');
    assert.equal(image.name, 'docker.io/library/busybox:latest');
    assert.deepEqual(image.layers, [`sha256:${sha256(tar)}`]);
    assert.deepEqual(image.config, {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Entrypoint: [], Cmd: ['sh'], WorkingDir: '', User: '', StopSignal: '',
    });
    assert.equal(image.size, tar.length);
    assert.equal(image.created, '2025-01-01T00:00:00.000Z');
    const configBlob = await readFile(join(root, 'images', 'blobs', 'sha256', image.id.slice(7)));
    assert.equal(`sha256:${sha256(configBlob)}`, image.id);

    const [layerDir] = store.layerDirs(image);
    assert.equal(layerDir, join(root, 'images', 'layers', sha256(tar)));
    assert.equal(await readFile(join(layerDir ?? '', 'etc/passwd'), 'utf8'), 'root:x:0:0:root:/root:/bin/sh\n');

    assert.deepEqual(await store.resolve('busybox'), image);
    assert.deepEqual(await store.resolve('docker.io/library/busybox:latest'), image);
    assert.deepEqual(await store.resolve(image.id), image);
    assert.deepEqual(await store.resolve(image.id.slice(7, 19)), image);
    assert.equal(await store.resolve('busybox:other'), undefined);
    assert.deepEqual(await store.list(), [image]);
    const index = JSON.parse(await readFile(join(root, 'images', 'index.json'), 'utf8')) as { images: Record<string, unknown> };
    assert.deepEqual(Object.keys(index.images), ['docker.io/library/busybox:latest']);
  });
});

test('re-importing is idempotent and reuses the layer directory', async () => {
  await withStore(async ({ dir, store, root }) => {
    const file = join(dir, 'rootfs.tar');
    await writeFile(file, buildTar(rootfsEntries));
    const first = await store.importArchive(file, 'busybox');
    const [layerDir] = store.layerDirs(first);
    const before = await stat(layerDir ?? '');
    const again = await store.importArchive(file, 'docker.io/library/busybox');
    const other = await store.importArchive(file, 'localhost/copy:v1');
    assert.equal(again.id, first.id);
    assert.equal(other.id, first.id);
    const after = await stat(layerDir ?? '');
    assert.equal(after.ino, before.ino);
    assert.equal(after.birthtimeMs, before.birthtimeMs);
    assert.deepEqual(await layerNames(root), [first.layers[0]?.slice(7)]);
    assert.deepEqual((await store.list()).map((i) => i.name), ['docker.io/library/busybox:latest', 'localhost/copy:v1']);
    assert.deepEqual(await readdir(join(root, 'images', 'tmp')), []);
  });
});

test('a gzip-compressed rootfs tarball gives the same layer as the plain one', async () => {
  await withStore(async ({ dir, store }) => {
    const tar = buildTar(rootfsEntries);
    await writeFile(join(dir, 'rootfs.tar'), tar);
    await writeFile(join(dir, 'rootfs.tar.gz'), gzipSync(tar));
    const plain = await store.importArchive(join(dir, 'rootfs.tar'), 'plain');
    const gzipped = await store.importArchive(join(dir, 'rootfs.tar.gz'), 'gzipped');
    assert.deepEqual(gzipped.layers, plain.layers);
    assert.equal(gzipped.id, plain.id);
    assert.equal(gzipped.size, tar.length);
  });
});

test('a zstd-compressed rootfs tarball gives the same layer; truncated ones and huge windows are refused and leave nothing', async () => {
  await withStore(async ({ root, dir, store }) => {
    const tar = buildTar(rootfsEntries);
    await writeFile(join(dir, 'rootfs.tar'), tar);
    await execFileAsync('zstd', ['-q', '-19', join(dir, 'rootfs.tar'), '-o', join(dir, 'rootfs.tar.zst')]);
    const plain = await store.importArchive(join(dir, 'rootfs.tar'), 'plain');
    const zstd = await store.importArchive(join(dir, 'rootfs.tar.zst'), 'zstd');
    assert.deepEqual(zstd.layers, plain.layers);
    assert.equal(zstd.size, tar.length);
    await store.remove('plain');
    await store.remove('zstd');
    const compressed = await readFile(join(dir, 'rootfs.tar.zst'));
    await writeFile(join(dir, 'cut.tar.zst'), compressed.subarray(0, compressed.length - 20));
    await assert.rejects(store.importArchive(join(dir, 'cut.tar.zst'), 'cut'), isCode('Invalid', /corrupt zstd data/));
    // A frame asking for a 2 GiB window is refused before anything is allocated.
    await writeFile(join(dir, 'huge-window.tar.zst'), Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xa8, 0x01, 0x00, 0x00]));
    await assert.rejects(store.importArchive(join(dir, 'huge-window.tar.zst'), 'huge'), isCode('Invalid', /Frame requires too much memory/));
    assert.deepEqual(await layerNames(root), []);
    assert.deepEqual(await readdir(join(root, 'images', 'tmp')), []);
  });
});

function dockerSave(layers: Buffer[], config: object, repoTags: string[]): Buffer {
  const configJson = JSON.stringify(config);
  const configName = `${sha256(configJson)}.json`;
  const entries: TarEntrySpec[] = layers.flatMap((layer, i) => [
    { path: `l${i}/`, type: 'Directory' as const },
    { path: `l${i}/layer.tar`, body: layer },
  ]);
  entries.push({ path: configName, body: configJson });
  entries.push({ path: 'manifest.json', body: JSON.stringify([{ Config: configName, RepoTags: repoTags, Layers: layers.map((_, i) => `l${i}/layer.tar`) }]) });
  return buildTar(entries);
}

const lower = buildTar([
  { path: 'etc/', type: 'Directory' },
  { path: 'etc/keep', body: 'keep' },
  { path: 'etc/remove-me', body: 'doomed' },
  { path: 'data/', type: 'Directory' },
  { path: 'data/lower-only', body: 'lower' },
  { path: 'data/shared', body: 'from lower' },
]);
const upper = buildTar([
  { path: 'etc/', type: 'Directory' },
  { path: 'etc/.wh.remove-me', body: '' },
  { path: 'data/', type: 'Directory' },
  { path: 'data/.wh..wh..opq', body: '' },
  { path: 'data/upper-only', body: 'upper' },
  { path: 'data/shared', body: 'from upper' },
]);
const twoLayerConfig = {
  architecture: 'amd64',
  os: 'linux',
  created: '2024-06-01T12:00:00Z',
  config: { Env: ['PATH=/bin', 'A=1'], Entrypoint: ['/app'], Cmd: ['--serve'], WorkingDir: '/srv', User: '1000:1000', StopSignal: 'SIGQUIT', ExposedPorts: { '8080/tcp': {} } },
  rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(lower)}`, `sha256:${sha256(upper)}`] },
};

test('imports a docker save tarball; whiteouts and opaque dirs work once stacked with overlayfs', async () => {
  await withStore(async ({ dir, store }) => {
    const file = join(dir, 'saved.tar');
    await writeFile(file, dockerSave([lower, upper], twoLayerConfig, ['example.com/app:v1']));
    const image = await store.importArchive(file, 'example.com/app:v1');
    assert.deepEqual(image.layers, twoLayerConfig.rootfs.diff_ids);
    assert.deepEqual(image.config, { ...twoLayerConfig.config });
    assert.equal(image.created, '2024-06-01T12:00:00Z');
    assert.equal(image.size, lower.length + upper.length);

    const mount = await mountOverlay(store.layerDirs(image), join(dir, 'ctr'));
    try {
      assert.deepEqual((await readdir(join(mount.merged, 'etc'))).sort(), ['keep']);
      assert.deepEqual((await readdir(join(mount.merged, 'data'))).sort(), ['shared', 'upper-only']);
      assert.equal(await readFile(join(mount.merged, 'data/shared'), 'utf8'), 'from upper');
    } finally {
      await mount.unmount();
    }
    assert.deepEqual(await readdir(join(dir, 'ctr')), []);
  });
});

test('a docker save tarball whose layers do not match the config is rejected', async () => {
  await withStore(async ({ dir, store, root }) => {
    const file = join(dir, 'saved.tar');
    const config = { ...twoLayerConfig, rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(upper)}`, `sha256:${sha256(lower)}`] } };
    await writeFile(file, dockerSave([lower, upper], config, ['app:v1']));
    await assert.rejects(store.importArchive(file, 'app:v1'), isCode('Invalid', /has diffID .* but the image expects/));
    assert.deepEqual(await layerNames(root), []);
    assert.deepEqual(await store.list(), []);
  });
});

test('a tar with ../ entries is rejected and leaves nothing behind', async () => {
  await withStore(async ({ dir, store, root }) => {
    const file = join(dir, 'evil.tar');
    await writeFile(file, buildTar([{ path: 'ok', body: 'fine' }, { path: '../evil', body: 'escaped' }]));
    await assert.rejects(store.importArchive(file, 'evil'), isCode('Invalid', /failed to import image docker.io\/library\/evil:latest .*"\.\.\/evil" contains "\.\."/));
    await assert.rejects(access(join(root, 'images', 'evil')));
    await assert.rejects(access(join(dir, 'evil')));
    assert.deepEqual(await layerNames(root), []);
    assert.equal(await store.resolve('evil'), undefined);

    const layered = join(dir, 'evil-layer.tar');
    const badLayer = buildTar([{ path: '../evil', body: 'escaped' }]);
    await writeFile(layered, dockerSave([badLayer], { ...twoLayerConfig, rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(badLayer)}`] } }, []));
    await assert.rejects(store.importArchive(layered, 'evil'), isCode('Invalid', /contains "\.\."/));
    assert.deepEqual(await layerNames(root), []);
  });
});

test('invalid names and non-archives are rejected', async () => {
  await withStore(async ({ dir, store }) => {
    const file = join(dir, 'rootfs.tar');
    await writeFile(file, buildTar(rootfsEntries));
    await assert.rejects(store.importArchive(file, 'UPPER'), isCode('Invalid', /repository name must be lowercase/));
    await assert.rejects(store.importArchive(join(dir, 'missing.tar'), 'x'), isCode('NotFound'));
    const junk = join(dir, 'junk');
    await writeFile(junk, 'this is not a tar archive at all'.repeat(40));
    await assert.rejects(store.importArchive(junk, 'x'), isCode('Invalid', /not a tar archive/));
  });
});

test('remove deletes the name and the layers no other image uses', async () => {
  await withStore(async ({ dir, store, root }) => {
    const saved = join(dir, 'saved.tar');
    await writeFile(saved, dockerSave([lower, upper], twoLayerConfig, ['app:v1']));
    const onlyLower = join(dir, 'lower.tar');
    await writeFile(onlyLower, lower);
    const app = await store.importArchive(saved, 'app:v1');
    const base = await store.importArchive(onlyLower, 'base');
    assert.equal(base.layers[0], app.layers[0], 'the shared layer is stored once');
    assert.equal((await layerNames(root)).length, 2);

    await store.remove('app:v1');
    assert.equal(await store.resolve('app:v1'), undefined);
    assert.deepEqual(await layerNames(root), [sha256(lower)]);
    assert.deepEqual(await readdir(join(root, 'images', 'blobs', 'sha256')), [base.id.slice(7)]);
    await assert.rejects(store.remove('app:v1'), isCode('NotFound'));

    await store.remove(base.id);
    assert.deepEqual(await layerNames(root), []);
    assert.deepEqual(await store.list(), []);
  });
});

test('markUsed updates lastUsed', async () => {
  await withStore(async ({ dir, root }) => {
    let now = new Date('2025-01-01T00:00:00Z');
    const store = new LocalImageStore(root, { now: () => now });
    const file = join(dir, 'rootfs.tar');
    await writeFile(file, buildTar(rootfsEntries));
    await store.importArchive(file, 'busybox');
    now = new Date('2025-02-02T00:00:00Z');
    await store.markUsed('busybox');
    assert.equal((await store.resolve('busybox'))?.lastUsed, '2025-02-02T00:00:00.000Z');
    await assert.rejects(store.markUsed('nope'), isCode('NotFound'));
  });
});

test('leftovers of an interrupted import are cleared and never mistaken for layers', async () => {
  await withStore(async ({ dir, store, root }) => {
    const file = join(dir, 'rootfs.tar');
    const tar = buildTar(rootfsEntries);
    await writeFile(file, tar);
    const layers = join(root, 'images', 'layers');
    await mkdir(join(layers, `${sha256(tar)}.tmp-abc`), { recursive: true });
    await mkdir(join(layers, sha256(tar))); // renamed, but the index was never written
    await mkdir(join(root, 'images', 'tmp', 'archive-x'), { recursive: true });
    const image = await store.importArchive(file, 'busybox');
    assert.deepEqual(await layerNames(root), [sha256(tar)]);
    assert.equal(await readFile(join(store.layerDirs(image)[0] ?? '', 'etc/passwd'), 'utf8'), 'root:x:0:0:root:/root:/bin/sh\n');
    assert.deepEqual(await readdir(join(root, 'images', 'tmp')), []);
  });
});

interface Blob { digest: string; bytes: Buffer }
function blob(data: Buffer | string): Blob {
  const bytes = Buffer.from(data);
  return { digest: `sha256:${sha256(bytes)}`, bytes };
}

/** An OCI layout whose index points at a multi-platform index, as registries and buildkit produce. */
function ociLayout(): { files: Map<string, Buffer>; layers: Blob[] } {
  const layers = [blob(gzipSync(lower)), blob(gzipSync(upper))];
  const config = blob(JSON.stringify(twoLayerConfig));
  const manifest = blob(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.bytes.length },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.bytes.length })),
  }));
  const platforms = blob(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'0'.repeat(64)}`, size: 1, platform: { os: 'linux', architecture: 'arm64' } },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifest.digest, size: manifest.bytes.length, platform: { os: 'linux', architecture: 'amd64' } },
    ],
  }));
  const files = new Map<string, Buffer>();
  files.set('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  files.set('index.json', Buffer.from(JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: platforms.digest, size: platforms.bytes.length, annotations: { 'org.opencontainers.image.ref.name': 'v2' } }],
  })));
  for (const b of [...layers, config, manifest, platforms]) files.set(`blobs/sha256/${b.digest.slice(7)}`, b.bytes);
  return { files, layers };
}

async function writeTree(dir: string, files: Map<string, Buffer>): Promise<void> {
  for (const [path, bytes] of files) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), bytes);
  }
}

test('imports an OCI image layout directory and tar, with gzip layers and a platform index', async () => {
  await withStore(async ({ dir, store, root }) => {
    const { files, layers } = ociLayout();
    const layoutDir = join(dir, 'layout');
    await writeTree(layoutDir, files);
    const image = await store.importArchive(layoutDir, 'example.com/oci:v2');
    assert.equal(image.name, 'example.com/oci:v2');
    assert.deepEqual(image.layers, twoLayerConfig.rootfs.diff_ids);
    assert.equal(image.id, `sha256:${sha256(JSON.stringify(twoLayerConfig))}`);
    assert.equal(image.config.StopSignal, 'SIGQUIT');

    const mount = await mountOverlay(store.layerDirs(image), join(dir, 'ctr'));
    try {
      assert.deepEqual((await readdir(join(mount.merged, 'data'))).sort(), ['shared', 'upper-only']);
      assert.deepEqual((await readdir(join(mount.merged, 'etc'))).sort(), ['keep']);
    } finally {
      await mount.unmount();
    }

    const layoutTar = join(dir, 'layout.tar');
    await writeFile(layoutTar, buildTar([...files].map(([path, body]) => ({ path, body }))));
    const fromTar = await store.importArchive(layoutTar, 'example.com/oci-tar:v2');
    assert.equal(fromTar.id, image.id);

    // A blob that does not match its digest is refused.
    const tampered = join(dir, 'tampered');
    await writeTree(tampered, files);
    // Same uncompressed content (so the same diffID), different compressed bytes.
    await writeFile(join(tampered, 'blobs/sha256', layers[1]?.digest.slice(7) ?? ''), gzipSync(upper, { level: 1 }));
    await store.remove('example.com/oci:v2');
    await store.remove('example.com/oci-tar:v2');
    await assert.rejects(store.importArchive(tampered, 'example.com/oci:v2'), isCode('Invalid', /has digest sha256:\w+, but the manifest says/));
    assert.deepEqual(await store.list(), []);
    assert.deepEqual(await layerNames(root), [], 'the layer unpacked before the failure is not kept');
  });
});

test('imports the busybox base image from scripts/build-base-image.sh and runs its shell', async (t) => {
  const busybox = '/bin/busybox';
  if (!(await access(busybox).then(() => true, () => false))) {
    t.skip('busybox-static is not installed');
    return;
  }
  await withStore(async ({ dir, store }) => {
    const script = fileURLToPath(new URL('../../../../scripts/build-base-image.sh', import.meta.url));
    const tar = join(dir, 'busybox-rootfs.tar');
    await execFileAsync('sh', [script, tar]);
    const image = await store.importArchive(tar, 'busybox');
    assert.deepEqual(image.config.Cmd, ['sh']);
    const mount = await mountOverlay(store.layerDirs(image), join(dir, 'ctr'));
    try {
      const { stdout } = await execFileAsync('chroot', [mount.merged, '/bin/sh', '-c', 'ls -ld /tmp && readlink /bin/ls && echo ok']);
      assert.match(stdout, /^drwxrwxrwt .*\n\/bin\/busybox\nok\n$/);
    } finally {
      await mount.unmount();
    }
  });
});

test('two pulls racing to commit one layer: the first wins, the second staged copy is dropped', async () => {
  await withStore(async ({ dir, store, root }) => {
    const tar = buildTar(rootfsEntries);
    const file = join(dir, 'layer.tar');
    await writeFile(file, tar);
    const diffID = `sha256:${sha256(tar)}`;
    const { stageLayer } = await import('./layers.js');
    await store.prepare();
    const a = await stageLayer({ path: file }, store.layersDir, diffID);
    const b = await stageLayer({ path: file }, store.layersDir, diffID);
    await store.commitLayer(a);
    await store.commitLayer(b);
    assert.deepEqual(await layerNames(root), [sha256(tar)]);
    assert.deepEqual([...(await store.claimLayers([diffID]))], [diffID]);
  });
});

test('a layer leased by an unfinished pull survives sweeps; prune drops leases whose process is gone', async () => {
  await withStore(async ({ dir, store, root }) => {
    const tar = buildTar(rootfsEntries);
    const file = join(dir, 'layer.tar');
    await writeFile(file, tar);
    const diffID = `sha256:${sha256(tar)}`;
    const { stageLayer } = await import('./layers.js');
    await store.prepare();
    await store.commitLayer(await stageLayer({ path: file }, store.layersDir, diffID));
    // another image comes and goes: its commit and removal sweep, but the leased layer stays
    await writeFile(join(dir, 'other.tar'), buildTar([{ path: 'x', body: 'x' }]));
    await store.importArchive(join(dir, 'other.tar'), 'other');
    await store.remove('other');
    assert.deepEqual(await layerNames(root), [sha256(tar)]);
    // this process still runs: prune keeps its lease
    await store.releaseOrphanedLeases();
    assert.deepEqual(await layerNames(root), [sha256(tar)]);
    // a dead owner: gone
    const indexFile = join(root, 'images', 'index.json');
    const index = JSON.parse(await readFile(indexFile, 'utf8')) as { layers: Record<string, { lease?: { pid: number } }> };
    const lease = index.layers[diffID]?.lease;
    assert.ok(lease);
    lease.pid = 2 ** 22 + 1; // above the kernel's pid_max
    await writeFile(indexFile, JSON.stringify(index));
    await store.releaseOrphanedLeases();
    assert.deepEqual(await layerNames(root), []);
  });
});

test('scratch directories of live processes are left alone; those of dead ones are cleared', async () => {
  await withStore(async ({ dir, root }) => {
    const layers = join(root, 'images', 'layers');
    await mkdir(layers, { recursive: true });
    const mine = `${'a'.repeat(64)}.tmp-${process.pid}-abc123`;
    const dead = `${'b'.repeat(64)}.tmp-${2 ** 22 + 1}-abc123`;
    await mkdir(join(layers, mine));
    await mkdir(join(layers, dead));
    const store = new LocalImageStore(root, { architecture: 'amd64' });
    await writeFile(join(dir, 'x.tar'), buildTar(rootfsEntries));
    await store.importArchive(join(dir, 'x.tar'), 'x');
    const names = await layerNames(root);
    assert.ok(names.includes(mine), names.join(' '));
    assert.ok(!names.includes(dead), names.join(' '));
  });
});
