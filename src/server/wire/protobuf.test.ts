import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtobufDecodeError, UnsupportedProtobufKindError, decodeProtobufObject } from './protobuf.js';

// Request bodies captured from kubectl v1.32.4 (`kubectl create ...` against podd serve, logged before decoding).
const CAPTURED = {
  // kubectl create configmap cm1 --from-literal=a=b --from-literal=c=d
  configMap: 'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEiUKEwoDY20xEgAaACIAKgAyADgAQgASBgoBYRIBYhIGCgFjEgFkGgAiAA==',
  // kubectl create configmap cmb --from-file=blob=<bytes ff fe 00 "bin"> --from-literal=t=x
  binaryConfigMap: 'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEi0KEwoDY21iEgAaACIAKgAyADgAQgASBgoBdBIBeBoOCgRibG9iEgb//gBiaW4aACIA',
  // kubectl create secret generic s1 --from-literal=k=v
  secret: 'azhzAAoMCgJ2MRIGU2VjcmV0Eh4KEgoCczESABoAIgAqADIAOABCABIGCgFrEgF2GgAaACIA',
  // kubectl create secret docker-registry d1 --docker-server=r.io --docker-username=u --docker-password=p
  dockerSecret: 'azhzAAoMCgJ2MRIGU2VjcmV0EosBChIKAmQxEgAaACIAKgAyADgAQgASVQoRLmRvY2tlcmNvbmZpZ2pzb24SQHsiYXV0aHMiOnsici5pbyI6eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6InAiLCJhdXRoIjoiZFRwdyJ9fX0aHmt1YmVybmV0ZXMuaW8vZG9ja2VyY29uZmlnanNvbhoAIgA=',
  // kubectl create service clusterip s2 --tcp=80:8080 --tcp=443:https
  service: 'azhzAAoNCgJ2MRIHU2VydmljZRKKAQodCgJzMhIAGgAiACoAMgA4AEIAWgkKA2FwcBICczISZQobCgc4MC04MDgwEgNUQ1AYUCIHCAAQkD8aACgACiIKCTQ0My1odHRwcxIDVENQGLsDIgsIARAAGgVodHRwcygAEgkKA2FwcBICczIaACIJQ2x1c3RlcklQOgBCAFIAWgBgAGgAGgIKABoAIgA=',
  // kubectl create namespace n1
  namespace: 'azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhoKEgoCbjESABoAIgAqADIAOABCABIAGgIKABoAIgA=',
};

const bytes = (b64: string): Uint8Array => Uint8Array.from(Buffer.from(b64, 'base64'));

test('decodes the ConfigMap, Secret and Namespace bodies kubectl create sends', () => {
  assert.deepEqual(decodeProtobufObject(bytes(CAPTURED.configMap)), {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1' }, data: { a: 'b', c: 'd' },
  });
  assert.deepEqual(decodeProtobufObject(bytes(CAPTURED.binaryConfigMap)), {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cmb' }, data: { t: 'x' },
    binaryData: { blob: Buffer.from([0xff, 0xfe, 0x00, 0x62, 0x69, 0x6e]).toString('base64') },
  });
  assert.deepEqual(decodeProtobufObject(bytes(CAPTURED.secret)), {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1' }, data: { k: Buffer.from('v').toString('base64') },
  });
  const docker = decodeProtobufObject(bytes(CAPTURED.dockerSecret));
  assert.equal(docker['type'], 'kubernetes.io/dockerconfigjson');
  const config = (docker['data'] as Record<string, string>)['.dockerconfigjson'] ?? '';
  assert.deepEqual(JSON.parse(Buffer.from(config, 'base64').toString()), { auths: { 'r.io': { username: 'u', password: 'p', auth: 'dTpw' } } });
  assert.deepEqual(decodeProtobufObject(bytes(CAPTURED.namespace)), {
    apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n1' }, spec: {}, status: {},
  });
});

test('decodes the Service kubectl create service sends: ports with numeric and named targetPorts, selector, type', () => {
  assert.deepEqual(decodeProtobufObject(bytes(CAPTURED.service)), {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 's2', labels: { app: 's2' } },
    spec: {
      ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }, { name: '443-https', protocol: 'TCP', port: 443, targetPort: 'https' }],
      selector: { app: 's2' }, type: 'ClusterIP',
    },
  });
});

/** A hand-built envelope: magic, then Unknown{typeMeta{apiVersion, kind}, raw}. */
function envelope(apiVersion: string, kind: string, raw: number[] = [], extra: number[] = []): Uint8Array {
  const str = (field: number, s: string): number[] => [(field << 3) | 2, s.length, ...Buffer.from(s)];
  const typeMeta = [...str(1, apiVersion), ...str(2, kind)];
  return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, 0x0a, typeMeta.length, ...typeMeta, 0x12, raw.length, ...raw, ...extra]);
}

test('metadata: labels, annotations, times, finalizers and immutable keep their JSON form', () => {
  // ConfigMap{metadata{name "x", generation 2, creationTimestamp{seconds 1700000000}, labels{a: b}}, immutable false}
  const label = [0x0a, 1, 0x61, 0x12, 1, 0x62];
  const ts = [0x08, 0x80, 0xe2, 0xcf, 0xaa, 0x06];
  const meta = [0x0a, 1, 0x78, 0x38, 2, 0x42, ts.length, ...ts, 0x5a, label.length, ...label, 0x72, 1, 0x66];
  const raw = [0x0a, meta.length, ...meta, 0x20, 0];
  assert.deepEqual(decodeProtobufObject(envelope('v1', 'ConfigMap', raw)), {
    apiVersion: 'v1', kind: 'ConfigMap', immutable: false,
    metadata: { name: 'x', generation: 2, creationTimestamp: '2023-11-14T22:13:20Z', labels: { a: 'b' }, finalizers: ['f'] },
  });
});

test('kinds without a schema, other groups and broken envelopes are told apart', () => {
  assert.throws(() => decodeProtobufObject(envelope('v1', 'Pod')), (e: unknown) => e instanceof UnsupportedProtobufKindError && e.kind === 'Pod');
  assert.throws(() => decodeProtobufObject(envelope('apps/v1', 'ConfigMap')), UnsupportedProtobufKindError);
  assert.throws(() => decodeProtobufObject(Uint8Array.from(Buffer.from('{"kind":"ConfigMap"}'))), /does not appear to be a protobuf message/);
  assert.throws(() => decodeProtobufObject(envelope('v1', 'ConfigMap', [0x0a, 0x7f, 0x01])), ProtobufDecodeError);
  const gzip = [0x1a, 4, ...Buffer.from('gzip')];
  assert.throws(() => decodeProtobufObject(envelope('v1', 'ConfigMap', [], gzip)), /unsupported protobuf content encoding "gzip"/);
});
