import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, delTakesPrevResult, isSupportedVersion, supportsCheck } from './versions.js';

test('version comparison is numeric per part', () => {
  assert.ok(compareVersions('0.10.0', '0.4.0') > 0);
  assert.ok(compareVersions('0.3.1', '0.4.0') < 0);
  assert.equal(compareVersions('1.0.0', '1.0.0'), 0);
});

test('CHECK and DEL prevResult start at 0.4.0; chaining needs 0.3.0', () => {
  const table: [string, boolean, boolean, boolean][] = [
    ['0.2.0', false, false, false],
    ['0.3.0', true, false, false],
    ['0.3.1', true, false, false],
    ['0.4.0', true, true, true],
    ['1.0.0', true, true, true],
    ['1.1.0', true, true, true],
  ];
  for (const [v, supported, check, delPrev] of table) {
    assert.equal(isSupportedVersion(v), supported, v);
    if (supported) {
      assert.equal(supportsCheck(v), check, v);
      assert.equal(delTakesPrevResult(v), delPrev, v);
    }
  }
});
