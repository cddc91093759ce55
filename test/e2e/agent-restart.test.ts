// Issue 3 item 5: stopping or killing `podd serve` leaves every container running (conmon holds them); a new agent
// re-adopts them. The containers write what they do to a hostPath file, so a re-run would show as a second line.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { leftovers, tempDir } from './harness.js';
import { ServeFixture, instancesOf, runcStatus, until } from './serve-harness.js';

const serve = new ServeFixture();
after(() => serve.dispose());

/** init-1 waits for `go-init` in the trace dir, so the agent can be killed while it runs; the app waits for `stop`. */
function manifest(name: string, traceDir: string, restartPolicy = 'Always'): string {
  const file = join(tempDir('podd-restart-'), `${name}.yaml`);
  writeFileSync(file, `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: ${restartPolicy}
  terminationGracePeriodSeconds: 2
  volumes: [{name: trace, hostPath: {path: ${traceDir}}}, {name: scratch, emptyDir: {}}]
  initContainers:
  - name: init-1
    image: busybox
    command: [sh, -c, 'echo init-1 >> /trace/log; echo kept > /scratch/note; until [ -f /trace/go-init ]; do sleep 0.1; done']
    volumeMounts: [{name: trace, mountPath: /trace}, {name: scratch, mountPath: /scratch}]
  - name: init-2
    image: busybox
    command: [sh, -c, 'echo init-2 >> /trace/log']
    volumeMounts: [{name: trace, mountPath: /trace}]
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'echo "app $(cat /scratch/note)" >> /trace/log; until [ -f /trace/stop ]; do sleep 0.1; done; exit 3']
    volumeMounts: [{name: trace, mountPath: /trace}, {name: scratch, mountPath: /scratch}]
`);
  return file;
}

function trace(dir: string): string[] {
  try {
    return readFileSync(join(dir, 'log'), 'utf8').trim().split('\n');
  } catch {
    return [];
  }
}

const seenUids = new Set<string>();

function uidOf(name: string): string {
  const uid = serve.kubectl('get', 'pod', name, '-o', 'jsonpath={.metadata.uid}');
  seenUids.add(uid);
  return uid;
}

function ready(name: string): boolean {
  return serve.kubectl('get', 'pod', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}') === 'True';
}

async function deleteAndCheckClean(name: string, uid: string): Promise<void> {
  serve.kubectl('delete', 'pod', name, '--grace-period=1');
  await until(`the containers of ${name} to be removed`, () => instancesOf(uid).length === 0, 20_000);
}

test('kill -9 of the agent while an init container runs: nothing re-runs, restart counts stay 0', async () => {
  const traceDir = tempDir('podd-trace-');
  await serve.start();
  serve.kubectl('apply', '-f', manifest('during-init', traceDir));
  await until('init-1 to run', () => trace(traceDir).includes('init-1'));
  const uid = uidOf('during-init');
  await serve.stop('SIGKILL');

  // The agent is gone; conmon keeps the pod going.
  const running = instancesOf(uid).filter((m) => runcStatus(m.id) === 'running').map((m) => m.name).sort();
  assert.deepEqual(running, ['POD', 'init-1']);
  writeFileSync(join(traceDir, 'go-init'), '');
  await serve.start();
  await until('the pod to be Ready', () => ready('during-init'));
  assert.match(serve.kubectl('wait', '--for=condition=Ready', 'pod/during-init', '--timeout=5s'), /condition met/);

  assert.deepEqual(trace(traceDir), ['init-1', 'init-2', 'app kept']);
  const pod = serve.pod('during-init');
  assert.deepEqual(pod.status?.initContainerStatuses?.map((c) => [c.name, c.restartCount, c.state?.terminated?.exitCode]), [['init-1', 0, 0], ['init-2', 0, 0]]);
  assert.deepEqual(pod.status?.containerStatuses?.map((c) => [c.name, c.restartCount, c.ready]), [['app', 0, true]]);
  assert.deepEqual(instancesOf(uid).map((m) => m.name).sort(), ['POD', 'app', 'init-1', 'init-2'], 'one instance per container, one sandbox');
  await deleteAndCheckClean('during-init', uid);
});

