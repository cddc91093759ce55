import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigMap, Container, Pod, Secret } from '../../api/types.js';
import { containerArgs, expandVars, mergeEnv, resolveEnv, type EnvSources } from './resolve-env.js';

const pod: Pod = {
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'web', namespace: 'ns1', uid: 'u-1', labels: { app: 'x' }, annotations: { note: 'n' } },
  spec: { containers: [] },
};
const secret: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: 'cHc=' } };
const cm: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { mode: 'fast', 'bad key': 'x' } };
const sources: EnvSources = {
  secrets: new Map([['s', secret]]),
  configMaps: new Map([['cm', cm]]),
  nodeName: 'node1',
  podIP: '10.1.0.5',
  hostIP: '192.0.2.1',
  decodeBase64: (v) => (v === 'cHc=' ? 'pw' : '?'),
};

test('expandVars: $(VAR), $$ escapes, unknown kept, unterminated kept', () => {
  const vars = new Map([['A', '1'], ['B', 'two']]);
  const cases: [string, string][] = [
    ['$(A)', '1'],
    ['x$(A)y$(B)', 'x1ytwo'],
    ['$$(A)', '$(A)'],
    ['$(C)', '$(C)'],
    ['$(A', '$(A'],
    ['cost $5', 'cost $5'],
    ['$', '$'],
  ];
  for (const [input, want] of cases) assert.equal(expandVars(input, (n) => vars.get(n)), want, input);
});

const envCases: { name: string; c: Partial<Container>; want: [string, string][] | string }[] = [
  { name: 'plain values', c: { env: [{ name: 'A', value: 'a' }] }, want: [['A', 'a']] },
  { name: 'expansion against earlier vars', c: { env: [{ name: 'A', value: 'a' }, { name: 'B', value: '$(A)-b' }] }, want: [['A', 'a'], ['B', 'a-b']] },
  { name: 'secretKeyRef decoded', c: { env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 's', key: 'password' } } }] }, want: [['P', 'pw']] },
  { name: 'configMapKeyRef', c: { env: [{ name: 'M', valueFrom: { configMapKeyRef: { name: 'cm', key: 'mode' } } }] }, want: [['M', 'fast']] },
  { name: 'fieldRefs', c: { env: [
    { name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    { name: 'L', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
    { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
  ] }, want: [['N', 'web'], ['NS', 'ns1'], ['IP', '10.1.0.5'], ['L', 'x'], ['NODE', 'node1']] },
  { name: 'envFrom with prefix skips invalid names; env overrides', c: { envFrom: [{ prefix: 'CM_', configMapRef: { name: 'cm' } }], env: [{ name: 'CM_mode', value: 'slow' }] }, want: [['CM_mode', 'slow']] },
  { name: 'missing secret', c: { env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] }, want: 'secret "nope" not found' },
  { name: 'missing secret key', c: { env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }, want: "couldn't find key k in Secret ns1/s" },
  { name: 'missing configmap key', c: { env: [{ name: 'P', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }] }, want: "couldn't find key k in ConfigMap ns1/cm" },
  { name: 'optional missing is skipped', c: { env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } }] }, want: [] },
  { name: 'missing envFrom configmap', c: { envFrom: [{ configMapRef: { name: 'gone' } }] }, want: 'configmap "gone" not found' },
];
for (const c of envCases) {
  test(`resolveEnv: ${c.name}`, () => {
    const got = resolveEnv(pod, { name: 'c', ...c.c }, sources);
    if (typeof c.want === 'string') assert.deepEqual(got, { ok: false, message: c.want });
    else assert.deepEqual(got, { ok: true, env: c.want });
  });
}

const argCases: { name: string; c: Partial<Container>; want: string[] }[] = [
  { name: 'image entrypoint + cmd', c: {}, want: ['/entry', 'default'] },
  { name: 'args replace cmd', c: { args: ['x'] }, want: ['/entry', 'x'] },
  { name: 'command replaces entrypoint and drops cmd', c: { command: ['sh'] }, want: ['sh'] },
  { name: 'command + args', c: { command: ['sh', '-c'], args: ['echo $(A)'] }, want: ['sh', '-c', 'echo 1'] },
];
for (const c of argCases) {
  test(`containerArgs: ${c.name}`, () => {
    assert.deepEqual(containerArgs({ name: 'c', ...c.c }, { Entrypoint: ['/entry'], Cmd: ['default'] }, [['A', '1']]), c.want);
  });
}

test('mergeEnv: image env under container env, PATH default, HOSTNAME', () => {
  assert.deepEqual(mergeEnv(['PATH=/x', 'A=img'], 'web', [['A', 'ctr']]), ['PATH=/x', 'A=ctr', 'HOSTNAME=web']);
  assert.ok(mergeEnv([], 'h', []).some((e) => e.startsWith('PATH=/usr/local/sbin')));
});

test('resolveEnv: Service variables come after the container\'s own, yield to them, and expand in $(VAR)', () => {
  const serviceEnv = new Map([['DB_SERVICE_HOST', '10.87.0.9'], ['DB_SERVICE_PORT', '5432'], ['A', 'from-service']]);
  const got = resolveEnv(pod, {
    name: 'c',
    env: [{ name: 'A', value: 'mine' }, { name: 'URL', value: 'pg://$(DB_SERVICE_HOST):$(DB_SERVICE_PORT)/$(A)' }],
  }, { ...sources, serviceEnv });
  assert.deepEqual(got, {
    ok: true,
    env: [['A', 'mine'], ['URL', 'pg://10.87.0.9:5432/mine'], ['DB_SERVICE_HOST', '10.87.0.9'], ['DB_SERVICE_PORT', '5432']],
  });
});
