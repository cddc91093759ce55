// The real kubectl (v1.32) against an in-process API server backed by a temp-dir store. No container runtime:
// only the API and the store.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types.js';
import { startApi } from './test-harness.js';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web, tier: front}
spec:
  containers:
  - name: app
    image: busybox:1
    command: [sleep, '3600']
  - name: side
    image: nginx:1
`;

function ok(r: { code: number | null; stdout: string; stderr: string }): string {
  assert.equal(r.code, 0, `kubectl failed: ${r.stderr}`);
  return r.stdout;
}

test('kubectl version and api-resources', async (t) => {
  const h = await startApi(t);
  assert.match(ok(await h.kubectl(['version'])), /Server Version: v1\.32\.0/);
  const out = ok(await h.kubectl(['api-resources']));
  assert.match(out, /^pods\s+po\s+v1\s+true\s+Pod$/m);
  assert.match(out, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
  assert.match(out, /^configmaps\s+cm\s+v1\s+true\s+ConfigMap$/m);
  assert.match(out, /^nodes\s+no\s+v1\s+false\s+Node$/m);
});

test('requests without the bearer token get 401 Status', async (t) => {
  const h = await startApi(t);
  for (const token of [null, 'wrong']) {
    const r = await h.raw('GET', '/api/v1/namespaces/default/pods', { token });
    assert.equal(r.status, 401);
    assert.deepEqual(JSON.parse(r.body), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  }
});

test('create, get (table, wide, yaml, -l, --field-selector, -A), set image, delete', async (t) => {
  const h = await startApi(t);
  const file = await h.file('pod.yaml', POD);
  assert.match(ok(await h.kubectl(['create', '-f', file])), /pod\/web created/);
  const again = await h.kubectl(['create', '-f', file]);
  assert.match(again.stderr, /AlreadyExists.*pods "web" already exists/);

  assert.match(ok(await h.kubectl(['get', 'pods'])), /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nweb\s+0\/2\s+Pending\s+0\s+\d+s\n$/);
  assert.match(ok(await h.kubectl(['get', 'pods', '-o', 'wide'])), /^web\s+0\/2\s+Pending\s+0\s+\S+\s+<none>\s+node-1\s+<none>\s+<none>$/m);
  const yaml = ok(await h.kubectl(['get', 'pod', 'web', '-o', 'yaml']));
  assert.match(yaml, /^kind: Pod$/m);
  assert.match(yaml, /terminationGracePeriodSeconds: 30/);
  assert.match(ok(await h.kubectl(['get', 'pods', '-l', 'app=web,tier in (front)'])), /^web /m);
  assert.match(ok(await h.kubectl(['get', 'pods', '-l', 'app!=web'])) + (await h.kubectl(['get', 'pods', '-l', 'app!=web'])).stderr, /No resources found/);
  assert.match(ok(await h.kubectl(['get', 'pods', '--field-selector', 'status.phase=Pending,metadata.name=web'])), /^web /m);
  assert.doesNotMatch(ok(await h.kubectl(['get', 'pods', '--field-selector', 'spec.nodeName=other'])), /web/);
  assert.match(ok(await h.kubectl(['get', 'pods', '-A'])), /^NAMESPACE\s+NAME.*\ndefault\s+web\s+0\/2\s+Pending/);
  assert.match(ok(await h.kubectl(['get', 'ns'])), /^default\s+Active/m);
  assert.match(ok(await h.kubectl(['get', 'nodes'])), /^node-1\s+Ready\s+control-plane/m);

  assert.match(ok(await h.kubectl(['describe', 'pod', 'web'])), /^Name:\s+web\nNamespace:\s+default\n/);
  assert.match(ok(await h.kubectl(['replace', '-f', await h.file('r.yaml', POD.replace('nginx:1', 'nginx:5'))])), /pod\/web replaced/);
  assert.equal(h.store.get<Pod>('pods', 'default', 'web').spec.containers[1]?.image, 'nginx:5');
  const dry = await h.kubectl(['delete', 'pod', 'web', '--dry-run=server']);
  assert.match(dry.stderr, /dryRun is not supported by podd/);
  assert.match(ok(await h.kubectl(['set', 'image', 'pod/web', 'app=busybox:2'])), /pod\/web image updated/);
  const pod = h.store.get<Pod>('pods', 'default', 'web');
  assert.deepEqual(pod.spec.containers.map((c) => c.image), ['busybox:2', 'nginx:5']);

  assert.match(ok(await h.kubectl(['delete', 'pod', 'web', '--wait=false'])), /pod "web" deleted/);
  const deleting = h.store.get<Pod>('pods', 'default', 'web');
  assert.ok(deleting.metadata.deletionTimestamp);
  assert.equal(deleting.metadata.deletionGracePeriodSeconds, 30);
  assert.match((await h.kubectl(['get', 'pod', 'nope'])).stderr, /Error from server \(NotFound\): pods "nope" not found/);
});

test('apply client-side and server-side; unknown fields; forbidden pod update', async (t) => {
  const h = await startApi(t);
  const file = await h.file('pod.yaml', POD);
  assert.match(ok(await h.kubectl(['apply', '-f', file])), /pod\/web created/);
  assert.match(ok(await h.kubectl(['apply', '-f', file])), /pod\/web unchanged/);
  const changed = await h.file('pod2.yaml', POD.replace('busybox:1', 'busybox:3').replace('tier: front', 'tier: back'));
  const applied = await h.kubectl(['apply', '-f', changed]);
  assert.match(ok(applied), /pod\/web configured/);
  assert.equal(applied.stderr, '');
  const pod = h.store.get<Pod>('pods', 'default', 'web');
  assert.equal(pod.spec.containers[0]?.image, 'busybox:3');
  assert.equal(pod.metadata.labels?.['tier'], 'back');
  assert.ok(pod.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']);

  const ssa = await h.file('ssa.yaml', POD.replace('name: web', 'name: ssa'));
  assert.match(ok(await h.kubectl(['apply', '--server-side', '-f', ssa])), /pod\/ssa serverside-applied/);
  assert.match(ok(await h.kubectl(['apply', '--server-side', '-f', ssa])), /pod\/ssa serverside-applied/);
  const ssa2 = await h.file('ssa2.yaml', POD.replace('name: web', 'name: ssa').replace('nginx:1', 'nginx:2'));
  ok(await h.kubectl(['apply', '--server-side', '-f', ssa2]));
  assert.equal(h.store.get<Pod>('pods', 'default', 'ssa').spec.containers[1]?.image, 'nginx:2');

  const bad = await h.file('bad.yaml', POD.replace('name: web', 'name: bad').replace('    image: nginx:1', '    image: nginx:1\n    imagee: x'));
  const r = await h.kubectl(['create', '-f', bad]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unknown field "spec.containers\[1\].imagee"/);

  const forbidden = await h.file('forbid.yaml', POD.replace('sleep', 'sleepy'));
  const f = await h.kubectl(['apply', '-f', forbidden]);
  assert.notEqual(f.code, 0);
  assert.match(f.stderr, /Pod "web" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
});

test('configmaps and secrets: create, get, delete', async (t) => {
  const h = await startApi(t);
  const manifests = await h.file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: "1"}\n---\n'
    + 'apiVersion: v1\nkind: Secret\nmetadata: {name: sec}\nstringData: {p: s3cret}\n');
  assert.match(ok(await h.kubectl(['apply', '-f', manifests])), /configmap\/cfg created\nsecret\/sec created/);
  // Generator commands send protobuf bodies (wire/protobuf.ts decodes them).
  assert.match(ok(await h.kubectl(['create', 'configmap', 'other', '--from-literal=a=1'])), /configmap\/other created/);
  assert.deepEqual((h.store.get('configmaps', 'default', 'other') as { data?: unknown }).data, { a: '1' });
  assert.match(ok(await h.kubectl(['get', 'cm'])), /^cfg\s+1\s+\d+s$/m);
  assert.match(ok(await h.kubectl(['get', 'secrets'])), /^sec\s+Opaque\s+1\s+\d+s$/m);
  assert.match(ok(await h.kubectl(['get', 'secret', 'sec', '-o', 'jsonpath={.data.p}'])), /^czNjcmV0$/);
  const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  h.store.create('events', {
    apiVersion: 'v1', kind: 'Event', metadata: { name: 'web.1', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' }, reason: 'Pulled', message: 'pulled busybox', type: 'Normal',
    count: 1, firstTimestamp: at, lastTimestamp: at, source: { component: 'podd' },
  } as never);
  assert.match(ok(await h.kubectl(['get', 'events'])), /^\d+s\s+Normal\s+Pulled\s+pod\/web\s+pulled busybox$/m);
  assert.match(ok(await h.kubectl(['delete', 'cm', 'cfg'])), /configmap "cfg" deleted/);
  assert.equal(h.store.tryGet('configmaps', 'default', 'cfg'), undefined);
});

test('get -w receives an event for a change in the store', async (t) => {
  const h = await startApi(t);
  ok(await h.kubectl(['create', '-f', await h.file('pod.yaml', POD)]));
  const child = h.spawnKubectl(['get', 'pods', '-w']);
  let out = '';
  // One reader for the whole output: a reader per wait would append every later chunk once per wait.
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  const seen = (re: RegExp): Promise<void> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re.source}; got:\n${out}`)), 10_000);
    const check = (): void => {
      if (re.test(out)) {
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolve();
      }
    };
    child.stdout.on('data', check);
    check();
  });
  await seen(/^web\s+0\/2\s+Pending/m);
  h.store.update<Pod>('pods', 'default', 'web', (p) => ({ ...p, status: { phase: 'Failed', reason: 'Evicted' } }));
  await seen(/^web\s+0\/2\s+Evicted/m);
  assert.equal(out.match(/^NAME/gm)?.length, 1);
  child.kill('SIGKILL');
});
