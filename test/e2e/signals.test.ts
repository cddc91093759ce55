// Ending `podd run`: SIGINT/SIGTERM/--timeout terminate the pod as a graceful API deletion does (SIGTERM, the grace
// period, then SIGKILL; the phase from the exit codes), a second SIGINT does not wait out the grace period, and
// invalid input is refused with the apiserver's message before anything is made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { containerStatus, leftovers, lines, runPod, statuses, tempDir, type RunResult } from './harness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(25);
  }
  return cond();
}

/** The app exits 0 when it gets SIGTERM, after writing that down. */
const GRACEFUL = `trap 'echo got TERM >> /out/log; exit 0' TERM; echo started >> /out/log; sleep 3600 & wait`;
/** The app ignores SIGTERM: only SIGKILL ends it. */
const STUBBORN = `trap '' TERM; echo started >> /out/log; sleep 3600 & wait`;

function podYaml(name: string, dir: string, script: string, grace: number): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  restartPolicy: Always
  terminationGracePeriodSeconds: ${grace}
  volumes:
    - name: out
      hostPath: { path: ${dir}, type: Directory }
  containers:
    - name: app
      image: busybox
      command: ["sh", "-c", ${JSON.stringify(script)}]
      volumeMounts: [{ name: out, mountPath: /out }]
`;
}

interface Signalled {
  result: RunResult;
  /** ms from the (first) signal to podd's exit. */
  afterSignal: number;
  /** ms from the last signal to podd's exit. */
  afterLastSignal: number;
}

/** Runs the pod, and once the app has written "started" sends podd the signals, `gapMs` apart. */
async function runAndSignal(yaml: string, dir: string, signals: NodeJS.Signals[], gapMs = 0): Promise<Signalled> {
  let poddPid = 0;
  let done = false;
  const run = runPod(yaml, { args: ['--timeout', '60s'], onSpawn: (pid) => (poddPid = pid) });
  const ended = run.then(() => {
    done = true;
    return Date.now();
  });
  let first = 0;
  let last = 0;
  try {
    assert.ok(await waitFor(() => lines(dir, 'log').includes('started'), 20_000), 'the app never started');
    for (const [i, sig] of signals.entries()) {
      if (i > 0) await sleep(gapMs);
      if (done) break;
      last = Date.now();
      if (i === 0) first = last;
      process.kill(poddPid, sig);
    }
  } finally {
    if (first === 0 && poddPid > 0) process.kill(poddPid, 'SIGTERM');
    await run;
  }
  const end = await ended;
  return { result: await run, afterSignal: end - first, afterLastSignal: end - last };
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  test(`${sig} to podd run terminates the pod gracefully: the app gets SIGTERM, exits 0, the pod Succeeded`, async () => {
    const dir = tempDir();
    const name = `sig-${sig.toLowerCase()}`;
    const { result: r } = await runAndSignal(podYaml(name, dir, GRACEFUL, 10), dir, [sig]);
    assert.deepEqual(lines(dir, 'log'), ['started', 'got TERM']);
    assert.ok(r.stderr.includes(`podd: ${sig}: terminating pod ${name} gracefully`), r.stderr);
    assert.ok(statuses(r).includes('Terminating'), `STATUS Terminating expected, got ${statuses(r).join(', ')}`);
    assert.match(r.stderr, /Killing\s+pod\/sig-\S+ spec\.containers\{app\}: Stopping container app/);
    const app = containerStatus(r.pod, 'app');
    assert.equal(app?.state.terminated?.exitCode, 0);
    assert.equal(app?.state.terminated?.reason, 'Completed');
    assert.equal(app?.restartCount, 0, 'a terminating pod restarts nothing');
    // podIsTerminal: the phase comes from the exit codes alone, whatever the restartPolicy.
    assert.equal(r.pod?.status?.phase, 'Succeeded');
    assert.ok(r.pod?.metadata.deletionTimestamp !== undefined, 'deletionTimestamp set');
    assert.equal(r.code, 0);
    assert.deepEqual(leftovers(), []);
  });
}

test('an app that ignores SIGTERM is SIGKILLed after terminationGracePeriodSeconds (2 s): exit 137, the pod Failed', async () => {
  const dir = tempDir();
  const { result: r, afterSignal } = await runAndSignal(podYaml('sig-stubborn', dir, STUBBORN, 2), dir, ['SIGINT']);
  assert.deepEqual(lines(dir, 'log'), ['started']);
  assert.ok(afterSignal >= 1_900, `SIGKILL only after the grace period: podd ended ${afterSignal} ms after SIGINT`);
  assert.ok(afterSignal < 8_000, `podd ended ${afterSignal} ms after SIGINT`);
  const app = containerStatus(r.pod, 'app');
  assert.equal(app?.state.terminated?.exitCode, 137);
  assert.equal(app?.state.terminated?.reason, 'Error');
  assert.equal(r.pod?.status?.phase, 'Failed');
  assert.equal(r.code, 1);
  assert.deepEqual(leftovers(), []);
});

test('--timeout 2s ends a forever pod gracefully, as a signal does', async () => {
  const dir = tempDir();
  const started = Date.now();
  const r = await runPod(podYaml('sig-timeout', dir, GRACEFUL, 10), { args: ['--timeout', '2s'] });
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 2_000, `ended after ${elapsed} ms`);
  assert.ok(elapsed < 10_000, `ended after ${elapsed} ms`);
  assert.deepEqual(lines(dir, 'log'), ['started', 'got TERM']);
  assert.match(r.stderr, /podd: --timeout 2s reached: terminating pod sig-timeout/);
  assert.ok(statuses(r).includes('Terminating'), `STATUS Terminating expected, got ${statuses(r).join(', ')}`);
  const app = containerStatus(r.pod, 'app');
  assert.equal(app?.state.terminated?.exitCode, 0);
  assert.equal(app?.state.terminated?.reason, 'Completed');
  assert.equal(r.pod?.status?.phase, 'Succeeded');
  assert.equal(r.code, 0);
  assert.deepEqual(leftovers(), []);
});

test('a second SIGINT during the grace period terminates at once, without waiting out the grace period', async () => {
  const dir = tempDir();
  // 15 s of grace: the second SIGINT must end the pod long before that (the kubelet's 2 s minimum at most).
  const { result: r, afterSignal, afterLastSignal } = await runAndSignal(podYaml('sig-twice', dir, STUBBORN, 15), dir, ['SIGINT', 'SIGINT'], 500);
  assert.match(r.stderr, /podd: SIGINT: terminating pod sig-twice gracefully/);
  assert.match(r.stderr, /podd: SIGINT: terminating pod sig-twice now/);
  assert.ok(afterLastSignal < 5_000, `podd ended ${afterLastSignal} ms after the second SIGINT (${afterSignal} ms after the first)`);
  const app = containerStatus(r.pod, 'app');
  assert.equal(app?.state.terminated?.exitCode, 137);
  assert.equal(r.pod?.status?.phase, 'Failed');
  assert.equal(r.code, 1);
  assert.deepEqual(leftovers(), []);
});

// A manifest whose hostPath (DirectoryOrCreate) would be made if podd got as far as setting up volumes.
function invalidCase(dir: string, containerExtra: string, specExtra = ''): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: sig-invalid
spec:${specExtra}
  volumes:
    - name: out
      hostPath: { path: ${join(dir, 'made-by-podd')}, type: DirectoryOrCreate }
  containers:
    - name: app
      image: busybox
      command: ["sh", "-c", "echo ran > /out/ran"]
      volumeMounts: [{ name: out, mountPath: /out }]${containerExtra}
`;
}

