import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration } from './human-duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

const cases: { ms: number; want: string }[] = [
  { ms: -2500, want: '<invalid>' },
  { ms: -2000, want: '<invalid>' },
  { ms: -1999, want: '0s' },
  { ms: -1000, want: '0s' },
  { ms: -999, want: '0s' }, // truncates to 0 seconds
  { ms: 0, want: '0s' },
  { ms: 999, want: '0s' },
  { ms: 10 * S, want: '10s' },
  { ms: 59 * S, want: '59s' },
  { ms: 90 * S, want: '90s' },
  { ms: 119 * S + 999, want: '119s' },
  { ms: 2 * M, want: '2m' },
  { ms: 2 * M + 5 * S, want: '2m5s' },
  { ms: 5 * M, want: '5m' },
  { ms: 9 * M + 59 * S, want: '9m59s' },
  { ms: 10 * M, want: '10m' },
  { ms: 10 * M + 30 * S, want: '10m' },
  { ms: 179 * M, want: '179m' },
  { ms: 3 * H, want: '3h' },
  { ms: 3 * H + 15 * M, want: '3h15m' },
  { ms: 7 * H + 59 * M, want: '7h59m' },
  { ms: 8 * H, want: '8h' },
  { ms: 8 * H + 30 * M, want: '8h' },
  { ms: 47 * H, want: '47h' },
  { ms: 2 * D, want: '2d' },
  { ms: 2 * D + 5 * H, want: '2d5h' },
  { ms: 7 * D + 23 * H, want: '7d23h' },
  { ms: 8 * D, want: '8d' },
  { ms: 8 * D + 5 * H, want: '8d' },
  { ms: 729 * D, want: '729d' },
  { ms: 2 * Y, want: '2y' },
  { ms: 2 * Y + 10 * D, want: '2y10d' },
  { ms: 8 * Y, want: '8y' },
  { ms: 8 * Y + 100 * D, want: '8y' },
];

for (const c of cases) {
  test(`humanDuration(${c.ms}) = ${c.want}`, () => {
    assert.equal(humanDuration(c.ms), c.want);
  });
}
