import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkHostPathType } from './host-path.js';
import { withTempDir } from './test-util.js';

const execFileAsync = promisify(execFile);

async function fixture(dir: string): Promise<Record<string, string>> {
  const paths = {
    dir: join(dir, 'd'), file: join(dir, 'f'), socket: join(dir, 's.sock'), char: join(dir, 'null'), block: join(dir, 'blk'),
    missing: join(dir, 'missing'), linkToDir: join(dir, 'link'),
  };
  await mkdir(paths.dir);
  await writeFile(paths.file, 'x');
  await execFileAsync('mknod', [paths.char, 'c', '1', '3']);
  await execFileAsync('mknod', [paths.block, 'b', '7', '0']);
  await symlink(paths.dir, paths.linkToDir);
  return paths;
}

async function withSocket(path: string, fn: () => Promise<void>): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  try {
    await fn();
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const failures: [type: string, key: string, what: string][] = [
  ['Directory', 'file', 'a directory'],
  ['Directory', 'missing', 'a directory'],
  ['File', 'dir', 'a file'],
  ['File', 'missing', 'a file'],
  ['FileOrCreate', 'dir', 'a file'],
  ['DirectoryOrCreate', 'file', 'a directory'],
  ['Socket', 'file', 'a socket file'],
  ['CharDevice', 'block', 'a character device'],
  ['BlockDevice', 'char', 'a block device'],
];

test('each hostPath type accepts its kind (symlinks followed) and rejects others with the kubelet message', async () => {
  await withTempDir(async (dir) => {
    const p = await fixture(dir);
    await withSocket(p['socket'] ?? '', async () => {
      for (const [type, key] of [['Directory', 'dir'], ['Directory', 'linkToDir'], ['File', 'file'], ['Socket', 'socket'],
        ['CharDevice', 'char'], ['BlockDevice', 'block'], ['', 'missing'], [undefined, 'file']] as const) {
        await checkHostPathType(p[key] ?? '', type);
      }
      for (const [type, key, what] of failures) {
        const path = p[key] ?? '';
        await assert.rejects(checkHostPathType(path, type), { message: `hostPath type check failed: ${path} is not ${what}` }, `${type} on ${key}`);
      }
    });
  });
});

test('DirectoryOrCreate makes the directory and its parents 0755; FileOrCreate an empty 0644 file', async () => {
  await withTempDir(async (dir) => {
    const nested = join(dir, 'a/b/c');
    await checkHostPathType(nested, 'DirectoryOrCreate');
    assert.ok((await stat(nested)).isDirectory());
    assert.equal((await stat(nested)).mode & 0o777, 0o755);

    const file = join(dir, 'new-file');
    await checkHostPathType(file, 'FileOrCreate');
    assert.equal(await readFile(file, 'utf8'), '');
    assert.equal((await stat(file)).mode & 0o777, 0o644);

    await writeFile(file, 'content');
    await checkHostPathType(file, 'FileOrCreate');
    assert.equal(await readFile(file, 'utf8'), 'content', 'an existing file is left as it is');
  });
});

test('FileOrCreate does not create missing parent directories', async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(checkHostPathType(join(dir, 'no/such/file'), 'FileOrCreate'), { code: 'ENOENT' });
  });
});

test('an unknown type is refused', async () => {
  await assert.rejects(checkHostPathType('/', 'Bogus'), { message: 'Bogus is an invalid volume type' });
});