async function assertNothingCreated(r: RunResult, dir: string): Promise<void> {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '', 'no Pod printed');
  assert.doesNotMatch(r.stderr, /EVENT|STATUS/);
  assert.ok(!existsSync(join(dir, 'made-by-podd')), 'no volume was set up');
  assert.deepEqual(leftovers(), []);
}

test('invalid input: an unknown field exits 2 with the apiserver strict-decoding message and creates nothing', async () => {
  const dir = tempDir();
  const r = await runPod(invalidCase(dir, '\n      imagePullSecret: regcred'));
  assert.equal(r.stderr.trim(), 'error: Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagePullSecret"');
  await assertNothingCreated(r, dir);
});

test('invalid input: an invalid field value exits 2 with the apiserver validation message and creates nothing', async () => {
  const dir = tempDir();
  const r = await runPod(invalidCase(dir, '', '\n  restartPolicy: Sometimes'));
  assert.match(r.stderr, /Pod "sig-invalid" is invalid: spec\.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"/);
  await assertNothingCreated(r, dir);
});

test('invalid input: broken YAML exits 2 with a "yaml: line N" conversion error and creates nothing', async () => {
  const dir = tempDir();
  // Line 11 is indented with a tab.
  const broken = invalidCase(dir, '').replace('      image: busybox', '\timage: busybox');
  assert.equal(broken.split('\n')[10], '\timage: busybox');
  const r = await runPod(broken);
  assert.match(r.stderr, /^error: error converting YAML to JSON: yaml: line 11: /m);
  await assertNothingCreated(r, dir);
});

test('invalid input: a tab in the indentation gives go-yaml\'s exact message', async () => {
  const dir = tempDir();
  const broken = invalidCase(dir, '').replace('      image: busybox', '\timage: busybox');
  const r = await runPod(broken);
  // sigs.k8s.io/yaml (go-yaml's scanner), as `kubectl create` and the apiserver report it.
  assert.equal(r.stderr.trim(), 'error: error converting YAML to JSON: yaml: line 11: found character that cannot start any token');
  await assertNothingCreated(r, dir);
});
