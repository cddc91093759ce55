import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PoddError, isPoddError } from '../errors.js';
import { NetworkError, type NetworkErrorReason, isNetworkError } from './errors.js';

test('each reason maps to one project error code', () => {
  const table: [NetworkErrorReason, string][] = [
    ['InvalidConfig', 'Invalid'],
    ['PluginNotFound', 'FailedPrecondition'],
    ['PluginFailed', 'Unavailable'],
    ['PluginTimeout', 'Unavailable'],
    ['InvalidResult', 'Internal'],
    ['NetnsFailed', 'Internal'],
    ['NotFound', 'NotFound'],
  ];
  for (const [reason, code] of table) {
    const err = new NetworkError(reason, 'm');
    assert.equal(err.code, code, reason);
    assert.ok(err instanceof PoddError && isPoddError(err, err.code));
    assert.ok(isNetworkError(err, reason));
  }
});

test('plugin details ride along', () => {
  const err = new NetworkError('PluginFailed', 'boom', { cniCode: 100, plugin: 'bridge', cause: new Error('x') });
  assert.equal(err.cniCode, 100);
  assert.equal(err.plugin, 'bridge');
  assert.ok(err.cause instanceof Error);
  assert.equal(isNetworkError(new Error('x')), false);
});
