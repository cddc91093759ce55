import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateName, jsonEqual } from './metadata.js';
import { parseResourceVersion } from './resource-version.js';

test('generateName: prefix plus five characters from the apiserver alphabet, within 63 characters', () => {
  let i = 0;
  const name = generateName('web-', () => [0, 0.2, 0.5, 0.8, 0.999][i++] ?? 0);
  assert.equal(name, 'web-bhr49');
  const long = generateName('x'.repeat(80), () => 0);
  assert.equal(long.length, 63);
  assert.ok(long.endsWith('bbbbb'));
});

test('jsonEqual ignores key order and undefined members, not array order', () => {
  assert.ok(jsonEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }));
  assert.ok(jsonEqual({ a: 1, u: undefined }, { a: 1 }));
  assert.ok(!jsonEqual({ c: [1, 2] }, { c: [2, 1] }));
  assert.ok(!jsonEqual({ a: 1 }, { a: '1' }));
  assert.ok(!jsonEqual([], {}));
  assert.ok(!jsonEqual(null, {}));
  assert.ok(jsonEqual(undefined, undefined));
});

test('parseResourceVersion: decimal integers only; empty means none', () => {
  assert.equal(parseResourceVersion(undefined), undefined);
  assert.equal(parseResourceVersion(''), undefined);
  assert.equal(parseResourceVersion('0'), 0);
  assert.equal(parseResourceVersion('1234'), 1234);
  for (const bad of ['abc', '-1', '1.5', ' 1', '1e3', '9'.repeat(16)]) {
    assert.throws(() => parseResourceVersion(bad), { code: 'Invalid' }, bad);
  }
});