test('the agent killed right after creating the app container: the half-made container is replaced, not counted', async () => {
  const traceDir = tempDir('podd-trace-');
  writeFileSync(join(traceDir, 'go-init'), '');
  await serve.start({ PODD_FAILPOINT: 'created:app' });
  serve.kubectl('apply', '-f', manifest('during-app-start', traceDir));
  assert.equal(await serve.exited, 'SIGKILL', 'the agent dies at the failpoint');
  await serve.start();
  await until('the pod to be Ready', () => ready('during-app-start'));
  const podUid = uidOf('during-app-start');
  assert.deepEqual(trace(traceDir), ['init-1', 'init-2', 'app kept']);
  const pod = serve.pod('during-app-start');
  assert.deepEqual(pod.status?.containerStatuses?.map((c) => [c.name, c.restartCount, c.ready]), [['app', 0, true]]);
  assert.deepEqual(instancesOf(podUid).map((m) => m.name).sort(), ['POD', 'app', 'init-1', 'init-2']);
  assert.ok(instancesOf(podUid).every((m) => runcStatus(m.id) !== 'created'), 'no container is left half-made');
  await deleteAndCheckClean('during-app-start', podUid);
});

test('the agent killed right after the sandbox started: init containers run once in that same sandbox', async () => {
  const traceDir = tempDir('podd-trace-');
  writeFileSync(join(traceDir, 'go-init'), '');
  await serve.start({ PODD_FAILPOINT: 'sandbox-started' });
  serve.kubectl('apply', '-f', manifest('after-sandbox', traceDir));
  assert.equal(await serve.exited, 'SIGKILL');
  await serve.start();
  await until('the pod to be Ready', () => ready('after-sandbox'));
  const podUid = uidOf('after-sandbox');
  assert.deepEqual(trace(traceDir), ['init-1', 'init-2', 'app kept']);
  assert.equal(instancesOf(podUid).filter((m) => m.role === 'sandbox').length, 1, 'the sandbox was kept, not replaced');
  await deleteAndCheckClean('after-sandbox', podUid);
});

test('a container that exits while the agent is stopped is seen with its exit code and restarted by policy', async () => {
  const traceDir = tempDir('podd-trace-');
  writeFileSync(join(traceDir, 'go-init'), '');
  await serve.start();
  serve.kubectl('apply', '-f', manifest('exits-meanwhile', traceDir, 'OnFailure'));
  await until('the pod to be Ready', () => ready('exits-meanwhile'));
  const podUid = uidOf('exits-meanwhile');
  await serve.stop('SIGTERM');

  const app = instancesOf(podUid).find((m) => m.name === 'app');
  assert.ok(app);
  writeFileSync(join(traceDir, 'stop'), '');
  await until('the app to exit', () => runcStatus(app.id) !== 'running', 10_000);
  rmSync(join(traceDir, 'stop'));
  await serve.start();
  await until('the app to be restarted', () => serve.pod('exits-meanwhile').status?.containerStatuses?.[0]?.restartCount === 1 && ready('exits-meanwhile'));
  const status = serve.pod('exits-meanwhile').status?.containerStatuses?.[0];
  assert.equal(status?.lastState?.terminated?.exitCode, 3);
  assert.deepEqual(trace(traceDir), ['init-1', 'init-2', 'app kept', 'app kept'], 'init containers did not run again');
  await deleteAndCheckClean('exits-meanwhile', podUid);
});

test('after the restarts nothing of these pods is left on the host', async () => {
  await serve.stop('SIGTERM');
  assert.ok(seenUids.size >= 4);
  for (const uid of seenUids) {
    assert.deepEqual(instancesOf(uid), [], `instances of ${uid}`);
    assert.equal(existsSync(join('/var/lib/podd/pods', uid)), false, `pod dir of ${uid}`);
    assert.equal(existsSync(join('/run/podd/owners', uid)), false, `owner record of ${uid}`);
    assert.ok(!leftovers().some((l) => l.includes(uid)), `cgroups or mounts of ${uid}`);
  }
});
