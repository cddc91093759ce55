// The client verbs against an in-process API server (no containers): byte-for-byte what the real kubectl 1.32
// prints for the same commands (stdout, stderr, exit code), and apply/delete's own behaviour.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import type { Pod } from '../../api/types.js';
import { startApi } from '../../server/http/test-harness.js';
import type { Harness } from '../../server/http/test-harness.js';
import { clientCommand, isClientVerb } from './commands.js';

// Objects are created 3 days in the past, so ages read `3d` whichever second each command runs in.
const DAY = 86_400_000;
const CREATED = Math.floor((Date.now() - 3 * DAY) / 1000) * 1000;
const at = (minutes: number): string => new Date(CREATED + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

const MANIFESTS = `apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: v1
kind: Secret
metadata: {name: s1}
stringData: {k: v, k2: v2}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {a: "1"}
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web, tier: front}
  annotations: {note: hello, long: "${'x'.repeat(150)}"}
spec:
  terminationGracePeriodSeconds: 5
  nodeSelector: {disk: ssd}
  tolerations: [{key: k, operator: Equal, value: v, effect: NoSchedule}, {operator: Exists}]
  initContainers:
  - name: setup
    image: busybox
    command: [sh, -c, "echo setup\\necho twice"]
  containers:
  - name: app
    image: busybox:1
    command: [sleep]
    args: ["3600"]
    ports: [{containerPort: 80}, {containerPort: 53, protocol: UDP, hostPort: 5353}]
    env:
    - {name: PLAIN, value: x}
    - {name: MULTI, value: "a\\nb"}
    - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: CPU, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}
    - {name: SECRET, valueFrom: {secretKeyRef: {name: s1, key: k}}}
    - {name: CM, valueFrom: {configMapKeyRef: {name: cfg, key: a, optional: true}}}
    envFrom: [{configMapRef: {name: cfg}}, {secretRef: {name: s1}, prefix: S_}]
    resources: {limits: {memory: 64Mi}, requests: {cpu: 100m, memory: 32Mi}}
    livenessProbe: {exec: {command: [cat, /tmp/ok]}, periodSeconds: 5}
    readinessProbe: {httpGet: {path: /healthz, port: 80}}
    startupProbe: {tcpSocket: {port: 80}}
    volumeMounts:
    - {name: secret, mountPath: /etc/secret, readOnly: true}
    - {name: data, mountPath: /data}
    - {name: config, mountPath: /etc/config, subPath: a}
  - name: side
    image: nginx:1
  volumes:
  - {name: data, emptyDir: {sizeLimit: 1Gi}}
  - {name: secret, secret: {secretName: s1}}
  - {name: config, configMap: {name: cfg, optional: true}}
  - {name: host, hostPath: {path: /tmp, type: Directory}}
---
apiVersion: v1
kind: Pod
metadata: {name: job, namespace: other, labels: {app: job}}
spec:
  restartPolicy: Never
  containers:
  - {name: main, image: busybox, command: ["true"]}
`;

function webStatus(): NonNullable<Pod['status']> {
  const cond = (type: string, status: 'True' | 'False', reason?: string) => ({ type, status, lastProbeTime: null, lastTransitionTime: at(1), ...(reason ? { reason } : {}) });
  return {
    phase: 'Running', startTime: at(1), hostIP: '127.0.0.1', hostIPs: [{ ip: '127.0.0.1' }], podIP: '10.88.0.5', podIPs: [{ ip: '10.88.0.5' }], qosClass: 'Burstable',
    conditions: [cond('PodReadyToStartContainers', 'True'), cond('Initialized', 'True'), cond('Ready', 'False', 'ContainersNotReady'),
      cond('ContainersReady', 'False', 'ContainersNotReady'), cond('PodScheduled', 'True')],
    initContainerStatuses: [{
      name: 'setup', state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: at(1), finishedAt: at(2), containerID: 'runc://aaa' } },
      lastState: {}, ready: true, restartCount: 0, image: 'busybox', imageID: 'sha256:111', containerID: 'runc://aaa', started: false,
    }],
    containerStatuses: [
      {
        name: 'app', state: { running: { startedAt: at(10) } },
        lastState: { terminated: { exitCode: 137, signal: 9, reason: 'Error', message: 'killed', startedAt: at(3), finishedAt: at(9), containerID: 'runc://bbb' } },
        ready: true, restartCount: 2, image: 'busybox:1', imageID: 'sha256:222', containerID: 'runc://ccc', started: true,
      },
      { name: 'side', state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } }, lastState: {}, ready: false, restartCount: 0, image: 'nginx:1', imageID: '', started: false },
    ],
  };
}

