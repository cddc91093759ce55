// A full disk loses nothing and leaks nothing. podd serve's database on a full filesystem: writes are refused with
// the apiserver's Internal error while reads and the running pods go on; a pod that finishes meanwhile has its
// status written once there is room again. A pull into a full image store fails with ENOSPC, leaves no partial
// blob, layer or index entry, and succeeds once there is room.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildTar } from '../../src/runtime/image/test-tar.js';
import { pushLayout, startRegistry, writeOciLayout, type TestRegistry } from '../../src/runtime/image/registry/test-registry.js';
import { leftovers, poddBin, tempDir } from './harness.js';
import { ServeFixture, until } from './serve-harness.js';

const work = tempDir('podd-disk-full-');
const mounts: string[] = [];
let registry: TestRegistry | undefined;

/** A tmpfs of `size` at a new directory under the test's work dir: a filesystem this test can fill. */
function smallFilesystem(name: string, size: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

/** Fills `dir`'s filesystem to the last byte with a file (tmpfs has no reserve); removing it makes room again. */
function fill(dir: string): string {
  const filler = join(dir, 'filler');
  const fd = openSync(filler, 'w');
  try {
    for (const size of [1 << 20, 1 << 12, 1]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          if (writeSync(fd, chunk) < size) break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  assert.equal(statfsSync(dir).bavail, 0);
  return filler;
}

after(async () => {
  await registry?.stop();
  for (const dir of mounts.reverse()) spawnSync('umount', [dir]);
  rmSync(work, { recursive: true, force: true });
});

test('podd serve on a full disk: writes get 500 Internal, reads and pods go on, a finished pod\'s status lands once there is room', async () => {
  const dbDir = smallFilesystem('db', '8m');
  const serve = new ServeFixture({ db: join(dbDir, 'state.db') });
  try {
    await serve.start();
    serve.kubectl('create', 'configmap', 'before', '--from-literal=kept=yes');
    serve.apply('finisher', `
apiVersion: v1
kind: Pod
metadata: {name: finisher}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: [sh, -c, 'while [ ! -e /tmp/go ]; do sleep 0.2; done; echo finished']
`);
    await until('finisher Running', () => serve.kubectl('get', 'pod', 'finisher', '--no-headers').includes('Running'));
    const filler = fill(dbDir);

    const value = join(work, 'value');
    writeFileSync(value, 'x'.repeat(200_000));
    const refused = spawnSync('kubectl', ['create', 'configmap', 'during', `--from-file=v=${value}`], {
      encoding: 'utf8', env: { ...process.env, KUBECONFIG: serve.kubeconfig, HOME: serve.dir, KUBECACHEDIR: join(serve.dir, 'cache') },
    });
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /Internal error occurred: .*database or disk is full/);
    // The pod finishes while its status cannot be written.
    serve.kubectl('exec', 'finisher', '--', 'touch', '/tmp/go');
    await new Promise((r) => setTimeout(r, 3_000));
    assert.match(serve.kubectl('get', 'pod', 'finisher', '--no-headers'), /Running/, 'the status could not be written yet');
    assert.equal(serve.kubectl('get', 'configmap', 'before', '-o', 'jsonpath={.data.kept}'), 'yes');

    rmSync(filler);
    await until('the finished status to land', () => /\sCompleted\s/.test(serve.kubectl('get', 'pod', 'finisher', '--no-headers')));
    assert.equal(serve.kubectl('logs', 'finisher').trim(), 'finished');
    serve.kubectl('create', 'configmap', 'after', '--from-literal=v=1');
    assert.deepEqual(serve.kubectl('get', 'configmaps', '-o', 'name').trim().split('\n').sort(), ['configmap/after', 'configmap/before']);
    serve.kubectl('delete', 'pod', 'finisher', '--wait');
  } finally {
    // Room again, whatever failed: the fixture's own clean-up writes to the store.
    rmSync(join(dbDir, 'filler'), { force: true });
    await serve.dispose();
  }
  assert.deepEqual(leftovers(), []);
});

test('a pull into a full image store fails with ENOSPC and leaves nothing; with room the same pull works', async () => {
  registry = await startRegistry();
  const layer = buildTar([{ path: 'data', body: randomBytes(6 * 1024 * 1024) }]);
  await writeOciLayout(join(work, 'layout'), 'v1', [{ layers: [layer] }]);
  await pushLayout(join(work, 'layout'), 'v1', registry, 'test/big:v1');
  const root = smallFilesystem('root', '4m');
  const image = `${registry.host}/test/big:v1`;
  const pull = (): { status: number | null; stderr: string } =>
    spawnSync(process.execPath, [poddBin, 'pull', image], { encoding: 'utf8', env: { ...process.env, PODD_ROOT: root }, timeout: 120_000 });

  const failed = pull();
  assert.notEqual(failed.status, 0);
  assert.match(failed.stderr, /no space left on device/i);
  const images = join(root, 'images');
  for (const dir of ['blobs/sha256', 'layers', 'tmp', 'downloads']) assert.deepEqual(readdirSync(join(images, dir)), [], dir);
  assert.doesNotMatch(readFileSync(join(images, 'index.json'), 'utf8'), /test\/big/);

  execFileSync('mount', ['-o', 'remount,size=64m', root]);
  const pulled = pull();
  assert.equal(pulled.status, 0, pulled.stderr);
  assert.match(execFileSync(process.execPath, [poddBin, 'images'], { encoding: 'utf8', env: { ...process.env, PODD_ROOT: root } }), /test\/big\s+v1/);
});
