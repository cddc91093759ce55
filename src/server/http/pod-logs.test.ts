import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderCriLog } from './pod-logs.js';

const LOG = [
  '2026-11-26T22:45:31.1Z stdout F one',
  '2026-11-26T22:45:31.2Z stderr F two',
  '2026-11-26T22:45:31.3Z stdout P thr',
  '2026-11-26T22:45:31.4Z stdout F ee',
  '',
].join('\n');

test('CRI records become the text the container wrote, partial records joined', () => {
  assert.equal(renderCriLog(LOG, { timestamps: false }), 'one\ntwo\nthree\n');
});

test('tailLines keeps the last lines', () => {
  assert.equal(renderCriLog(LOG, { timestamps: false, tailLines: 2 }), 'two\nthree\n');
  assert.equal(renderCriLog(LOG, { timestamps: false, tailLines: 0 }), '');
});

test('timestamps prefix every record with its time', () => {
  assert.equal(renderCriLog('2026-11-26T22:45:31.1Z stdout F one\n', { timestamps: true }), '2026-11-26T22:45:31.1Z one\n');
});

test('sinceMs leaves out the records written before it, then tailLines applies', () => {
  const at = (t: string): number => Date.parse(`2026-11-26T22:45:${t}Z`);
  assert.equal(renderCriLog(LOG, { timestamps: false, sinceMs: at('31.2') }), 'two\nthree\n');
  assert.equal(renderCriLog(LOG, { timestamps: false, sinceMs: at('31.15'), tailLines: 1 }), 'three\n');
  assert.equal(renderCriLog(LOG, { timestamps: false, sinceMs: at('32') }), '');
});