function event(h: Harness, pod: Pod, n: number, e: { type: string; reason: string; message: string; minutes: number; count?: number; fieldPath?: string }): void {
  const ns = pod.metadata.namespace ?? 'default';
  h.store.create('events', {
    apiVersion: 'v1', kind: 'Event',
    metadata: { name: `${pod.metadata.name ?? ''}.${n}`, namespace: ns },
    involvedObject: { kind: 'Pod', namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid, apiVersion: 'v1', ...(e.fieldPath ? { fieldPath: e.fieldPath } : {}) },
    reason: e.reason, message: e.message, type: e.type, source: { component: 'podd', host: 'node-1' },
    firstTimestamp: at(e.minutes - (e.count ?? 1) + 1), lastTimestamp: at(e.minutes), count: e.count ?? 1, reportingComponent: 'podd', reportingInstance: 'node-1',
  });
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

async function podd(h: Harness, args: string[]): Promise<Run> {
  const [verb, ...rest] = args;
  assert.ok(isClientVerb(verb));
  const out = sink();
  const err = sink();
  const code = await clientCommand(verb, ['--kubeconfig', join(h.dir, 'kubeconfig'), ...rest], '/nonexistent', out.stream, err.stream);
  return { code, stdout: out.text(), stderr: err.text() };
}

/** Starts a server whose objects are 3 days old, with MANIFESTS applied by podd, web given a status, and events. */
async function fixture(t: TestContext): Promise<Harness> {
  const h = await startApi(t, { now: () => CREATED, changeLogMaxAgeMs: 100 * DAY });
  const applied = await podd(h, ['apply', '-f', await h.file('all.yaml', MANIFESTS)]);
  assert.deepEqual(applied, {
    code: 0, stderr: '',
    stdout: 'namespace/other created\nsecret/s1 created\nconfigmap/cfg created\npod/web created\npod/job created\n',
  });
  const web = h.store.update<Pod>('pods', 'default', 'web', (p) => ({ ...p, status: webStatus() }));
  const job = h.store.get<Pod>('pods', 'other', 'job');
  event(h, web, 1, { type: 'Normal', reason: 'Pulled', message: 'Container image "busybox:1" already present on machine', minutes: 2, fieldPath: 'spec.containers{app}' });
  event(h, web, 2, { type: 'Normal', reason: 'Started', message: 'Started container app', minutes: 3 });
  event(h, web, 3, { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container side in pod web_default', minutes: 20, count: 3 });
  event(h, job, 4, { type: 'Normal', reason: 'Created', message: 'Created container: main', minutes: 4 });
  return h;
}

async function sameAsKubectl(h: Harness, args: string[]): Promise<Run> {
  const kubectl = await h.kubectl(args);
  const ours = await podd(h, args);
  assert.deepEqual(ours, kubectl, `podd ${args.join(' ')} differs from kubectl`);
  return ours;
}

test('get prints what kubectl get prints', async (t) => {
  const h = await fixture(t);
  const pods = await sameAsKubectl(h, ['get', 'pods']);
  assert.match(pods.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nweb\s+1\/2\s+CrashLoopBackOff\s+2 \(\S+ ago\)\s+3d\n$/);
  for (const args of [
    ['get', 'pods', '-o', 'wide'], ['get', 'pods', '-A', '--show-labels'], ['get', 'po', '-n', 'other'], ['get', 'pods', '-l', 'app=web'],
    ['get', 'pods', '-n', 'empty'], ['get', 'pods,cm'], ['get', 'pod/web', 'cm/cfg'], ['get', 'pod', 'web', 'nope'], ['get', 'pod', 'nope'],
    ['get', 'ns'], ['get', 'secrets'], ['get', 'configmaps', '-o', 'wide'], ['get', 'events'], ['get', 'events', '-A', '-o', 'wide'],
    ['get', 'pods', '-A', '-o', 'name'], ['get', 'pod', 'web', '-o', 'json'], ['get', 'pods', '-A', '-o', 'json'], ['get', 'pod', 'web', '-o', 'yaml'],
    ['get', 'cm', '-o', 'yaml'], ['get', 'pod', 'nope', '-o', 'json'],
  ]) await sameAsKubectl(h, args);
});

test('describe and events print what kubectl describe and kubectl events print', async (t) => {
  const h = await fixture(t);
  const described = await sameAsKubectl(h, ['describe', 'pod', 'web']);
  for (const part of ['Init Containers:\n  setup:', 'Last State:     Terminated', 'Restart Count:  2', 'Events:\n  Type     Reason   Age', 'Warning  BackOff']) {
    assert.ok(described.stdout.includes(part), `describe lacks ${JSON.stringify(part)}`);
  }
  for (const args of [
    ['describe', 'pod', 'we'], ['describe', 'pods', '-n', 'other'], ['describe', 'pod', 'nope'], ['describe', 'pod/job', '-n', 'other'],
    ['events'], ['events', '-A'], ['events', '--for', 'pod/web'], ['events', '-n', 'empty'], ['events', '--types', 'Warning'],
  ]) await sameAsKubectl(h, args);
});

test('apply reports created, unchanged and configured, and the server errors as kubectl does', async (t) => {
  const h = await fixture(t);
  const file = await h.file('all.yaml', MANIFESTS);
  const again = await podd(h, ['apply', '-f', file]);
  assert.equal(again.stdout, 'namespace/other unchanged\nsecret/s1 unchanged\nconfigmap/cfg unchanged\npod/web unchanged\npod/job unchanged\n');
  const changed = await podd(h, ['apply', '-f', await h.file('cm.json', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '2' } }))]);
  assert.deepEqual(changed, { code: 0, stdout: 'configmap/cfg configured\n', stderr: '' });
  assert.deepEqual(h.store.get<{ data: Record<string, string> } & Pod>('configmaps', 'default', 'cfg').data, { a: '2' });

  // A field another manager owns: the same refusal and advice as kubectl apply --server-side, unless forced.
  const taken = await h.file('cm9.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: "9"}\n');
  const theirs = await h.kubectl(['apply', '--server-side', '-f', taken]);
  const ours = await podd(h, ['apply', '--field-manager', 'kubectl', '-f', taken]);
  assert.match(theirs.stderr, /^error: Apply failed with 1 conflict: conflict with "podd": \.data\.a\nPlease review the fields above/);
  assert.deepEqual(ours, { ...theirs, stdout: '' });
  assert.deepEqual(await podd(h, ['apply', '--force-conflicts', '-f', taken]), { code: 0, stdout: 'configmap/cfg configured\n', stderr: '' });

  const bad = await h.file('bad.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec: {containers: [{name: c}]}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n');
  const failed = await podd(h, ['apply', '-f', bad]);
  assert.equal(failed.code, 1);
  assert.equal(failed.stdout, '');
  assert.match(failed.stderr, new RegExp(`^Error from server \\(Invalid\\): error when creating "${bad}": Pod "bad" is invalid: spec.containers\\[0\\].image: Required value\n`));
  assert.match(failed.stderr, /\nerror: resource mapping not found for name: "d" namespace: "" from ".*bad.yaml": no matches for kind "Deployment" in version "apps\/v1"\nensure CRDs are installed first\n$/);
  const mismatch = await podd(h, ['apply', '-n', 'default', '-f', await h.file('ns.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: other}\n')]);
  assert.deepEqual(mismatch, {
    code: 1, stdout: '',
    stderr: 'error: the namespace from the provided object "other" does not match the namespace "default". You must pass \'--namespace=other\' to perform this operation.\n',
  });
  const usage = await podd(h, ['apply']);
  assert.deepEqual(usage, { code: 2, stdout: '', stderr: 'error: must specify one of -f and -k\n' });
});

