// The sandbox is the pod's life: when the pause container dies, the kubelet kills the pod's containers and, unless
// the pod is restartPolicy Never, makes a new sandbox (attempt + 1) and runs the init containers again from the first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { containerStatus, leftovers, lines, runPod, tempDir, type RunResult } from './harness.js';

interface Meta {
  id: string;
  role: 'sandbox' | 'init' | 'app';
  podName: string;
  name: string;
  attempt: number;
  restartCount: number;
  pid?: number;
}

/** podd's records of the instances of one pod, from /run/podd/containers/<id>/meta.json. */
function podInstances(podName: string): Meta[] {
  const dir = '/run/podd/containers';
  if (!existsSync(dir)) return [];
  const out: Meta[] = [];
  for (const id of readdirSync(dir)) {
    try {
      const m = JSON.parse(readFileSync(join(dir, id, 'meta.json'), 'utf8')) as Meta;
      if (m.podName === podName) out.push(m);
    } catch {
      // being created or removed
    }
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(50);
  }
  return cond();
}

function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

function podYaml(name: string, dir: string, restartPolicy: 'Always' | 'Never', inits: string[]): string {
  const mount = 'volumeMounts: [{ name: out, mountPath: /out }]';
  const initYaml = inits.map((n) => `
    - name: ${n}
      image: busybox
      command: ["sh", "-c", "echo ${n} >> /out/runs"]
      ${mount}`).join('');
  // The app records its start, then waits; SIGTERM makes it record that and exit (0 for Always, 143 for Never).
  const onTerm = restartPolicy === 'Always' ? 'exit 0' : 'echo app-got-TERM >> /out/runs; exit 143';
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  restartPolicy: ${restartPolicy}
  terminationGracePeriodSeconds: 2
  volumes:
    - name: out
      hostPath: { path: ${dir}, type: Directory }
  initContainers:${initYaml}
  containers:
    - name: app
      image: busybox
      command: ["sh", "-c", "trap '${onTerm}' TERM; echo app >> /out/runs; sleep 3600 & wait"]
      ${mount}
`;
}

/** Kills the pod's (current) pause process with SIGKILL; returns the pid killed. */
function killPause(podName: string): number | undefined {
  const sandboxes = podInstances(podName).filter((m) => m.role === 'sandbox').sort((a, b) => b.attempt - a.attempt);
  const pid = sandboxes[0]?.pid;
  if (pid === undefined) return undefined;
  process.kill(pid, 'SIGKILL');
  return pid;
}

test('restartPolicy Always: pause killed → SandboxChanged, a new sandbox, init containers re-run from the first', async () => {
  const dir = tempDir();
  const name = uniqueName('sbx-always');
  let poddPid = 0;
  let appStarts = 0;
  const run: Promise<RunResult> = runPod(podYaml(name, dir, 'Always', ['init-1', 'init-2']), {
    args: ['--timeout', '60s'],
    onSpawn: (pid) => (poddPid = pid),
    onLine: (line) => {
      if (/Started\s+pod\/\S+ spec\.containers\{app\}: Started container app$/.test(line)) appStarts++;
    },
  });

  let killedPid: number | undefined;
  let newSandboxes: Meta[] = [];
  try {
    assert.ok(await waitFor(() => appStarts >= 1 && lines(dir, 'runs').includes('app'), 20_000), 'the app never started');
    killedPid = killPause(name);
    assert.ok(killedPid !== undefined, 'no pause pid in meta.json');
    // The sandbox comes back and the whole init sequence runs again, then the app.
    await waitFor(() => appStarts >= 2 && lines(dir, 'runs').filter((l) => l === 'app').length >= 2, 20_000);
    newSandboxes = podInstances(name).filter((m) => m.role === 'sandbox' && m.attempt === 1);
  } finally {
    if (poddPid > 0) process.kill(poddPid, 'SIGTERM');
    await run;
  }
  const r = await run;

  assert.deepEqual(lines(dir, 'runs'), ['init-1', 'init-2', 'app', 'init-1', 'init-2', 'app'], r.stderr);
  assert.match(r.stderr, /SandboxChanged\s+pod\/\S+: Pod sandbox changed, it will be killed and re-created\./);
  assert.equal(newSandboxes.length, 1, 'a sandbox with attempt 1 in meta.json');
  assert.notEqual(newSandboxes[0]?.pid, killedPid);
  assert.match(r.stderr, /^pause#1\s/m, 'pause#1 in the timeline');
  const app = containerStatus(r.pod, 'app');
  assert.ok((app?.restartCount ?? 0) >= 1, `app restartCount ${app?.restartCount}`);
  // Re-created init containers count restarts too (the kubelet derives the count from the container's log files).
  assert.ok((containerStatus(r.pod, 'init-1')?.restartCount ?? 0) >= 1, `init-1 restartCount ${containerStatus(r.pod, 'init-1')?.restartCount}`);
  assert.equal(containerStatus(r.pod, 'init-1')?.state.terminated?.reason, 'Completed');
  // Ended by SIGTERM: the app exits 0 on TERM, so the terminated pod Succeeded.
  assert.match(r.stderr, /podd: SIGTERM: terminating pod/);
  assert.equal(r.pod?.status?.phase, 'Succeeded');
  assert.equal(r.code, 0);
  assert.deepEqual(leftovers(), []);
});

test('restartPolicy Never: pause killed after the app ran → no new sandbox, no init re-run, the pod Fails and podd exits', async () => {
  const dir = tempDir();
  const name = uniqueName('sbx-never');
  let poddPid = 0;
  let appStarts = 0;
  const run: Promise<RunResult> = runPod(podYaml(name, dir, 'Never', ['init-1']), {
    args: ['--timeout', '60s'],
    onSpawn: (pid) => (poddPid = pid),
    onLine: (line) => {
      if (/Started container app$/.test(line)) appStarts++;
    },
  });
  let exited = false;
  void run.then(() => (exited = true));
  try {
    assert.ok(await waitFor(() => appStarts >= 1 && lines(dir, 'runs').includes('app'), 20_000), 'the app never started');
    assert.ok(killPause(name) !== undefined, 'no pause pid in meta.json');
    // podd must end the pod by itself.
    await waitFor(() => exited, 15_000);
  } finally {
    if (!exited && poddPid > 0) process.kill(poddPid, 'SIGTERM');
    await run;
  }
  const r = await run;

  assert.doesNotMatch(r.stderr, /podd: SIGTERM/, 'podd did not end the pod by itself');
  assert.deepEqual(lines(dir, 'runs'), ['init-1', 'app', 'app-got-TERM'], r.stderr);
  assert.doesNotMatch(r.stderr, /SandboxChanged/);
  assert.doesNotMatch(r.stderr, /^pause#1\s/m, 'no second sandbox');
  assert.equal(appStarts, 1);
  const app = containerStatus(r.pod, 'app');
  assert.equal(app?.restartCount, 0);
  assert.equal(app?.state.terminated?.exitCode, 143);
  assert.equal(app?.state.terminated?.reason, 'Error');
  assert.equal(containerStatus(r.pod, 'init-1')?.restartCount, 0);
  assert.equal(r.pod?.status?.phase, 'Failed');
  assert.equal(r.code, 1);
  assert.deepEqual(leftovers(), []);
});
