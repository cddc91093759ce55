import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Quantity } from '../../api/types.js';
import { nanoToNumber, parseQuantity, parseQuantityNano } from './quantity.js';

const cases: { q: Quantity; want: number | undefined }[] = [
  // plain numbers
  { q: '1', want: 1 },
  { q: '0', want: 0 },
  { q: '2.5', want: 2.5 },
  { q: '.5', want: 0.5 },
  { q: '5.', want: 5 },
  { q: '+3', want: 3 },
  { q: '-3', want: -3 },
  // decimal SI
  { q: '100m', want: 0.1 },
  { q: '250m', want: 0.25 },
  { q: '1500m', want: 1.5 },
  { q: '0.5m', want: 0.0005 },
  { q: '10u', want: 0.00001 },
  { q: '7n', want: 7e-9 },
  { q: '1k', want: 1000 },
  { q: '128M', want: 128_000_000 },
  { q: '1G', want: 1e9 },
  { q: '2T', want: 2e12 },
  { q: '1P', want: 1e15 },
  { q: '1E', want: 1e18 },
  // binary SI
  { q: '1Ki', want: 1024 },
  { q: '64Mi', want: 67_108_864 },
  { q: '1.5Gi', want: 1_610_612_736 },
  { q: '1Gi', want: 1_073_741_824 },
  { q: '1Ti', want: 1_099_511_627_776 },
  { q: '1Pi', want: 2 ** 50 },
  { q: '1Ei', want: 2 ** 60 },
  // decimal exponents
  { q: '1e3', want: 1000 },
  { q: '1E3', want: 1000 },
  { q: '12e6', want: 12_000_000 },
  { q: '1.5e+2', want: 150 },
  { q: '5e-1', want: 0.5 },
  { q: '5e-3', want: 0.005 },
  // JSON numbers
  { q: 2, want: 2 },
  { q: 0.5, want: 0.5 },
  { q: 1e21, want: 1e21 },
  // malformed
  { q: '', want: undefined },
  { q: '1mi', want: undefined },
  { q: '1KiB', want: undefined },
  { q: '1 Gi', want: undefined },
  { q: '1e', want: undefined },
  { q: '1e1.5', want: undefined },
  { q: '0x10', want: undefined },
  { q: 'abc', want: undefined },
  { q: Number.NaN, want: undefined },
  { q: Number.POSITIVE_INFINITY, want: undefined },
];

for (const c of cases) {
  test(`parseQuantity(${JSON.stringify(String(c.q))})`, () => {
    assert.equal(parseQuantity(c.q), c.want);
  });
}

test('parseQuantityNano is exact where floats are not', () => {
  assert.equal(parseQuantityNano('100m'), 100_000_000n);
  const sum = (parseQuantityNano('100m') ?? 0n) + (parseQuantityNano('200m') ?? 0n);
  assert.equal(nanoToNumber(sum), 0.3);
});

test('precision beyond nano-units rounds up, as Quantity does when scaling', () => {
  assert.equal(parseQuantityNano('1.5n'), 2n);
  assert.equal(parseQuantityNano('1e-10'), 1n);
});

test('huge binary values stay exact', () => {
  assert.equal(parseQuantityNano('8Ei'), 8n * 2n ** 60n * 1_000_000_000n);
  assert.equal(nanoToNumber(parseQuantityNano('8Ei') ?? 0n), 8 * 2 ** 60);
});