test('delete waits until the object is gone, as kubectl delete does', async (t) => {
  const h = await startApi(t);
  const file = await h.file('all.yaml', MANIFESTS);
  assert.equal((await podd(h, ['apply', '-f', file])).code, 0);
  // Without a node agent a graceful pod delete only marks the pod; podd delete must wait until it is removed.
  let removedAt = 0;
  setTimeout(() => {
    removedAt = Date.now();
    h.store.delete('pods', 'default', 'web');
  }, 500);
  const deleted = await podd(h, ['delete', 'pod', 'web']);
  assert.deepEqual(deleted, { code: 0, stdout: 'pod "web" deleted\n', stderr: '' });
  assert.ok(removedAt > 0 && Date.now() >= removedAt, 'podd delete returned before the pod was gone');

  const noWait = await podd(h, ['delete', 'pod', 'job', '-n', 'other', '--wait=false']);
  assert.deepEqual(noWait, { code: 0, stdout: 'pod "job" deleted\n', stderr: '' });
  assert.ok(h.store.get<Pod>('pods', 'other', 'job').metadata.deletionTimestamp !== undefined);
  const forced = await podd(h, ['delete', 'pod', 'job', '-n', 'other', '--force']);
  assert.equal(forced.stdout, 'pod "job" force deleted\n');
  assert.match(forced.stderr, /^Warning: Immediate deletion does not wait/);
  assert.equal(h.store.tryGet('pods', 'other', 'job'), undefined);

  await sameAsKubectl(h, ['delete', 'pod', 'nope']);
  assert.deepEqual(await podd(h, ['delete', 'pod', 'nope', '--ignore-not-found']), { code: 0, stdout: '', stderr: '' });
  const byFile = await podd(h, ['delete', '-f', await h.file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: gone}\n')]);
  assert.equal(byFile.code, 1);
  assert.equal(byFile.stdout, 'configmap "cfg" deleted\n');
  assert.match(byFile.stderr, /^Error from server \(NotFound\): error when deleting ".*cm.yaml": configmaps "gone" not found\n$/);
  assert.equal(h.store.tryGet('configmaps', 'default', 'cfg'), undefined);
  const bySelector = await podd(h, ['delete', 'secrets', '--all']);
  assert.deepEqual(bySelector, { code: 0, stdout: 'secret "s1" deleted\n', stderr: '' });
  assert.equal((await podd(h, ['delete', 'pod'])).code, 2);
});

test('connection and kubeconfig errors', async (t) => {
  const h = await startApi(t);
  const missing = await podd(h, ['get', 'pods', '--kubeconfig', join(h.dir, 'nope.yaml')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: cannot read kubeconfig .*nope\.yaml \(no such file\)/);
  const wrongPort = await h.file('kc-wrong.yaml', readFileSync(join(h.dir, 'kubeconfig'), 'utf8').replace(`:${h.port}`, ':1'));
  const refused = await podd(h, ['get', 'pods', '--kubeconfig', wrongPort]);
  assert.deepEqual(refused, { code: 1, stdout: '', stderr: 'The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?\n' });
  assert.equal((await podd(h, ['get', 'pods', '-o', 'table'])).code, 2);
  assert.equal((await podd(h, ['get', 'pods', '--bogus'])).code, 2);
  assert.deepEqual(await podd(h, ['get', 'widgets']), { code: 2, stdout: '', stderr: 'error: the server doesn\'t have a resource type "widgets"\n' });
});
