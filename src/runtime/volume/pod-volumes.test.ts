import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, readdir, readFile, readlink, stat, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isPoddError } from '../../core/errors.js';
import { LinuxPodVolumeManager } from './pod-volumes.js';
import type { VolumeSources } from './pod-volumes.js';
import { mountAt, mountsUnder } from './mounts.js';
import { configMap, pod, secret, withTempDir } from './test-util.js';

const MiB = 1024 * 1024;
const none: VolumeSources = { secrets: new Map(), configMaps: new Map() };
const manager = new LinuxPodVolumeManager({ nodeAllocatableMemory: 512 * MiB });

async function tmpfsBytes(dir: string): Promise<number> {
  const fs = await statfs(dir);
  return fs.blocks * fs.bsize;
}

async function assertSetUpFails(promise: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isPoddError(err, 'FailedPrecondition'), `expected FailedPrecondition, got ${String(err)}`);
    assert.equal(err.message, message);
    return true;
  });
}

test('emptyDir is a 0777 directory in the kubelet layout', async () => {
  await withTempDir(async (podDir) => {
    const volumes = await manager.setUp(pod([{ name: 'cache', emptyDir: {} }]), podDir, none);
    const dir = join(podDir, 'volumes/kubernetes.io~empty-dir/cache');
    assert.deepEqual(volumes.get('cache'), { name: 'cache', hostPath: dir, readOnlyByDefault: false, kind: 'emptyDir' });
    assert.equal((await stat(dir)).mode & 0o7777, 0o777);
    assert.equal(await mountAt(dir), undefined, 'a disk-backed emptyDir is no mount');
  });
});

test('emptyDir medium Memory is a tmpfs of sizeLimit bytes', async () => {
  await withTempDir(async (podDir) => {
    const volumes = await manager.setUp(pod([{ name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }]), podDir, none);
    const dir = volumes.get('shm')?.hostPath ?? '';
    const m = await mountAt(dir);
    assert.equal(m?.fsType, 'tmpfs');
    assert.match(m?.superOptions ?? '', /(^|,)size=65536k(,|$)/);
    assert.equal(await tmpfsBytes(dir), 64 * MiB);
  });
});

test('a Memory emptyDir without sizeLimit is bounded by the pod memory limit, else by node allocatable', async () => {
  await withTempDir(async (podDir) => {
    const limited = pod([{ name: 'm', emptyDir: { medium: 'Memory' } }], [{ name: 'a', image: 'x', resources: { limits: { memory: '32Mi' } } }]);
    const volumes = await manager.setUp(limited, join(podDir, 'one'), none);
    assert.equal(await tmpfsBytes(volumes.get('m')?.hostPath ?? ''), 32 * MiB);

    const unlimited = pod([{ name: 'm', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } }]);
    const more = await manager.setUp(unlimited, join(podDir, 'two'), none);
    assert.equal(await tmpfsBytes(more.get('m')?.hostPath ?? ''), 512 * MiB, 'sizeLimit above node allocatable is capped');
  });
});

test('secret is a tmpfs with the decoded keys as 0644 files behind the atomic-writer links', async () => {
  await withTempDir(async (podDir) => {
    const sources = { ...none, secrets: new Map([['creds', secret('creds', { user: 'admin', pass: 'p\u00e4ss\n' })]]) };
    const volumes = await manager.setUp(pod([{ name: 'sec', secret: { secretName: 'creds' } }]), podDir, sources);
    const dir = join(podDir, 'volumes/kubernetes.io~secret/sec');
    assert.deepEqual(volumes.get('sec'), { name: 'sec', hostPath: dir, readOnlyByDefault: true, kind: 'secret' });
    assert.equal((await mountAt(dir))?.fsType, 'tmpfs', 'secrets never touch a disk');
    assert.equal(await readFile(join(dir, 'user'), 'utf8'), 'admin');
    assert.equal(await readFile(join(dir, 'pass'), 'utf8'), 'p\u00e4ss\n');
    assert.equal((await stat(join(dir, 'user'))).mode & 0o7777, 0o644);
    assert.equal(await readlink(join(dir, 'user')), '..data/user');
    assert.match(await readlink(join(dir, '..data')), /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\./);
    assert.equal((await stat(dir)).mode & 0o7777, 0o1777, 'the tmpfs root, as in a kubelet secret volume');
  });
});

