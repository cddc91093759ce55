import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanSize, progressLine } from './image-commands.js';

const digest = `sha256:0123456789ab${'c'.repeat(52)}`;

test('progressLine draws a docker-style bar while downloading, and the phase otherwise', () => {
  assert.equal(progressLine({ digest, phase: 'downloading', current: 0, total: 2_000_000 }, 10), '0123456789ab: Downloading [          ]      0B/2.00MB');
  assert.equal(progressLine({ digest, phase: 'downloading', current: 1_000_000, total: 2_000_000 }, 10), '0123456789ab: Downloading [====>     ]  1.00MB/2.00MB');
  assert.equal(progressLine({ digest, phase: 'downloading', current: 2_000_000, total: 2_000_000 }, 10), '0123456789ab: Downloading [=========>]  2.00MB/2.00MB');
  assert.equal(progressLine({ digest, phase: 'exists', current: 5, total: 5 }), '0123456789ab: Already exists');
  assert.equal(progressLine({ digest, phase: 'done', current: 5, total: 5 }), '0123456789ab: Pull complete');
});

test('humanSize uses decimal units as docker does', () => {
  assert.deepEqual([0, 999, 1000, 1_234_567, 25_000_000].map(humanSize), ['0B', '999B', '1.00kB', '1.23MB', '25.0MB']);
});
