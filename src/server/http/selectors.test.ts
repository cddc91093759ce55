import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError } from '../../api/field-errors.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';

test('label selectors: equality, inequality, set-based and existence', () => {
  const sel = parseLabelSelector('a=b,c!=d,e in (x, y),f,!g');
  assert.ok(sel);
  assert.equal(sel({ a: 'b', e: 'y', f: '' }), true);
  assert.equal(sel({ a: 'b', c: 'd', e: 'y', f: '' }), false);
  assert.equal(sel({ a: 'b', e: 'z', f: '' }), false);
  assert.equal(sel({ a: 'b', e: 'x', f: '', g: '1' }), false);
  assert.equal(parseLabelSelector('k notin (v)')?.({ k: 'v' }), false);
  assert.equal(parseLabelSelector(''), undefined);
  assert.throws(() => parseLabelSelector('=x'), DecodeError);
});

test('field selectors: supported paths per resource; others are rejected', () => {
  const sel = parseFieldSelector('pods', 'metadata.name=web,status.phase!=Failed,spec.nodeName=n1');
  assert.ok(sel);
  const pod = { metadata: { name: 'web' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };
  assert.equal(sel(pod as never), true);
  assert.equal(sel({ ...pod, status: { phase: 'Failed' } } as never), false);
  assert.throws(() => parseFieldSelector('pods', 'spec.image=x'), /field label not supported: spec.image/);
  assert.equal(parseFieldSelector('events', 'involvedObject.uid=u')?.({ metadata: {}, involvedObject: { uid: 'u' } } as never), true);
});
