import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError, InvalidError } from './field-errors.js';
import { parseAndValidate } from './load.js';

const GOOD = `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers: [{name: app, image: nginx}]
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: hunter2}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: team}
data: {mode: prod}
`;

test('parseAndValidate returns defaulted objects by kind', () => {
  const { pods, secrets, configMaps } = parseAndValidate(GOOD);
  assert.equal(pods.length, 1);
  assert.equal(pods[0]?.spec.restartPolicy, 'Always');
  assert.equal(pods[0]?.metadata.namespace, 'default');
  assert.deepEqual(secrets[0]?.data, { password: 'aHVudGVyMg==' });
  assert.equal(secrets[0]?.type, 'Opaque');
  assert.equal(configMaps[0]?.metadata.namespace, 'team');
});

test('parseAndValidate throws the first invalid object with all of its errors', () => {
  const text = `${GOOD}---
apiVersion: v1
kind: Pod
metadata: {name: bad}
spec:
  containers: [{name: My_App}]
---
apiVersion: v1
kind: Pod
metadata: {name: worse}
spec: {containers: []}
`;
  assert.throws(() => parseAndValidate(text), (e: unknown) => {
    assert.ok(e instanceof InvalidError);
    assert.equal(e.name, 'bad');
    assert.equal(e.kind, 'Pod');
    assert.deepEqual(e.errors.map((x) => x.field), ['spec.containers[0].name', 'spec.containers[0].image']);
    assert.match(e.message, /^Pod "bad" is invalid: \[spec\.containers\[0\]\.name: Invalid value: "My_App": .*, spec\.containers\[0\]\.image: Required value\]$/);
    return true;
  });
});

test('parseAndValidate validates secrets and configmaps too', () => {
  const cases: [string, string][] = [
    [
      'apiVersion: v1\nkind: Secret\nmetadata: {name: tls}\ntype: kubernetes.io/tls\ndata: {tls.crt: ""}\n',
      'Secret "tls" is invalid: data[tls.key]: Required value',
    ],
    [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {"a/b": x, k: v}\nbinaryData: {k: eA==}\n',
      'ConfigMap "c" is invalid: [data[a/b]: Invalid value: "a/b": a valid config key must consist of alphanumeric characters, \'-\', \'_\' or \'.\' '
        + "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+'), "
        + 'data[k]: Invalid value: "k": duplicate of key present in binaryData, binaryData[k]: Invalid value: "k": duplicate of key present in data]',
    ],
  ];
  for (const [text, message] of cases) assert.throws(() => parseAndValidate(text), { message });
});

test('parseAndValidate lets decode errors through', () => {
  assert.throws(() => parseAndValidate('apiVersion: v1\nkind: Foo\n'), (e: unknown) => e instanceof DecodeError && e.code === 'BadRequest');
});
