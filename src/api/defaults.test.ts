import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBase64, encodeBase64String } from './base64.js';
import { decodeManifests } from './decode.js';
import { defaultConfigMap, defaultPod, defaultSecret, imageTag } from './defaults.js';
import type { ConfigMap, Pod, Secret } from './types.js';

function decodePod(text: string): Pod {
  const [obj] = decodeManifests(text);
  assert.ok(obj !== undefined && obj.kind === 'Pod');
  return obj;
}

test('defaultPod fills the v1 pod defaults and leaves the input untouched', () => {
  const input = decodePod(`apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  initContainers:
  - name: init
    image: busybox
  containers:
  - name: app
    image: nginx
    ports: [{containerPort: 80}]
    env: [{name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
    livenessProbe: {httpGet: {port: 80}}
    readinessProbe: {exec: {command: [cat, /ready]}, periodSeconds: 5}
    lifecycle: {preStop: {httpGet: {port: 80, path: /quit}}}
  volumes:
  - name: scratch
  - name: creds
    secret: {secretName: creds}
  - name: cfg
    configMap: {name: cfg, defaultMode: 0600}
  - name: host
    hostPath: {path: /var/log}
`);
  const before = structuredClone(input);
  const pod = defaultPod(input);
  assert.deepEqual(input, before, 'input mutated');
  assert.equal(pod.metadata.namespace, 'default');
  const { spec } = pod;
  assert.equal(spec.restartPolicy, 'Always');
  assert.equal(spec.terminationGracePeriodSeconds, 30);
  assert.equal(spec.dnsPolicy, 'ClusterFirst');
  assert.equal(spec.schedulerName, 'default-scheduler');
  assert.equal(spec.enableServiceLinks, true);
  assert.deepEqual(spec.securityContext, {});
  for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
    assert.equal(c.terminationMessagePath, '/dev/termination-log', c.name);
    assert.equal(c.terminationMessagePolicy, 'File', c.name);
    assert.equal(c.imagePullPolicy, 'Always', c.name);
  }
  const app = spec.containers[0];
  assert.ok(app !== undefined);
  assert.deepEqual(app.ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.equal(app.env?.[0]?.valueFrom?.fieldRef?.apiVersion, 'v1');
  assert.deepEqual(app.livenessProbe, {
    httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3,
  });
  assert.equal(app.readinessProbe?.periodSeconds, 5);
  assert.deepEqual(app.lifecycle?.preStop?.httpGet, { port: 80, path: '/quit', scheme: 'HTTP' });
  assert.deepEqual(spec.volumes, [
    { name: 'scratch', emptyDir: {} },
    { name: 'creds', secret: { secretName: 'creds', defaultMode: 420 } },
    { name: 'cfg', configMap: { name: 'cfg', defaultMode: 0o600 } },
    { name: 'host', hostPath: { path: '/var/log', type: '' } },
  ]);
});

test('defaultPod keeps explicit values', () => {
  const pod = defaultPod(decodePod(`apiVersion: v1
kind: Pod
metadata: {name: web, namespace: prod}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 0
  dnsPolicy: Default
  enableServiceLinks: false
  containers: [{name: app, image: nginx, imagePullPolicy: Never, terminationMessagePolicy: FallbackToLogsOnError}]
`));
  assert.equal(pod.metadata.namespace, 'prod');
  assert.equal(pod.spec.restartPolicy, 'Never');
  assert.equal(pod.spec.terminationGracePeriodSeconds, 0);
  assert.equal(pod.spec.dnsPolicy, 'Default');
  assert.equal(pod.spec.enableServiceLinks, false);
  assert.equal(pod.spec.containers[0]?.imagePullPolicy, 'Never');
  assert.equal(pod.spec.containers[0]?.terminationMessagePolicy, 'FallbackToLogsOnError');
});

test('imagePullPolicy defaults from the image tag', () => {
  const cases: [string, 'Always' | 'IfNotPresent'][] = [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['docker.io/library/nginx', 'Always'],
    ['localhost:5000/app', 'Always'],
    ['localhost:5000/app:v1', 'IfNotPresent'],
    ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent'],
    ['nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'Always'],
    ['Nginx', 'IfNotPresent'], // not a valid reference: no tag can be read
    ['', 'IfNotPresent'],
  ];
  for (const [image, want] of cases) {
    const pod = defaultPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image }] } });
    assert.equal(pod.spec.containers[0]?.imagePullPolicy, want, image);
  }
  assert.equal(imageTag('registry.example.com:443/team/app:2.0'), '2.0');
});

test('requests default to limits, and quantities come back canonical', () => {
  const pod = defaultPod(decodePod(`apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: app
    image: nginx
    resources:
      limits: {cpu: 0.5, memory: 1024Mi}
      requests: {memory: 1000, ephemeral-storage: 1.5m}
  initContainers:
  - name: init
    image: busybox
    resources: {limits: {cpu: "2"}}
  volumes: [{name: v, emptyDir: {sizeLimit: 0.5Gi}}]
`));
  assert.deepEqual(pod.spec.containers[0]?.resources, {
    limits: { cpu: '500m', memory: '1Gi' },
    requests: { memory: '1k', 'ephemeral-storage': '2m', cpu: '500m' },
  });
  assert.deepEqual(pod.spec.initContainers?.[0]?.resources, { limits: { cpu: '2' }, requests: { cpu: '2' } });
  assert.equal(pod.spec.volumes?.[0]?.emptyDir?.sizeLimit, '512Mi');
});

test('with the host network, host ports default to the container ports', () => {
  const pod = defaultPod(decodePod(`apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  hostNetwork: true
  containers: [{name: app, image: nginx, ports: [{containerPort: 8080}, {containerPort: 9090, hostPort: 9090}]}]
`));
  assert.deepEqual(pod.spec.containers[0]?.ports?.map((p) => p.hostPort), [8080, 9090]);
});

test('defaultSecret merges stringData into data as base64 and types it Opaque', () => {
  const input: Secret = {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' },
    data: { a: encodeBase64String('old'), b: encodeBase64String('keep') },
    stringData: { a: 'new', c: 'héllo' },
  };
  const secret = defaultSecret(input);
  assert.equal(secret.type, 'Opaque');
  assert.equal(secret.metadata.namespace, 'default');
  assert.equal('stringData' in secret, false);
  const text = (v: string | undefined): string => new TextDecoder().decode(decodeBase64(v ?? '') ?? new Uint8Array());
  assert.deepEqual(Object.keys(secret.data ?? {}), ['a', 'b', 'c']);
  assert.equal(text(secret.data?.['a']), 'new');
  assert.equal(text(secret.data?.['b']), 'keep');
  assert.equal(text(secret.data?.['c']), 'héllo');
  assert.ok(input.stringData !== undefined, 'input mutated');
  assert.equal(defaultSecret({ ...input, type: 'kubernetes.io/tls' }).type, 'kubernetes.io/tls');
});

test('base64 matches the standard padded encoding', () => {
  const cases: [string, string][] = [['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['hunter2', 'aHVudGVyMg==']];
  for (const [plain, encoded] of cases) {
    assert.equal(encodeBase64String(plain), encoded, plain);
    assert.equal(new TextDecoder().decode(decodeBase64(encoded)), plain, encoded);
  }
  assert.equal(decodeBase64('abc'), undefined);
  assert.equal(decodeBase64('a=bc'), undefined);
});

test('defaultConfigMap gives an empty data map and the default namespace', () => {
  const input: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
  assert.deepEqual(defaultConfigMap(input), {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: {},
  });
  assert.deepEqual(input.metadata, { name: 'c' });
});
