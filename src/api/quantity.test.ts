import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalQuantity, ERR_FORMAT_WRONG, ERR_NUMERIC, ERR_SUFFIX, formatQuantity, parseQuantity, parseQuantityExact, parseQuantityNanos,
  quantityMilliValue,
  quantityValue, roundUpToMilli,
} from './quantity.js';
import type { Quantity } from './types.js';

test('parseQuantity: value as a float (cores, bytes)', () => {
  const cases: [Quantity, number][] = [
    ['500m', 0.5],
    ['1', 1],
    ['2.5', 2.5],
    [0.25, 0.25],
    [3, 3],
    ['100n', 1e-7],
    ['10u', 1e-5],
    ['1k', 1000],
    ['1M', 1e6],
    ['1G', 1e9],
    ['1T', 1e12],
    ['1P', 1e15],
    ['1E', 1e18],
    ['1Ki', 1024],
    ['128Mi', 134217728],
    ['1Gi', 1073741824],
    ['1.5Gi', 1610612736],
    ['1Ti', 2 ** 40],
    ['1Pi', 2 ** 50],
    ['2Ei', 2 * 2 ** 60],
    ['1e3', 1000],
    ['1E3', 1000],
    ['5e-3', 0.005],
    ['12e+2', 1200],
    ['-1', -1],
    ['+2', 2],
    ['-500m', -0.5],
    ['0', 0],
    ['.5', 0.5],
    [' 2 ', 2],
    ['0.1n', 1e-9], // rounded up to the smallest unit, never to zero
  ];
  for (const [input, want] of cases) {
    const got = parseQuantity(input);
    assert.ok(got !== undefined && Math.abs(got - want) <= Math.abs(want) * 1e-12, `${String(input)}: got ${got}, want ${want}`);
  }
});

test('parseQuantity: malformed quantities are undefined with apimachinery errors', () => {
  const cases: [string, string][] = [
    ['abc', ERR_FORMAT_WRONG],
    ['', ERR_FORMAT_WRONG],
    ['1.2.3', ERR_FORMAT_WRONG],
    ['1 Gi', ERR_FORMAT_WRONG],
    ['1Q', ERR_FORMAT_WRONG],
    ['1kk', ERR_SUFFIX],
    ['1Mb', ERR_FORMAT_WRONG],
    ['1e', ERR_SUFFIX],
    ['1ki', ERR_SUFFIX],
    ['1e999999999', ERR_NUMERIC],
  ];
  for (const [input, error] of cases) {
    assert.equal(parseQuantity(input), undefined, input);
    assert.deepEqual(parseQuantityExact(input), { ok: false, error }, input);
  }
});

test('canonical form is Quantity.String()', () => {
  const cases: [Quantity, string][] = [
    ['0.5', '500m'],
    [0.5, '500m'],
    ['1.5', '1500m'],
    ['2000m', '2'],
    ['1000', '1k'],
    ['1500m', '1500m'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['100Mi', '100Mi'],
    ['0.5Ki', '512'],
    ['1e3', '1e3'],
    ['1000e0', '1e3'],
    ['-1', '-1'],
    ['-0.5', '-500m'],
    ['-128Mi', '-128Mi'],
    ['0', '0'],
    ['0.0', '0'],
    ['01', '01'], // apimachinery keeps already-canonical input text verbatim, leading zero included
    ['10', '10'],
    ['12345', '12345'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalQuantity(input), want, String(input));
});

test('rounding to milli units keeps canonical text when it was already exact', () => {
  const cases: [string, string][] = [['1.5m', '2m'], ['0.1m', '1m'], ['250m', '250m'], ['1Gi', '1Gi'], ['-1.5m', '-2m']];
  for (const [input, want] of cases) {
    const p = parseQuantityExact(input);
    assert.ok(p.ok);
    assert.equal(formatQuantity(roundUpToMilli(p.value)), want, input);
  }
});

test('milli and whole values round up like MilliValue and Value', () => {
  const cases: [Quantity, number, number][] = [
    ['500m', 500, 1],
    ['1.5', 1500, 2],
    ['1Gi', 1073741824000, 1073741824],
    ['1n', 1, 1],
    [2, 2000, 2],
  ];
  for (const [input, milli, whole] of cases) {
    assert.equal(quantityMilliValue(input), milli, `milli ${String(input)}`);
    assert.equal(quantityValue(input), whole, `value ${String(input)}`);
  }
  assert.equal(parseQuantityNanos('100m'), 100_000_000n);
  assert.equal(parseQuantityNanos('nope'), undefined);
  assert.equal(quantityMilliValue('nope'), undefined);
  assert.equal(quantityValue('nope'), undefined);
});
