import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, readlink, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Payload } from '../../core/volume/payload.js';
import { writePayloadAtomic } from './atomic-writer.js';
import { withTempDir } from './test-util.js';

function payload(files: Record<string, [string, number]>): Payload {
  return new Map(Object.entries(files).map(([path, [text, mode]]) => [path, { data: Buffer.from(text), mode }]));
}

test('writes a timestamped payload dir behind ..data and one link per top-level name', async () => {
  await withTempDir(async (dir) => {
    const changed = await writePayloadAtomic(dir, payload({ a: ['A', 0o644], 'sub/b': ['B', 0o600] }), { now: new Date(Date.UTC(2024, 4, 1, 10, 22, 33)) });
    assert.equal(changed, true);
    const ts = await readlink(join(dir, '..data'));
    assert.match(ts, /^\.\.2024_05_01_10_22_33\./);
    assert.equal((await stat(join(dir, ts))).mode & 0o777, 0o755);
    assert.deepEqual((await readdir(dir)).sort(), ['..data', ts, 'a', 'sub'].sort());
    assert.equal(await readlink(join(dir, 'sub')), '..data/sub');
    assert.equal(await readFile(join(dir, 'sub/b'), 'utf8'), 'B');
    assert.equal((await stat(join(dir, 'sub/b'))).mode & 0o777, 0o600);
  });
});

test('an identical payload is not rewritten; a changed one swaps ..data and drops stale names and dirs', async () => {
  await withTempDir(async (dir) => {
    await writePayloadAtomic(dir, payload({ a: ['A', 0o644], old: ['O', 0o644] }));
    const first = await readlink(join(dir, '..data'));
    assert.equal(await writePayloadAtomic(dir, payload({ a: ['A', 0o644], old: ['O', 0o644] })), false);
    assert.equal(await readlink(join(dir, '..data')), first);

    assert.equal(await writePayloadAtomic(dir, payload({ a: ['A', 0o400] })), true, 'a mode change counts as a change');
    const second = await readlink(join(dir, '..data'));
    assert.notEqual(second, first);
    assert.deepEqual((await readdir(dir)).sort(), ['..data', second, 'a'].sort());
  });
});

test('leftovers of an interrupted write are cleaned on the next write', async () => {
  await withTempDir(async (dir) => {
    await writePayloadAtomic(dir, payload({ a: ['A', 0o644] }));
    const current = await readlink(join(dir, '..data'));
    await mkdir(join(dir, '..2020_01_01_00_00_00.abc'));
    await symlink('..2020_01_01_00_00_00.abc', join(dir, '..data_tmp'));
    assert.equal(await writePayloadAtomic(dir, payload({ a: ['A', 0o644] })), false);
    assert.deepEqual((await readdir(dir)).sort(), ['..data', current, 'a'].sort());
  });
});
