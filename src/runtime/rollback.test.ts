import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rollback } from './rollback.js';

test('unwind runs the steps newest first', async () => {
  const order: string[] = [];
  const rb = new Rollback();
  for (const name of ['a', 'b', 'c']) rb.push(name, async () => void order.push(name));
  assert.deepEqual(await rb.unwind(), []);
  assert.deepEqual(order, ['c', 'b', 'a']);
});

test('unwind keeps going past failures and returns them, named', async () => {
  const order: string[] = [];
  const rb = new Rollback();
  rb.push('mkdir /x', async () => void order.push('x'));
  rb.push('mount /y', () => Promise.reject(new Error('busy')));
  rb.push('mkdir /z', async () => {
    order.push('z');
    throw new Error('gone');
  });
  const errors = await rb.unwind();
  assert.deepEqual(order, ['z', 'x']);
  assert.deepEqual(errors.map((e) => e.message), ['rollback of mkdir /z failed: gone', 'rollback of mount /y failed: busy']);
  assert.ok(errors[0]?.cause instanceof Error);
});

test('unwind forgets the steps, so a second unwind does nothing', async () => {
  let runs = 0;
  const rb = new Rollback();
  rb.push('step', async () => void runs++);
  await rb.unwind();
  await rb.unwind();
  assert.equal(runs, 1);
  assert.equal(rb.size, 0);
});

test('release forgets the steps without running them', async () => {
  let runs = 0;
  const rb = new Rollback();
  rb.push('step', async () => void runs++);
  assert.equal(rb.size, 1);
  rb.release();
  assert.deepEqual(await rb.unwind(), []);
  assert.equal(runs, 0);
});
