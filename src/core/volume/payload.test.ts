import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Pod, Secret } from '../../api/types.js';
import { configMapPayload, invalidPayloadPath, projectedVersions, secretPayload } from './payload.js';

const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);
const secret: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, data: { a: 'QQ==', b: 'Qg==' } };

test('secret data is decoded; items choose, rename and re-mode keys', () => {
  const all = secretPayload({}, secret);
  assert.ok(all.ok);
  assert.deepEqual([...all.payload].map(([p, f]) => [p, text(f.data), f.mode]), [['a', 'A', 0o644], ['b', 'B', 0o644]]);

  const some = secretPayload({ items: [{ key: 'b', path: './x//y', mode: 0o400 }], defaultMode: 0o600 }, secret);
  assert.ok(some.ok);
  assert.deepEqual([...some.payload].map(([p, f]) => [p, text(f.data), f.mode]), [['x/y', 'B', 0o400]]);
});

test('stringData is merged over data as the apiserver would', () => {
  const r = secretPayload({}, { ...secret, stringData: { a: 'plain' } });
  assert.ok(r.ok);
  assert.equal(text(r.payload.get('a')?.data), 'plain');
});

test('missing keys fail unless optional; a missing optional object is an empty payload', () => {
  assert.deepEqual(secretPayload({ items: [{ key: 'z', path: 'z' }] }, secret), { ok: false, message: 'references non-existent secret key: z' });
  const optional = secretPayload({ items: [{ key: 'z', path: 'z' }, { key: 'a', path: 'a' }], optional: true }, secret);
  assert.ok(optional.ok);
  assert.deepEqual([...optional.payload.keys()], ['a']);
  const empty = configMapPayload({ optional: true }, undefined);
  assert.ok(empty.ok);
  assert.equal(empty.payload.size, 0);
});

test('configMap takes data and base64 binaryData; items look in both', () => {
  const cm: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { t: 'text' }, binaryData: { b: 'AP8=' } };
  const r = configMapPayload({ items: [{ key: 'b', path: 'bin' }, { key: 't', path: 'txt' }] }, cm);
  assert.ok(r.ok);
  assert.deepEqual([...(r.payload.get('bin')?.data ?? [])], [0, 255]);
  assert.equal(text(r.payload.get('txt')?.data), 'text');
  assert.deepEqual(configMapPayload({ items: [{ key: 'q', path: 'q' }] }, cm), { ok: false, message: 'configmap references non-existent config key: q' });
});

test('payload paths are checked as the atomic writer does', () => {
  assert.equal(invalidPayloadPath('a/b'), undefined);
  assert.equal(invalidPayloadPath('/abs'), 'invalid path: must be relative path: /abs');
  assert.equal(invalidPayloadPath('a/../b'), "invalid path: must not contain '..': a/../b");
  assert.equal(invalidPayloadPath('..data'), "invalid path: must not start with '..': ..data");
  assert.equal(invalidPayloadPath('x'.repeat(256)), 'invalid path: filenames must be less than or equal to 255 characters');
  assert.deepEqual(secretPayload({ items: [{ key: 'a', path: '..data' }] }, secret), { ok: false, message: "invalid path: must not start with '..': ..data" });
});

test('projectedVersions: names, uids and resourceVersions of the projected objects; "-" for missing ones; other volumes ignored', () => {
  const pod: Pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: {
      containers: [],
      volumes: [
        { name: 'a', secret: { secretName: 's' } },
        { name: 'b', configMap: { name: 'cm' } },
        { name: 'c', emptyDir: {} },
        { name: 'd', configMap: { name: 'gone', optional: true } },
      ],
    },
  };
  const secret = (rv: string): Secret => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', uid: 'u1', resourceVersion: rv } });
  const cm: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', uid: 'u2', resourceVersion: '7' } };
  const at = (rv: string): Map<string, string> => projectedVersions(pod, { secrets: new Map([['s', secret(rv)]]), configMaps: new Map([['cm', cm]]) });
  assert.deepEqual([...at('5')], [['a', 'secret/s=u1@5'], ['b', 'configmap/cm=u2@7'], ['d', 'configmap/gone=-']]);
  assert.notEqual(at('6').get('a'), at('5').get('a'));
  assert.equal(at('6').get('b'), at('5').get('b'));
  assert.equal(projectedVersions({ ...pod, spec: { containers: [] } }, { secrets: new Map(), configMaps: new Map() }).size, 0);
});
