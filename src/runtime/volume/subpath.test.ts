import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Container } from '../../api/types.js';
import { isPoddError } from '../../core/errors.js';
import { containerMounts } from '../../core/volume/container-mounts.js';
import type { PreparedVolume } from '../../core/volume/types.js';
import { LinuxPodVolumeManager } from './pod-volumes.js';
import { mountAt, mountsUnder } from './mounts.js';
import { cleanSubPaths, prepareContainerSubPaths, prepareSubPath } from './subpath.js';
import { configMap, pod, withTempDir } from './test-util.js';

const manager = new LinuxPodVolumeManager({ nodeAllocatableMemory: 64 * 1024 * 1024 });

async function emptyDir(podDir: string): Promise<PreparedVolume> {
  const volumes = await manager.setUp(pod([{ name: 'data', emptyDir: {} }]), podDir, { secrets: new Map(), configMaps: new Map() });
  const v = volumes.get('data');
  assert.ok(v);
  return v;
}

test('a missing subPath is created in the volume with its mode and bind-mounted to the kubelet path', async () => {
  await withTempDir(async (podDir) => {
    const volume = await emptyDir(podDir);
    const target = await prepareSubPath(volume, 'a/b', { podDir, containerName: 'app', mountIndex: 2 });
    assert.equal(target, join(podDir, 'volume-subpaths/data/app/2'));
    assert.equal((await stat(join(volume.hostPath, 'a/b'))).mode & 0o7777, 0o777, 'created with the volume root permissions');
    assert.ok(await mountAt(target));
    await writeFile(join(target, 'through-mount'), 'x');
    assert.equal(await readFile(join(volume.hostPath, 'a/b/through-mount'), 'utf8'), 'x');

    // a container restart prepares it again: the earlier bind is replaced, not stacked
    await prepareSubPath(volume, 'a/b', { podDir, containerName: 'app', mountIndex: 2 });
    assert.equal((await mountsUnder(join(podDir, 'volume-subpaths'))).length, 1);
    await manager.tearDown(podDir);
    assert.deepEqual(await mountsUnder(podDir), []);
    assert.deepEqual(await readdir(podDir), []);
  });
});

test('a file subPath (a configMap key) binds the file it resolves to', async () => {
  await withTempDir(async (podDir) => {
    const volumes = await manager.setUp(pod([{ name: 'cfg', configMap: { name: 'c' } }]), podDir,
      { secrets: new Map(), configMaps: new Map([['c', configMap('c', { 'app.conf': 'x=1' })]]) });
    const volume = volumes.get('cfg');
    assert.ok(volume);
    const target = await prepareSubPath(volume, 'app.conf', { podDir, containerName: 'app', mountIndex: 0 });
    assert.ok((await stat(target)).isFile());
    assert.equal(await readFile(target, 'utf8'), 'x=1');
    await manager.tearDown(podDir);
    assert.deepEqual(await mountsUnder(podDir), []);
  });
});

test('a symlink in the volume that escapes it is refused, and nothing is mounted', async () => {
  await withTempDir(async (root) => {
    const podDir = join(root, 'pod');
    const outside = join(root, 'host-secret');
    await mkdir(outside);
    await writeFile(join(outside, 'shadow'), 'x');
    const volume = await emptyDir(podDir);
    await symlink(outside, join(volume.hostPath, 'evil'));
    await symlink('../../../../../', join(volume.hostPath, 'up'));

    for (const subPath of ['evil', 'evil/new-dir', 'up']) {
      await assert.rejects(prepareSubPath(volume, subPath, { podDir, containerName: 'app', mountIndex: 0, mountName: 'm' }), (err: unknown) => {
        assert.ok(isPoddError(err, 'FailedPrecondition'));
        assert.match(err.message, /^failed to (prepare|create) subPath (directory )?for volumeMount "m" of container "app": .*(not within volume path|outside of allowed base)/);
        return true;
      }, subPath);
    }
    assert.deepEqual(await mountsUnder(root), []);
    assert.deepEqual(await readdir(outside), ['shadow'], 'nothing was created outside the volume');
  });
});

test('a symlink inside the volume pointing inside it is followed', async () => {
  await withTempDir(async (podDir) => {
    const volume = await emptyDir(podDir);
    await mkdir(join(volume.hostPath, 'real'));
    await writeFile(join(volume.hostPath, 'real', 'f'), 'ok');
    await symlink('real', join(volume.hostPath, 'alias'));
    const target = await prepareSubPath(volume, 'alias', { podDir, containerName: 'app', mountIndex: 0 });
    assert.equal(await readFile(join(target, 'f'), 'utf8'), 'ok');
    await manager.tearDown(podDir);
  });
});

test('absolute and climbing subPaths are refused with the kubelet messages', async () => {
  await withTempDir(async (podDir) => {
    const volume = await emptyDir(podDir);
    const target = { podDir, containerName: 'app', mountIndex: 0 };
    await assert.rejects(prepareSubPath(volume, '/etc', target), { code: 'Invalid', message: 'error SubPath `/etc` must not be an absolute path' });
    await assert.rejects(prepareSubPath(volume, 'a/../..', target), { code: 'Invalid', message: "unable to provision SubPath `a/../..`: must not contain '..'" });
  });
});

test('prepareContainerSubPaths prepares what containerMounts binds (subPathExpr included); cleanSubPaths releases them', async () => {
  await withTempDir(async (podDir) => {
    const volume = await emptyDir(podDir);
    const volumes = new Map([['data', volume]]);
    const container: Container = {
      name: 'app',
      volumeMounts: [
        { name: 'data', mountPath: '/data' },
        { name: 'data', mountPath: '/logs', subPathExpr: 'logs/$(POD_NAME)' },
      ],
    };
    const env = [['POD_NAME', 'web-0']] as const;
    await prepareContainerSubPaths(container, volumes, { podDir, env });
    const mounts = containerMounts(container, volumes, { podDir, env });
    assert.equal(mounts[1]?.source, join(podDir, 'volume-subpaths/data/app/1'));
    assert.ok(await mountAt(mounts[1]?.source ?? ''));
    assert.ok((await stat(join(volume.hostPath, 'logs/web-0'))).isDirectory());

    await cleanSubPaths(podDir, 'app');
    assert.deepEqual(await mountsUnder(podDir), []);
    assert.deepEqual(await readdir(join(podDir, 'volume-subpaths')), []);
  });
});
