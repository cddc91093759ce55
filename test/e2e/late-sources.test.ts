// A pod that names a ConfigMap or Secret before it exists waits, as on a kubelet: CreateContainerConfigError for
// env, FailedMount (ContainerCreating) for volumes; once `kubectl create` makes it, the next retry starts the pod.
// A mounted ConfigMap that changes is projected again into the running pod.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { leftovers } from './harness.js';
import { ServeFixture, until } from './serve-harness.js';

const serve = new ServeFixture();
before(() => serve.start());
after(() => serve.dispose());


function statusColumn(pod: string): string {
  return serve.kubectl('get', 'pod', pod, '--no-headers').trim().split(/\s+/)[2] ?? '';
}

function eventsOf(pod: string): string {
  return serve.kubectl('get', 'events', '--field-selector', `involvedObject.name=${pod}`, '-o', 'custom-columns=REASON:.reason,MESSAGE:.message', '--no-headers');
}

test('env from a ConfigMap created later: CreateContainerConfigError, then the container starts with its value', async () => {
  serve.apply('env-late', `
apiVersion: v1
kind: Pod
metadata: {name: env-late}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: [sh, -c, 'echo "greeting=$GREETING"']
    env: [{name: GREETING, valueFrom: {configMapKeyRef: {name: late-cm, key: greeting}}}]
`);
  await until('CreateContainerConfigError', () => statusColumn('env-late') === 'CreateContainerConfigError');
  assert.match(eventsOf('env-late'), /^Failed\s+Error: configmap "late-cm" not found$/m);
  serve.kubectl('create', 'configmap', 'late-cm', '--from-literal=greeting=hello');
  await until('the pod to succeed', () => statusColumn('env-late') === 'Completed', 30_000);
  assert.equal(serve.kubectl('logs', 'env-late').trim(), 'greeting=hello');
  serve.kubectl('delete', 'pod/env-late', 'configmap/late-cm', '--wait');
});

test('a mounted ConfigMap follows its object, also after an agent restart: kubectl patch shows in the running container', async () => {
  serve.kubectl('create', 'configmap', 'live-cm', '--from-literal=mode=first');
  serve.apply('live', `
apiVersion: v1
kind: Pod
metadata: {name: live}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: [sleep, '3600']
    volumeMounts: [{name: cfg, mountPath: /etc/cfg}]
  volumes: [{name: cfg, configMap: {name: live-cm}}]
`);
  const read = (): string => {
    try {
      return serve.kubectl('exec', 'live', '--', 'cat', '/etc/cfg/mode');
    } catch {
      return '';
    }
  };
  await until('the first value', () => read() === 'first');
  serve.kubectl('patch', 'configmap', 'live-cm', '-p', '{"data":{"mode":"second"}}');
  await until('the patched value in the running container', () => read() === 'second', 30_000);
  assert.equal(serve.kubectl('exec', 'live', '--', 'readlink', '/etc/cfg/mode'), '..data/mode\n');
  // A new agent re-adopts the running pod and follows the ConfigMap as well.
  await serve.start();
  serve.kubectl('patch', 'configmap', 'live-cm', '-p', '{"data":{"mode":"third"}}');
  await until('the value patched after an agent restart', () => read() === 'third', 30_000);
  assert.equal(serve.pod('live').status?.containerStatuses?.[0]?.restartCount, 0);
  serve.kubectl('delete', 'pod/live', 'configmap/live-cm', '--wait');
});

test('a Secret volume created later: ContainerCreating with FailedMount, then the container reads it', async () => {
  serve.apply('vol-late', `
apiVersion: v1
kind: Pod
metadata: {name: vol-late}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: [cat, /etc/creds/token]
    volumeMounts: [{name: creds, mountPath: /etc/creds}]
  volumes: [{name: creds, secret: {secretName: late-secret}}]
`);
  await until('FailedMount', () => /^FailedMount\s+MountVolume\.SetUp failed for volume "creds" : secret "late-secret" not found$/m.test(eventsOf('vol-late')));
  assert.equal(statusColumn('vol-late'), 'ContainerCreating');
  serve.kubectl('create', 'secret', 'generic', 'late-secret', '--from-literal=token=s3cret');
  await until('the pod to succeed', () => statusColumn('vol-late') === 'Completed', 30_000);
  assert.equal(serve.kubectl('logs', 'vol-late').trim(), 's3cret');
  serve.kubectl('delete', 'pod/vol-late', 'secret/late-secret', '--wait');
  await serve.stop();
  assert.deepEqual(leftovers(), []);
});
