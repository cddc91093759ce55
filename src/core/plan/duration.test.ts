import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from './duration.js';

test('parseDuration accepts Go durations (result in ms)', () => {
  const cases: [string, number][] = [
    ['0', 0],
    ['+0', 0],
    ['-0', 0],
    ['0s', 0],
    ['1s', 1000],
    ['500ms', 500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['.5s', 500],
    ['1.s', 1000],
    ['2h45m30s', 9_930_000],
    ['1m30.5s', 90_500],
    ['100us', 0.1],
    ['100\u00b5s', 0.1],
    ['100\u03bcs', 0.1],
    ['1000000ns', 1],
    ['-1.5h', -5_400_000],
    ['+10s', 10_000],
    ['1h1h', 7_200_000],
  ];
  for (const [text, want] of cases) assert.equal(parseDuration(text), want, text);
});

test('parseDuration rejects what Go rejects', () => {
  const bad = ['', '-', '+', '1', '10', 's', '.s', '.', '1.5', ' 1s', '1s ', '1S', '1sec', '1e3s', '1d', 's1', '1s-1s', '3000000h'];
  for (const text of bad) assert.equal(parseDuration(text), undefined, JSON.stringify(text));
});

test('formatDuration prints like Go Duration.String', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [0.000001, '1ns'],
    [0.0015, '1.5\u00b5s'],
    [1.5, '1.5ms'],
    [500, '500ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [10_000, '10s'],
    [20_000, '20s'],
    [80_000, '1m20s'],
    [160_000, '2m40s'],
    [300_000, '5m0s'],
    [3_600_000, '1h0m0s'],
    [9_930_000, '2h45m30s'],
    [-1500, '-1.5s'],
  ];
  for (const [ms, want] of cases) assert.equal(formatDuration(ms), want, String(ms));
});

test('parseDuration reads back what formatDuration prints', () => {
  for (const ms of [0.001, 2.25, 999, 1000, 61_000, 300_000, 3_725_500]) assert.equal(parseDuration(formatDuration(ms)), ms);
});
