import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PoddError, errorCode, isPoddError, wrap } from './errors.js';

test('wrap keeps the code and prefixes context', () => {
  const inner = new PoddError('NotFound', 'image "x" not found');
  const outer = wrap(inner, 'failed to create container "app"');
  assert.equal(outer.code, 'NotFound');
  assert.equal(outer.message, 'failed to create container "app": image "x" not found');
  assert.equal(outer.cause, inner);
  assert.ok(isPoddError(outer, 'NotFound'));
  assert.ok(!isPoddError(outer, 'Invalid'));
});

test('foreign errors become Internal', () => {
  const outer = wrap(new TypeError('boom'), 'ctx');
  assert.equal(outer.code, 'Internal');
  assert.equal(outer.message, 'ctx: boom');
  assert.equal(errorCode('string thrown'), 'Internal');
  assert.equal(wrap('plain', 'ctx').message, 'ctx: plain');
});
