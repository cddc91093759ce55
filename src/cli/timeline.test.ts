import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTimeline } from './timeline.js';

test('rows share one axis: later starts are drawn further right', () => {
  const out = renderTimeline([
    { label: 'POD', start: 0, end: 1000, note: '' },
    { label: 'init-1', start: 100, end: 300, note: 'exit 0' },
    { label: 'app', start: 500, end: 1000, note: 'exit 0' },
  ], 1000, 20).split('\n');
  assert.equal(out.length, 4);
  const barStart = (line: string): number => line.indexOf('█') - line.indexOf('|');
  assert.ok(barStart(out[1] ?? '') < barStart(out[2] ?? ''));
  assert.ok(barStart(out[2] ?? '') < barStart(out[3] ?? ''));
  assert.match(out[2] ?? '', /0\.10s → 0\.30s {2}exit 0/);
});

test('a running instance extends to now and says so', () => {
  const out = renderTimeline([{ label: 'app', start: 0, note: 'running' }], 2000, 10);
  assert.match(out, /\|██████████\| 0\.00s → … {2}running/);
});

test('no rows, no drawing', () => {
  assert.equal(renderTimeline([], 0), '');
});
