// Runs last (files run in name order): after every pod of the suite has ended, the host must hold nothing of podd's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leftovers } from './harness.js';

test('after the whole suite: no runc container, conmon, mount, cgroup or pod directory remains', () => {
  assert.deepEqual(leftovers(), []);
});
