import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedLock } from './keyed-lock.js';

test('calls on one key run one at a time, in order; other keys run alongside', async () => {
  const lock = new KeyedLock();
  const log: string[] = [];
  const job = (key: string, name: string, ms: number) =>
    lock.run(key, async () => {
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
      return name;
    });
  const results = await Promise.all([job('a', 'a1', 30), job('a', 'a2', 1), job('b', 'b1', 5)]);
  assert.deepEqual(results, ['a1', 'a2', 'b1']);
  assert.deepEqual(log, ['start a1', 'start b1', 'end b1', 'end a1', 'start a2', 'end a2']);
});

test('a failing call releases the key', async () => {
  const lock = new KeyedLock();
  await assert.rejects(lock.run('a', () => Promise.reject(new Error('x'))), /x/);
  assert.equal(await lock.run('a', async () => 1), 1);
});