test('secret items map keys to paths with their own modes; defaultMode applies to the rest', async () => {
  await withTempDir(async (podDir) => {
    const sources = { ...none, secrets: new Map([['s', secret('s', { a: 'A', b: 'B', c: 'C' })]]) };
    const items = [{ key: 'a', path: 'nested/dir/a.txt', mode: 0o600 }, { key: 'b', path: 'b.txt' }];
    const volumes = await manager.setUp(pod([{ name: 'v', secret: { secretName: 's', items, defaultMode: 0o440 } }]), podDir, sources);
    const dir = volumes.get('v')?.hostPath ?? '';
    assert.deepEqual((await readdir(dir)).filter((n) => !n.startsWith('..')).sort(), ['b.txt', 'nested']);
    assert.equal(await readFile(join(dir, 'nested/dir/a.txt'), 'utf8'), 'A');
    assert.equal((await stat(join(dir, 'nested/dir/a.txt'))).mode & 0o7777, 0o600);
    assert.equal((await stat(join(dir, 'b.txt'))).mode & 0o7777, 0o440);
    assert.equal(await readlink(join(dir, 'nested')), '..data/nested');
  });
});

test('an optional missing Secret or ConfigMap gives an empty volume', async () => {
  await withTempDir(async (podDir) => {
    const volumes = await manager.setUp(pod([
      { name: 's', secret: { secretName: 'absent', optional: true } },
      { name: 'c', configMap: { name: 'absent', optional: true } },
    ]), podDir, none);
    for (const name of ['s', 'c']) {
      const dir = volumes.get(name)?.hostPath ?? '';
      assert.deepEqual((await readdir(dir)).filter((n) => !n.startsWith('..')), []);
      assert.deepEqual(await readdir(join(dir, await readlink(join(dir, '..data')))), []);
    }
    assert.equal((await mountAt(volumes.get('s')?.hostPath ?? ''))?.fsType, 'tmpfs');
  });
});

test('a missing non-optional Secret fails with the kubelet message and undoes the volumes already made', async () => {
  await withTempDir(async (podDir) => {
    const p = pod([{ name: 'cache', emptyDir: { medium: 'Memory' } }, { name: 'sec', secret: { secretName: 'x' } }]);
    await assertSetUpFails(manager.setUp(p, podDir, none), 'MountVolume.SetUp failed for volume "sec" : secret "x" not found');
    assert.deepEqual(await mountsUnder(podDir), []);
    assert.deepEqual(await readdir(podDir), [], 'the volumes tree is gone');
  });
});

test('a missing ConfigMap fails with the kubelet message', async () => {
  await withTempDir(async (podDir) => {
    await assertSetUpFails(manager.setUp(pod([{ name: 'cfg', configMap: { name: 'y' } }]), podDir, none),
      'MountVolume.SetUp failed for volume "cfg" : configmap "y" not found');
  });
});

test('an item naming a missing key fails unless the volume is optional', async () => {
  await withTempDir(async (podDir) => {
    const sources = {
      secrets: new Map([['s', secret('s', { a: 'A' })]]),
      configMaps: new Map([['c', configMap('c', { a: 'A' })]]),
    };
    const items = [{ key: 'a', path: 'a' }, { key: 'nope', path: 'n' }];
    await assertSetUpFails(manager.setUp(pod([{ name: 'v', secret: { secretName: 's', items } }]), podDir, sources),
      'MountVolume.SetUp failed for volume "v" : references non-existent secret key: nope');
    await assertSetUpFails(manager.setUp(pod([{ name: 'v', configMap: { name: 'c', items } }]), podDir, sources),
      'MountVolume.SetUp failed for volume "v" : configmap references non-existent config key: nope');
    assert.deepEqual(await mountsUnder(podDir), [], 'the secret tmpfs was unmounted again');

    const volumes = await manager.setUp(pod([{ name: 'v', secret: { secretName: 's', items, optional: true } }]), podDir, sources);
    const dir = volumes.get('v')?.hostPath ?? '';
    assert.deepEqual((await readdir(dir)).filter((n) => !n.startsWith('..')), ['a']);
  });
});

test('configMap is an on-disk 0777 directory with data and binaryData files', async () => {
  await withTempDir(async (podDir) => {
    const cm = configMap('cfg', { 'app.conf': 'port=80\n' }, { 'logo.bin': Buffer.from([0, 255, 1]).toString('base64') });
    const volumes = await manager.setUp(pod([{ name: 'c', configMap: { name: 'cfg' } }]), podDir, { ...none, configMaps: new Map([['cfg', cm]]) });
    const dir = join(podDir, 'volumes/kubernetes.io~configmap/c');
    assert.deepEqual(volumes.get('c'), { name: 'c', hostPath: dir, readOnlyByDefault: true, kind: 'configMap' });
    assert.equal(await mountAt(dir), undefined);
    assert.equal((await stat(dir)).mode & 0o7777, 0o777);
    assert.equal(await readFile(join(dir, 'app.conf'), 'utf8'), 'port=80\n');
    assert.deepEqual([...await readFile(join(dir, 'logo.bin'))], [0, 255, 1]);
  });
});

