import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container } from '../../api/types.js';
import { containerSpecHash, fnv1a32Hex } from './container-hash.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('fnv1a32Hex matches the published FNV-1a 32-bit test vectors', () => {
  const vectors: [string, string][] = [
    ['', '811c9dc5'],
    ['a', 'e40c292c'],
    ['foobar', 'bf9cf968'],
  ];
  for (const [input, want] of vectors) assert.equal(fnv1a32Hex(bytes(input)), want, JSON.stringify(input));
});

test('containerSpecHash is pinned: a change would restart every running container after an upgrade', () => {
  const c: Container = { name: 'app', image: 'nginx:1.25' };
  assert.equal(containerSpecHash(c), fnv1a32Hex(bytes('{"name":"app","image":"nginx:1.25"}')));
  assert.match(containerSpecHash(c), /^[0-9a-f]{8}$/);
});

test('containerSpecHash depends on name and image only', () => {
  const base: Container = { name: 'app', image: 'nginx:1.25' };
  const h = containerSpecHash(base);
  const same: Container[] = [
    { ...base, command: ['sh', '-c', 'sleep 1'] },
    { ...base, env: [{ name: 'A', value: '1' }] },
    { ...base, livenessProbe: { exec: { command: ['true'] } } },
    { ...base, resources: { limits: { cpu: '1' } } },
    { ...base, restartPolicy: 'Always' },
  ];
  for (const c of same) assert.equal(containerSpecHash(c), h, JSON.stringify(c));
  assert.notEqual(containerSpecHash({ ...base, image: 'nginx:1.26' }), h);
  assert.notEqual(containerSpecHash({ ...base, name: 'app2' }), h);
});

test('containerSpecHash treats an empty image as absent (omitempty) and handles non-ASCII', () => {
  assert.equal(containerSpecHash({ name: 'x', image: '' }), containerSpecHash({ name: 'x' }));
  assert.equal(containerSpecHash({ name: 'x', image: 'régistry/ü:1' }), fnv1a32Hex(bytes('{"name":"x","image":"régistry/ü:1"}')));
});
