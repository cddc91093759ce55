import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContinueTokenError, decodeContinue, encodeContinue } from './continue.js';

const token = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');

test('tokens are the apiserver\'s: base64url JSON with v, rv and a NUL-terminated start key', () => {
  const t = encodeContinue({ namespace: 'default', name: 'cm2', resourceVersion: 42 }, false);
  assert.equal(Buffer.from(t, 'base64url').toString(), '{"v":"meta.k8s.io/v1","rv":42,"start":"cm2\\u0000"}');
  assert.ok(!t.includes('='), 'unpadded');
  assert.deepEqual(decodeContinue(t, 'default'), { namespace: 'default', name: 'cm2', resourceVersion: 42 });
  const across = encodeContinue({ namespace: 'kube-system', name: 'x' }, true);
  assert.equal(Buffer.from(across, 'base64url').toString(), '{"v":"meta.k8s.io/v1","rv":-1,"start":"kube-system/x\\u0000"}');
  assert.deepEqual(decodeContinue(across, undefined), { namespace: 'kube-system', name: 'x' });
  assert.deepEqual(decodeContinue(encodeContinue({ namespace: '', name: 'node-1', resourceVersion: 7 }, false), ''), { namespace: '', name: 'node-1', resourceVersion: 7 });
});

test('bad tokens get the apiserver\'s reasons', () => {
  const cases: [string, RegExp][] = [
    ['%%%', /^continue key is not valid: illegal base64 data/],
    [Buffer.from('not json').toString('base64url'), /^continue key is not valid: /],
    [token({ v: 'meta.k8s.io/v2', rv: 1, start: 'a' }), /server does not recognize this encoded version meta.k8s.io\/v2/],
    [token({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' }), /incorrect encoded start resourceVersion/],
    [token({ v: 'meta.k8s.io/v1', rv: 3, start: '' }), /encoded start key empty/],
    [token({ v: 'meta.k8s.io/v1', rv: 3, start: '../secrets/x' }), /^continue key is not valid: \.\.\/secrets\/x$/],
  ];
  for (const [t, message] of cases) assert.throws(() => decodeContinue(t, 'default'), (e: unknown) => e instanceof ContinueTokenError && message.test(e.message), t);
});
