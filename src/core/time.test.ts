import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRfc3339, parseRfc3339 } from './time.js';

// Expected values cross-checked against Date in the test (allowed outside the pure layer).
const formatCases: { name: string; ms: number; want: string }[] = [
  { name: 'epoch', ms: 0, want: '1970-01-01T00:00:00Z' },
  { name: 'example from the brief', ms: Date.UTC(2026, 10, 26, 22, 45, 31), want: '2026-11-26T22:45:31Z' },
  { name: 'milliseconds are truncated, not rounded', ms: Date.UTC(2026, 10, 26, 22, 45, 31, 999), want: '2026-11-26T22:45:31Z' },
  { name: 'leap day 2024', ms: Date.UTC(2024, 1, 29, 12, 0, 0), want: '2024-02-29T12:00:00Z' },
  { name: 'day after leap day', ms: Date.UTC(2024, 2, 1, 0, 0, 0), want: '2024-03-01T00:00:00Z' },
  { name: 'century non-leap 2100-03-01', ms: Date.UTC(2100, 2, 1), want: '2100-03-01T00:00:00Z' },
  { name: '400-year leap 2000-02-29', ms: Date.UTC(2000, 1, 29, 23, 59, 59), want: '2000-02-29T23:59:59Z' },
  { name: 'new year boundary', ms: Date.UTC(2025, 11, 31, 23, 59, 59), want: '2025-12-31T23:59:59Z' },
  { name: 'before the epoch', ms: Date.UTC(1969, 11, 31, 23, 59, 59), want: '1969-12-31T23:59:59Z' },
  { name: 'negative with fraction floors to the earlier second', ms: -1, want: '1969-12-31T23:59:59Z' },
];

for (const c of formatCases) {
  test(`formatRfc3339: ${c.name}`, () => {
    assert.equal(formatRfc3339(c.ms), c.want);
  });
}

test('formatRfc3339 agrees with Date for a sweep of instants', () => {
  for (let ms = Date.UTC(1999, 0, 1); ms < Date.UTC(2031, 0, 1); ms += 7 * 86_400_000 + 3_601_001) {
    assert.equal(formatRfc3339(ms), new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
  }
});

const parseCases: { name: string; text: string; want: number | undefined }[] = [
  { name: 'Z', text: '2026-11-26T22:45:31Z', want: Date.UTC(2026, 10, 26, 22, 45, 31) },
  { name: 'fraction kept to ms', text: '2026-11-26T22:45:31.123456789Z', want: Date.UTC(2026, 10, 26, 22, 45, 31, 123) },
  { name: 'positive offset', text: '2026-11-27T00:45:31+02:00', want: Date.UTC(2026, 10, 26, 22, 45, 31) },
  { name: 'negative offset', text: '2026-11-26T17:15:31-05:30', want: Date.UTC(2026, 10, 26, 22, 45, 31) },
  { name: 'lowercase t and z', text: '2026-11-26t22:45:31z', want: Date.UTC(2026, 10, 26, 22, 45, 31) },
  { name: 'leap day', text: '2024-02-29T00:00:00Z', want: Date.UTC(2024, 1, 29) },
  { name: 'no leap day in 2023', text: '2023-02-29T00:00:00Z', want: undefined },
  { name: 'month 13', text: '2026-13-01T00:00:00Z', want: undefined },
  { name: 'hour 24', text: '2026-01-01T24:00:00Z', want: undefined },
  { name: 'missing zone', text: '2026-01-01T00:00:00', want: undefined },
  { name: 'date only', text: '2026-01-01', want: undefined },
  { name: 'garbage', text: 'yesterday', want: undefined },
  { name: 'empty', text: '', want: undefined },
];

for (const c of parseCases) {
  test(`parseRfc3339: ${c.name}`, () => {
    assert.equal(parseRfc3339(c.text), c.want);
  });
}

test('parseRfc3339 inverts formatRfc3339', () => {
  for (const ms of [0, 1_000, 951_782_400_000, 1_795_733_131_000, 4_102_444_800_000]) {
    assert.equal(parseRfc3339(formatRfc3339(ms)), ms);
  }
});
