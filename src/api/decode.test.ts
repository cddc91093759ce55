import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeManifests, decodeObject } from './decode.js';
import { DecodeError } from './field-errors.js';
import type { ConfigMap, Pod, Secret } from './types.js';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app
    image: nginx:1.25
`;

function decodeError(text: string): DecodeError {
  try {
    decodeManifests(text);
  } catch (e) {
    assert.ok(e instanceof DecodeError, `not a DecodeError: ${String(e)}`);
    return e;
  }
  assert.fail('expected a DecodeError');
}

test('decodes pods, secrets and configmaps from a multi-document stream, skipping empty documents', () => {
  const text = `---
# nothing here
---
${POD}---
apiVersion: v1
kind: Secret
metadata: {name: creds}
data: {password: aHVudGVyMg==}
stringData: {user: admin}
---
---
{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "1"}}
`;
  const objs = decodeManifests(text);
  assert.deepEqual(objs.map((o) => `${o.kind}/${o.metadata.name ?? ''}`), ['Pod/web', 'Secret/creds', 'ConfigMap/cfg']);
  const pod = objs[0] as Pod;
  assert.deepEqual(pod.spec.containers, [{ name: 'app', image: 'nginx:1.25' }]);
  assert.deepEqual((objs[1] as Secret).data, { password: 'aHVudGVyMg==' });
  assert.deepEqual((objs[2] as ConfigMap).data, { a: '1' });
});

test('an empty stream decodes to nothing', () => {
  for (const text of ['', '\n', '# only a comment\n', '---\n---\n']) assert.deepEqual(decodeManifests(text), [], JSON.stringify(text));
});

test('YAML 1.1 scalars as Kubernetes reads them: 0644 is octal, null leaves a field unset', () => {
  const [pod] = decodeManifests(`apiVersion: v1
kind: Pod
metadata: {name: web, labels: null}
spec:
  containers: [{name: app, image: nginx, args: ["12:30", "2024-01-02"]}]
  volumes: [{name: v, secret: {secretName: s, defaultMode: 0644}}]
`) as [Pod];
  assert.equal(pod.spec.volumes?.[0]?.secret?.defaultMode, 420);
  assert.equal('labels' in pod.metadata, false);
  assert.deepEqual(pod.spec.containers[0]?.args, ['12:30', '2024-01-02']);
});

test('a v1 List is expanded into its items', () => {
  const objs = decodeManifests(`apiVersion: v1
kind: List
metadata: {resourceVersion: ""}
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}
`);
  assert.deepEqual(objs.map((o) => o.metadata.name), ['a', 'b']);
});

test('decode errors carry the apiserver message', () => {
  const cases: { name: string; text: string; message: string }[] = [
    {
      name: 'unknown fields anywhere, all listed in document order',
      text: `apiVersion: v1
kind: Pod
metadata: {name: web, finalizers: [x]}
spec:
  containers:
  - name: app
    imagee: nginx
    ports: [{containerPort: 80, hostport: 8080}]
  restartPolcy: Never
`,
      message: 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "metadata.finalizers", '
        + 'unknown field "spec.containers[0].imagee", unknown field "spec.containers[0].ports[0].hostport", unknown field "spec.restartPolcy"',
    },
    {
      name: 'unknown top-level field',
      text: POD + 'extra: 1\n',
      message: 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "extra"',
    },
    {
      name: 'string where an int32 is expected',
      text: POD + '    ports: [{containerPort: "80"}]\n',
      message: 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    },
    {
      name: 'fractional number where an int32 is expected',
      text: POD + '    ports: [{containerPort: 80.5}]\n',
      message: 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number 80.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    },
    {
      name: 'YAML 1.1 boolean where a string is expected',
      text: POD + '    env: [{name: DEBUG, value: yes}]\n',
      message: 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal bool into Go struct field EnvVar.spec.containers.env.value of type string',
    },
    {
      name: 'a mapping where a list is expected',
      text: `apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: {name: app}\n`,
      message: 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container',
    },
    {
      name: 'label values must be strings',
      text: `apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {tier: 1}}\n`,
      message: 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    },
    {
      name: 'malformed quantity',
      text: POD + '    resources: {limits: {memory: 1 GB}}\n',
      message: `Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    },
    {
      name: 'quantity with an unknown suffix',
      text: POD + '    resources: {limits: {memory: 1kk}}\n',
      message: `Pod in version "v1" cannot be handled as a Pod: unable to parse quantity's suffix`,
    },
    {
      name: 'int-or-string port of the wrong type',
      text: POD + '    livenessProbe: {tcpSocket: {port: true}}\n',
      message: 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal bool into Go value of type int32',
    },
    {
      name: 'secret data that is not base64',
      text: `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {password: hunter2}\n`,
      message: 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 4',
    },
    {
      name: 'wrong kind',
      text: 'apiVersion: v1\nkind: Foo\nmetadata: {name: x}\n',
      message: 'no kind "Foo" is registered for version "v1"',
    },
    {
      name: 'a kind of another API group',
      text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n',
      message: 'no kind "Deployment" is registered for version "apps/v1"',
    },
    {
      name: 'missing kind',
      text: 'apiVersion: v1\nmetadata: {name: x}\n',
      message: `Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{"name":"x"}}'`,
    },
    {
      name: 'missing apiVersion',
      text: 'kind: Pod\n',
      message: `Object 'apiVersion' is missing in '{"kind":"Pod"}'`,
    },
    {
      name: 'broken YAML',
      text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: web\n',
      message: 'error converting YAML to JSON: yaml: line 4: Flow map in block collection must be sufficiently indented and end with a }',
    },
    {
      name: 'tabs in indentation',
      text: 'apiVersion: v1\nkind: Pod\nmetadata:\n\tname: web\n',
      message: 'error converting YAML to JSON: yaml: line 4: found character that cannot start any token',
    },
    {
      name: 'duplicate keys',
      text: POD + '    image: nginx:1.26\n',
      message: 'error converting YAML to JSON: yaml: line 9: mapping key "image" already defined',
    },
    {
      name: 'a document that is not a mapping',
      text: '- a\n- b\n',
      message: 'expected a Kubernetes object (a YAML mapping), got array',
    },
    {
      name: 'in a multi-document stream the document is named',
      text: `${POD}---\napiVersion: v1\nkind: Foo\n`,
      message: 'document 2: no kind "Foo" is registered for version "v1"',
    },
  ];
  for (const c of cases) {
    const e = decodeError(c.text);
    assert.equal(e.message, c.message, c.name);
    assert.equal(e.code, 'BadRequest', c.name);
  }
});

test('decode errors know their document; empty documents do not make a stream multi-document', () => {
  assert.equal(decodeError(`${POD}---\nkind: Pod\n`).document, 2);
  const alone = decodeError('---\n# header\n---\napiVersion: v1\nkind: Foo\n---\n');
  assert.equal(alone.message, 'no kind "Foo" is registered for version "v1"');
  assert.equal(alone.document, 2);
});

test('decodeObject decodes a parsed JSON body with the same rules', () => {
  const pod = decodeObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' }, spec: { containers: [] } });
  assert.equal(pod.kind, 'Pod');
  assert.throws(() => decodeObject({ apiVersion: 'v1', kind: 'Pod', spek: {} }), {
    message: 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spek"',
  });
});
