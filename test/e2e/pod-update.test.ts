// Issue 3 item 3: pod updates as the apiserver allows them, on a running pod. A new image for an app container
// restarts that container alone, in the same sandbox; a new image for a completed init container does not re-run it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { baseRootfsTar, poddBin, tempDir } from './harness.js';
import { ServeFixture, instancesOf, until } from './serve-harness.js';

const serve = new ServeFixture();
const traceDir = tempDir('podd-update-');
const NEW_IMAGE = 'busybox:update-test';

before(async () => {
  // The same content under another name: a different image reference is a different container spec.
  execFileSync(process.execPath, [poddBin, 'image', 'import', baseRootfsTar(), NEW_IMAGE], { stdio: 'ignore' });
  await serve.start();
});
after(async () => {
  try {
    serve.kubectl('delete', 'pod', 'upd', '--grace-period=1', '--ignore-not-found');
  } finally {
    await serve.dispose();
    execFileSync(process.execPath, [poddBin, 'rmi', NEW_IMAGE], { stdio: 'ignore' });
  }
});

function trace(): string[] {
  return readFileSync(join(traceDir, 'log'), 'utf8').trim().split('\n');
}

const manifest = join(traceDir, 'upd.yaml');
writeFileSync(manifest, `
apiVersion: v1
kind: Pod
metadata: {name: upd}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: trace, hostPath: {path: ${traceDir}}}]
  initContainers:
  - {name: init-1, image: busybox, command: [sh, -c, 'echo init-1 >> /trace/log'], volumeMounts: [{name: trace, mountPath: /trace}]}
  containers:
  - {name: app1, image: busybox, command: [sh, -c, 'echo app1 >> /trace/log; exec sleep 3600'], volumeMounts: [{name: trace, mountPath: /trace}]}
  - {name: app2, image: busybox, command: [sh, -c, 'echo app2 >> /trace/log; exec sleep 3600'], volumeMounts: [{name: trace, mountPath: /trace}]}
`);

function statusOf(name: string): { restartCount: number; image?: string; containerID?: string; ready: boolean } | undefined {
  const st = serve.pod('upd').status;
  return [...(st?.initContainerStatuses ?? []), ...(st?.containerStatuses ?? [])].find((c) => c.name === name) as ReturnType<typeof statusOf>;
}

test('kubectl set image on an app container restarts only that container, in the same sandbox', async () => {
  serve.kubectl('apply', '-f', manifest);
  serve.kubectl('wait', '--for=condition=Ready', 'pod/upd', '--timeout=30s');
  const uid = serve.kubectl('get', 'pod', 'upd', '-o', 'jsonpath={.metadata.uid}');
  const sandboxBefore = instancesOf(uid).filter((m) => m.role === 'sandbox').map((m) => m.id);
  const app2Before = statusOf('app2')?.containerID;

  assert.match(serve.kubectl('set', 'image', 'pod/upd', `app1=${NEW_IMAGE}`), /pod\/upd image updated/);
  await until('app1 to run the new image', () => statusOf('app1')?.restartCount === 1 && statusOf('app1')?.ready === true);
  assert.match(statusOf('app1')?.image ?? '', /busybox:update-test/);
  assert.equal(statusOf('app2')?.containerID, app2Before, 'app2 was not touched');
  assert.equal(statusOf('app2')?.restartCount, 0);
  assert.deepEqual(instancesOf(uid).filter((m) => m.role === 'sandbox').map((m) => m.id), sandboxBefore, 'same sandbox');
  assert.deepEqual(trace().sort(), ['app1', 'app1', 'app2', 'init-1'], 'init-1 did not run again, app1 ran twice');
  const events = serve.kubectl('get', 'events', '--field-selector', 'involvedObject.name=upd');
  assert.match(events, /Killing\s+pod\/upd\s+Container app1 definition changed, will be restarted/);
});

test('a new image for a completed init container does not run it again', async () => {
  serve.kubectl('set', 'image', 'pod/upd', `init-1=${NEW_IMAGE}`);
  assert.match(serve.kubectl('get', 'pod', 'upd', '-o', 'jsonpath={.spec.initContainers[0].image}'), /busybox:update-test/);
  // Two resync periods of the agent: time enough for a wrong re-run to show.
  await new Promise((r) => setTimeout(r, 4_500));
  assert.deepEqual(trace().filter((l) => l === 'init-1'), ['init-1']);
  assert.equal(statusOf('app1')?.restartCount, 1);
  assert.equal(statusOf('app2')?.restartCount, 0);
  assert.equal(serve.pod('upd').status?.phase, 'Running');
});

test('other spec changes are rejected with the apiserver message and change nothing', () => {
  const rv = serve.kubectl('get', 'pod', 'upd', '-o', 'jsonpath={.metadata.resourceVersion}');
  let message = '';
  try {
    serve.kubectl('patch', 'pod', 'upd', '-p', '{"spec":{"containers":[{"name":"app1","command":["true"]}]}}');
  } catch (err) {
    message = String((err as { stderr?: string }).stderr);
  }
  assert.match(message, /is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
  assert.equal(serve.kubectl('get', 'pod', 'upd', '-o', 'jsonpath={.metadata.resourceVersion}'), rv);
});
