// Every example in examples/ runs and does what its comment promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { containerStatus, example, leftovers, repoRoot, runPodFile, type RunResult } from './harness.js';

/** The STATUS column of each `STATUS` line podd printed. */
function statusColumn(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('STATUS ')).map((l) => l.trim().split(/\s+/)[3] ?? '');
}

function startedContainers(r: RunResult): string[] {
  return r.stderr.split('\n').map((l) => /Started container (\S+)$/.exec(l)?.[1]).filter((n) => n !== undefined);
}

const tested = new Set<string>();

test('init-demo.yaml: inits prepare the web root one after the other, then web and client talk over localhost', async () => {
  tested.add('init-demo.yaml');
  const r = await runPodFile(example('init-demo.yaml'));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.pod?.status?.phase, 'Succeeded');
  assert.deepEqual(r.output('client'), ['hello from init-1', 'and from init-2']);
  assert.deepEqual(r.output('web'), ['served on init-demo']);
  assert.deepEqual(startedContainers(r), ['init-1', 'init-2', 'web', 'client']);
  for (const c of ['init-1', 'init-2', 'web', 'client']) {
    assert.equal(containerStatus(r.pod, c)?.state.terminated?.exitCode, 0, c);
  }
  assert.deepEqual(leftovers(), []);
});

test('init-secret.yaml: the init container renders a config from the Secret; the app sees the config, not the Secret', async () => {
  tested.add('init-secret.yaml');
  const r = await runPodFile(example('init-secret.yaml'));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.pod?.status?.phase, 'Succeeded');
  const sha = createHash('sha256').update('s3cr3t-passw0rd').digest('hex').slice(0, 16);
  assert.deepEqual(r.output('app'), [`dsn=postgres://app@db/app?password_sha=${sha}`, 'secret not visible to app']);
  assert.deepEqual(leftovers(), []);
});

test('shared-pid.yaml: pause is PID 1, the inspector sees the sleeper, orphaned zombies are reaped', async () => {
  tested.add('shared-pid.yaml');
  const r = await runPodFile(example('shared-pid.yaml'));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.pod?.status?.phase, 'Succeeded');
  const lines = r.output('inspector').map((l) => l.trimEnd());
  assert.deepEqual(lines, ['pid1=/pause', 'sees sleeper', 'no zombies']);
  assert.deepEqual(leftovers(), []);
});

test('init-fails.yaml: a failed init container with restartPolicy Never fails the pod; the app never starts', async () => {
  tested.add('init-fails.yaml');
  const r = await runPodFile(example('init-fails.yaml'));
  assert.equal(r.code, 1, r.stderr);
  const status = r.pod?.status;
  assert.equal(status?.phase, 'Failed');
  const init = containerStatus(r.pod, 'check-config');
  assert.equal(init?.state.terminated?.reason, 'Error');
  assert.equal(init?.state.terminated?.exitCode, 3);
  assert.equal(init?.restartCount, 0);
  assert.deepEqual(r.output('check-config'), ['config missing']);
  const app = containerStatus(r.pod, 'app');
  assert.deepEqual(app?.state, { waiting: { reason: 'PodInitializing' } });
  assert.equal(app?.containerID, undefined);
  assert.deepEqual(r.output('app'), [], 'the app container ran');
  assert.ok(!r.stderr.includes('Started container app'), 'the app container was started');
  assert.deepEqual(startedContainers(r), ['check-config']);
  assert.ok(statusColumn(r.stderr).includes('Init:Error'), `STATUS went ${statusColumn(r.stderr).join(' → ')}`);
  const conds = (status?.conditions ?? []).map((c) => [c.type, c.status, c.reason ?? '', c.message ?? '']);
  assert.deepEqual(conds.filter((c) => c[0] === 'Initialized' || c[0] === 'ContainersReady' || c[0] === 'Ready'), [
    ['Initialized', 'False', 'ContainersNotInitialized', 'containers with incomplete status: [check-config]'],
    ['Ready', 'False', 'PodFailed', ''],
    ['ContainersReady', 'False', 'PodFailed', ''],
  ]);
  assert.deepEqual(leftovers(), []);
});

test('crashloop.yaml: a failing init container with restartPolicy Always crash-loops; the app never starts', async () => {
  tested.add('crashloop.yaml');
  const r = await runPodFile(example('crashloop.yaml'), { args: ['--timeout', '6s'] });
  assert.equal(r.code, 1, r.stderr);
  const init = containerStatus(r.pod, 'wait-for-db');
  assert.ok((init?.restartCount ?? 0) >= 2, `restartCount ${String(init?.restartCount)}`);
  assert.equal(init?.lastState.terminated?.exitCode, 1);
  assert.ok(r.output('wait-for-db').filter((l) => l === 'db not reachable').length >= 3, 'the init container did not run 3 times');
  const col = statusColumn(r.stderr);
  assert.ok(col.includes('Init:Error'), `STATUS went ${col.join(' → ')}`);
  assert.ok(col.includes('Init:CrashLoopBackOff'), `STATUS went ${col.join(' → ')}`);
  assert.ok(col.indexOf('Init:Error') < col.indexOf('Init:CrashLoopBackOff'), `STATUS went ${col.join(' → ')}`);
  assert.match(r.stderr, /Warning\s+BackOff\s+pod\/crashloop spec\.initContainers\{wait-for-db\}: Back-off restarting failed container wait-for-db in pod crashloop_default\(/);
  assert.deepEqual(r.output('app'), [], 'the app container ran');
  assert.ok(!r.stderr.includes('Started container app'), 'the app container was started');
  assert.deepEqual(containerStatus(r.pod, 'app')?.state, { waiting: { reason: 'PodInitializing' } });
  // Deleted (here: --timeout) while not terminal: the kubelet's TerminatePod marks a Pending/Running pod Failed.
  assert.equal(r.pod?.status?.phase, 'Failed');
  assert.deepEqual(leftovers(), []);
});

test('every example has a test', () => {
  // These need podd serve (Services, cluster DNS): test/e2e/init-services.test.ts runs them with kubectl.
  for (const servedOnly of ['myapp-pod.yaml', 'myapp-services.yaml']) tested.add(servedOnly);
  const all = readdirSync(join(repoRoot, 'examples')).filter((f) => f.endsWith('.yaml')).sort();
  assert.deepEqual([...tested].sort(), all);
});