test('hostPath volumes are the path itself, type-checked', async () => {
  await withTempDir(async (podDir) => {
    const host = join(podDir, 'host-data');
    const volumes = await manager.setUp(pod([{ name: 'h', hostPath: { path: host, type: 'DirectoryOrCreate' } }]), join(podDir, 'pod'), none);
    assert.deepEqual(volumes.get('h'), { name: 'h', hostPath: host, readOnlyByDefault: false, kind: 'hostPath' });
    assert.ok((await stat(host)).isDirectory());
    const missing = join(podDir, 'missing');
    await assertSetUpFails(manager.setUp(pod([{ name: 'h', hostPath: { path: missing, type: 'Directory' } }]), join(podDir, 'pod'), none),
      `MountVolume.SetUp failed for volume "h" : hostPath type check failed: ${missing} is not a directory`);
  });
});

test('setUp twice reuses the volumes: no second mount, emptyDir content kept, secret updated in place', async () => {
  await withTempDir(async (podDir) => {
    const p = pod([{ name: 'm', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } }, { name: 's', secret: { secretName: 's' } }]);
    const first = await manager.setUp(p, podDir, { ...none, secrets: new Map([['s', secret('s', { k: 'v1', gone: 'x' })]]) });
    const mountsBefore = await mountsUnder(podDir);
    await writeFile(join(first.get('m')?.hostPath ?? '', 'kept'), 'data');
    const sDir = first.get('s')?.hostPath ?? '';
    const dataBefore = await readlink(join(sDir, '..data'));

    const same = await manager.setUp(p, podDir, { ...none, secrets: new Map([['s', secret('s', { k: 'v1', gone: 'x' })]]) });
    assert.deepEqual(same, first);
    assert.equal((await mountsUnder(podDir)).length, mountsBefore.length, 'no stacked mounts');
    assert.equal(await readlink(join(sDir, '..data')), dataBefore, 'unchanged content is not rewritten');

    await manager.setUp(p, podDir, { ...none, secrets: new Map([['s', secret('s', { k: 'v2' })]]) });
    assert.equal(await readFile(join(first.get('m')?.hostPath ?? '', 'kept'), 'utf8'), 'data');
    assert.equal(await readFile(join(sDir, 'k'), 'utf8'), 'v2');
    assert.notEqual(await readlink(join(sDir, '..data')), dataBefore);
    await assert.rejects(lstat(join(sDir, 'gone')), { code: 'ENOENT' }, 'a removed key disappears');
    assert.deepEqual((await readdir(sDir)).filter((n) => n.startsWith('..')).length, 2, 'only ..data and the current payload dir remain');
  });
});

test('fsGroup gives the volumes to the group as the kubelet does', async () => {
  await withTempDir(async (podDir) => {
    const p = pod([{ name: 'e', emptyDir: {} }, { name: 's', secret: { secretName: 's', defaultMode: 0o400 } }], undefined, { securityContext: { fsGroup: 1234 } });
    const volumes = await manager.setUp(p, podDir, { ...none, secrets: new Map([['s', secret('s', { k: 'v' })]]) });
    const e = await stat(volumes.get('e')?.hostPath ?? '');
    assert.equal(e.gid, 1234);
    assert.equal(e.mode & 0o7777, 0o2777);
    const k = await stat(join(volumes.get('s')?.hostPath ?? '', 'k'));
    assert.equal(k.gid, 1234);
    assert.equal(k.mode & 0o7777, 0o440, 'read-only volume: group read added to 0400');
  });
});

test('tearDown unmounts and removes everything, leaves hostPath sources alone, and can run twice', async () => {
  await withTempDir(async (root) => {
    const podDir = join(root, 'pod');
    const host = join(root, 'host');
    await mkdir(host);
    await writeFile(join(host, 'keep'), 'me');
    const p = pod([
      { name: 'e', emptyDir: {} },
      { name: 'm', emptyDir: { medium: 'Memory' } },
      { name: 's', secret: { secretName: 's' } },
      { name: 'c', configMap: { name: 'c' } },
      { name: 'h', hostPath: { path: host, type: 'Directory' } },
    ]);
    const sources = { secrets: new Map([['s', secret('s', { k: 'v' })]]), configMaps: new Map([['c', configMap('c', { k: 'v' })]]) };
    await manager.setUp(p, podDir, sources);
    assert.equal((await mountsUnder(podDir)).length, 2);

    // a fresh manager, as after an agent restart: it knows only what is on disk
    await new LinuxPodVolumeManager().tearDown(podDir);
    assert.deepEqual(await mountsUnder(podDir), []);
    assert.deepEqual(await readdir(podDir), []);
    assert.equal(await readFile(join(host, 'keep'), 'utf8'), 'me');
    await manager.tearDown(podDir);
    await manager.tearDown(join(root, 'never-existed'));
  });
});
