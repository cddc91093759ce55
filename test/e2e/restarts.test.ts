// Restarts, exactly as the kubelet: init containers and app containers per restartPolicy, crash-loop back-off,
// restart counts and last states, and the back-off knobs (annotations and flags). Every fact is read from what the
// containers wrote into a hostPath directory, the final Pod status and podd's stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerStatus, leftovers, lines, runPod, statuses, tempDir } from './harness.js';

function container(name: string, script: string): string {
  return `
    - name: ${name}
      image: busybox
      command: ["sh", "-c", ${JSON.stringify(script)}]
      volumeMounts: [{ name: out, mountPath: /out }]`;
}

interface PodOpts {
  name: string;
  dir: string;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  inits?: [string, string][];
  apps: [string, string][];
  annotations?: Record<string, string>;
}

function podYaml(o: PodOpts): string {
  const ann = o.annotations === undefined ? '' : `\n  annotations:\n${Object.entries(o.annotations).map(([k, v]) => `    ${k}: "${v}"`).join('\n')}`;
  const inits = o.inits === undefined ? '' : `\n  initContainers:${o.inits.map(([n, s]) => container(n, s)).join('')}`;
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${o.name}${ann}
spec:
  restartPolicy: ${o.restartPolicy}
  terminationGracePeriodSeconds: 2
  volumes:
    - name: out
      hostPath: { path: ${o.dir}, type: Directory }${inits}
  containers:${o.apps.map(([n, s]) => container(n, s)).join('')}
`;
}

/**
 * The kubelet writes a status before each sync acts: a crashed init container shows Init:Error first, and only a
 * later sync that finds it in back-off shows Init:CrashLoopBackOff. So every Init:CrashLoopBackOff follows Init:Error.
 */
function assertErrorBeforeEachCrashLoop(seen: string[]): void {
  seen.forEach((s, i) => {
    if (s === 'Init:CrashLoopBackOff') {
      assert.equal(seen[i - 1], 'Init:Error', `STATUS ${i}: Init:CrashLoopBackOff must follow Init:Error, got ${seen.join(', ')}`);
    }
  });
}

const FAST_BACKOFF = { 'podd.dev/backoff-base': '100ms', 'podd.dev/backoff-max': '200ms' };

test('restartPolicy Never: a failed init container fails the pod; later init and app containers never start', async () => {
  const dir = tempDir();
  const r = await runPod(podYaml({
    name: 'rs-init-never', dir, restartPolicy: 'Never',
    inits: [
      ['init-1', 'echo init-1 >> /out/runs; exit 3'],
      ['init-2', 'echo init-2 >> /out/runs'],
    ],
    apps: [['app', 'echo app >> /out/runs']],
  }));
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.pod?.status?.phase, 'Failed');
  assert.deepEqual(lines(dir, 'runs'), ['init-1'], 'only init-1 ran, once');
  const init1 = containerStatus(r.pod, 'init-1');
  assert.equal(init1?.state.terminated?.exitCode, 3);
  assert.equal(init1?.state.terminated?.reason, 'Error');
  assert.equal(init1?.restartCount, 0);
  assert.equal(containerStatus(r.pod, 'init-2')?.state.waiting?.reason, 'PodInitializing');
  assert.equal(containerStatus(r.pod, 'app')?.state.waiting?.reason, 'PodInitializing');
  assert.ok(statuses(r, { dedupe: true }).includes('Init:Error'), `STATUS Init:Error expected, got ${statuses(r, { dedupe: true }).join(', ')}`);
  assert.ok(!statuses(r, { dedupe: true }).some((s) => s.includes('CrashLoopBackOff')), 'a Never pod does not crash-loop');
  assert.doesNotMatch(r.stderr, /Started container (init-2|app)/);
  assert.deepEqual(leftovers(), []);
});

for (const policy of ['OnFailure', 'Always'] as const) {
  test(`restartPolicy ${policy}: a failing init container is restarted with back-off; the pod stays Pending and nothing after it starts`, async () => {
    const dir = tempDir();
    const started = Date.now();
    const r = await runPod(podYaml({
      name: `rs-init-${policy.toLowerCase()}`, dir, restartPolicy: policy,
      annotations: { 'podd.dev/backoff-base': '300ms', 'podd.dev/backoff-max': '600ms' },
      inits: [
        ['init-1', 'echo "init-1 $(cut -d" " -f1 /proc/uptime)" >> /out/runs; exit 1'],
        ['init-2', 'echo init-2 >> /out/runs'],
      ],
      apps: [['app', 'echo app >> /out/runs; sleep 3600']],
    }), { args: ['--timeout', '4s'] });
    const elapsed = Date.now() - started;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /--timeout 4s reached: terminating pod/);
    assert.ok(elapsed < 15_000, `took ${elapsed} ms`);
    // Pending while it crash-loops (the STATUS never leaves Init:*), and once terminated the status manager's
    // TerminatePod marks the Pending pod Failed.
    const beforeEnd = statuses(r, { dedupe: true }).slice(0, statuses(r, { dedupe: true }).indexOf('Terminating'));
    assert.ok(beforeEnd.length > 0 && beforeEnd.every((s) => s.startsWith('Init:')), `STATUS stays Init:*: ${statuses(r, { dedupe: true }).join(', ')}`);
    assert.equal(r.pod?.status?.phase, 'Failed');
    const runs = lines(dir, 'runs');
    assert.ok(runs.every((l) => l.startsWith('init-1 ')), `only init-1 may run: ${runs.join(' | ')}`);
    // With the default 10 s back-off there would be 2 runs in 4 s: 3 or more shows the annotation took effect.
    assert.ok(runs.length >= 3, `init-1 restarted with the short back-off: ${runs.length} runs`);
    const init1 = containerStatus(r.pod, 'init-1');
    // One instance per run (the last one may have been killed by the termination before it wrote its line).
    assert.ok(init1?.restartCount === runs.length - 1 || init1?.restartCount === runs.length, `restartCount ${init1?.restartCount} for ${runs.length} runs`);
    assert.equal(init1?.lastState.terminated?.exitCode, 1);
    assert.equal(init1?.lastState.terminated?.reason, 'Error');
    assert.equal(containerStatus(r.pod, 'init-2')?.state.waiting?.reason, 'PodInitializing');
    assert.equal(containerStatus(r.pod, 'app')?.state.waiting?.reason, 'PodInitializing');
    assert.equal(containerStatus(r.pod, 'app')?.restartCount, 0);
    assert.doesNotMatch(r.stderr, /Started container (init-2|app)/);
    // Init:Error when it exits, then Init:CrashLoopBackOff while the next start waits for its back-off.
    const seen = statuses(r, { dedupe: true });
    assert.ok(seen.includes('Init:CrashLoopBackOff'), `STATUS Init:CrashLoopBackOff expected, got ${seen.join(', ')}`);
    assertErrorBeforeEachCrashLoop(seen);
    assert.match(r.stderr, /BackOff\s+pod\/rs-init-\S+ spec\.initContainers\{init-1\}: Back-off restarting failed container init-1 in pod rs-init-\S+_default\(/);
    // The first restart is immediate (no back-off yet); only later ones wait.
    const events = r.stderr.split('\n').filter((l) => /Started container init-1$|BackOff\s/.test(l));
    assert.match(events[0] ?? '', /Started container init-1$/);
    assert.match(events[1] ?? '', /Started container init-1$/, `second start before any BackOff: ${events.join(' | ')}`);
    assert.ok(events.slice(2).some((l) => /BackOff\s/.test(l)), 'later restarts wait for their back-off');
    // The runs are in order of time.
    const stamps = runs.map((l) => Number(l.split(' ')[1]));
    assert.deepEqual(stamps, [...stamps].sort((a, b) => a - b));
    assert.deepEqual(leftovers(), []);
  });
}

test('an init container that fails twice then succeeds: the pod initializes, the app runs, init restartCount 2 (--backoff-* flags)', async () => {
  const dir = tempDir();
  const counter = 'n=$(cat /out/count 2>/dev/null || echo 0); n=$((n+1)); echo $n > /out/count';
  const r = await runPod(podYaml({
    name: 'rs-init-third-time', dir, restartPolicy: 'OnFailure',
    inits: [
      ['init-1', `${counter}; echo "init-1 run $n" >> /out/runs; [ $n -ge 3 ]`],
      ['init-2', 'echo init-2 >> /out/runs'],
    ],
    apps: [['app', 'echo app >> /out/runs']],
  }), { args: ['--backoff-base', '100ms', '--backoff-max', '200ms', '--timeout', '20s'] });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.pod?.status?.phase, 'Succeeded');
  assert.deepEqual(lines(dir, 'runs'), ['init-1 run 1', 'init-1 run 2', 'init-1 run 3', 'init-2', 'app']);
  const init1 = containerStatus(r.pod, 'init-1');
  assert.equal(init1?.restartCount, 2);
  assert.equal(init1?.state.terminated?.exitCode, 0);
  assert.equal(init1?.state.terminated?.reason, 'Completed');
  assert.equal(init1?.lastState.terminated?.exitCode, 1);
  assert.equal(init1?.lastState.terminated?.reason, 'Error');
  assert.equal(containerStatus(r.pod, 'init-2')?.restartCount, 0);
  assert.equal(containerStatus(r.pod, 'app')?.restartCount, 0);
  assert.equal(containerStatus(r.pod, 'app')?.state.terminated?.reason, 'Completed');
  const seen = statuses(r, { dedupe: true });
  assert.ok(seen.includes('Init:Error'), `STATUS Init:Error expected, got ${seen.join(', ')}`);
  assertErrorBeforeEachCrashLoop(seen);
  assert.equal(seen.at(-1), 'Completed');
  assert.deepEqual(leftovers(), []);
});

test('restartPolicy Always: an app container that exits 0 is restarted', async () => {
  const dir = tempDir();
  const r = await runPod(podYaml({
    name: 'rs-app-always', dir, restartPolicy: 'Always', annotations: FAST_BACKOFF,
    apps: [['app', 'echo app >> /out/runs; exit 0']],
  }), { args: ['--timeout', '3s'] });
  const runs = lines(dir, 'runs');
  assert.ok(runs.length >= 2, `app restarted after exit 0: ${runs.length} runs\n${r.stderr}`);
  const app = containerStatus(r.pod, 'app');
  assert.ok((app?.restartCount ?? 0) >= 1, `restartCount ${app?.restartCount}`);
  assert.ok((app?.restartCount ?? 0) <= runs.length, `restartCount ${app?.restartCount} for ${runs.length} runs`);
  assert.equal(app?.lastState.terminated?.exitCode, 0);
  assert.equal(app?.lastState.terminated?.reason, 'Completed');
  // Ended by --timeout: the phase follows the exit codes, and podd's exit code follows the phase.
  assert.match(r.stderr, /--timeout 3s reached/);
  assert.equal(r.code, r.pod?.status?.phase === 'Succeeded' ? 0 : 1);
  assert.deepEqual(leftovers(), []);
});

test('restartPolicy OnFailure: an app container that exits 0 is not restarted and the pod Succeeds', async () => {
  const dir = tempDir();
  const r = await runPod(podYaml({
    name: 'rs-app-onfailure-ok', dir, restartPolicy: 'OnFailure', annotations: FAST_BACKOFF,
    apps: [['app', 'echo app >> /out/runs; exit 0']],
  }), { args: ['--timeout', '20s'] });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.pod?.status?.phase, 'Succeeded');
  assert.deepEqual(lines(dir, 'runs'), ['app']);
  const app = containerStatus(r.pod, 'app');
  assert.equal(app?.restartCount, 0);
  assert.equal(app?.state.terminated?.exitCode, 0);
  assert.equal(app?.state.terminated?.reason, 'Completed');
  assert.equal(app?.lastState.terminated, undefined);
  assert.equal(statuses(r, { dedupe: true }).at(-1), 'Completed');
  assert.deepEqual(leftovers(), []);
});

test('restartPolicy OnFailure: an app container that exits 1 once is restarted once, then the pod Succeeds', async () => {
  const dir = tempDir();
  const r = await runPod(podYaml({
    name: 'rs-app-onfailure-retry', dir, restartPolicy: 'OnFailure', annotations: FAST_BACKOFF,
    apps: [['app', 'n=$(cat /out/count 2>/dev/null || echo 0); n=$((n+1)); echo $n > /out/count; echo "app run $n" >> /out/runs; [ $n -ge 2 ]']],
  }), { args: ['--timeout', '20s'] });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.pod?.status?.phase, 'Succeeded');
  assert.deepEqual(lines(dir, 'runs'), ['app run 1', 'app run 2']);
  const app = containerStatus(r.pod, 'app');
  assert.equal(app?.restartCount, 1);
  assert.equal(app?.state.terminated?.exitCode, 0);
  assert.equal(app?.state.terminated?.reason, 'Completed');
  assert.equal(app?.lastState.terminated?.exitCode, 1);
  assert.equal(app?.lastState.terminated?.reason, 'Error');
  assert.deepEqual(leftovers(), []);
});

test('restartPolicy Never: an app container that exits 1 is not restarted and the pod Fails', async () => {
  const dir = tempDir();
  const r = await runPod(podYaml({
    name: 'rs-app-never', dir, restartPolicy: 'Never', annotations: FAST_BACKOFF,
    apps: [['app', 'echo app >> /out/runs; exit 1']],
  }), { args: ['--timeout', '20s'] });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.pod?.status?.phase, 'Failed');
  assert.deepEqual(lines(dir, 'runs'), ['app']);
  const app = containerStatus(r.pod, 'app');
  assert.equal(app?.restartCount, 0);
  assert.equal(app?.state.terminated?.exitCode, 1);
  assert.equal(app?.state.terminated?.reason, 'Error');
  assert.equal(app?.lastState.terminated, undefined);
  assert.equal(statuses(r, { dedupe: true }).at(-1), 'Error');
  assert.deepEqual(leftovers(), []);
});

test('completed init containers never run again when an app container restarts', async () => {
  const dir = tempDir();
  const r = await runPod(podYaml({
    name: 'rs-init-once', dir, restartPolicy: 'Always', annotations: FAST_BACKOFF,
    inits: [['init-1', 'echo init-1 >> /out/runs']],
    apps: [['app', 'echo app >> /out/runs; exit 1']],
  }), { args: ['--timeout', '3500ms'] });
  const runs = lines(dir, 'runs');
  assert.equal(runs[0], 'init-1');
  assert.equal(runs.filter((l) => l === 'init-1').length, 1, `init-1 ran once: ${runs.join(' ')}`);
  assert.ok(runs.filter((l) => l === 'app').length >= 3, `app restarted several times: ${runs.join(' ')}`);
  const init1 = containerStatus(r.pod, 'init-1');
  assert.equal(init1?.restartCount, 0);
  assert.equal(init1?.state.terminated?.reason, 'Completed');
  const app = containerStatus(r.pod, 'app');
  assert.ok((app?.restartCount ?? 0) >= 2, `app restartCount ${app?.restartCount}`);
  assert.equal(app?.lastState.terminated?.exitCode, 1);
  assert.equal(app?.lastState.terminated?.reason, 'Error');
  // Terminated while crash-looping: the app's last exit was 1, so the pod ends Failed.
  assert.equal(r.pod?.status?.phase, 'Failed');
  assert.equal(r.code, 1);
  assert.deepEqual(leftovers(), []);
});

for (const [flag, value] of [['--backoff-base', 'nope'], ['--backoff-max', '0s'], ['--backoff-base', '-5s'], ['--timeout', 'soon']] as const) {
  test(`an invalid ${flag} value (${value}) exits 2 before anything runs`, async () => {
    const dir = tempDir();
    const r = await runPod(podYaml({
      name: 'rs-bad-flag', dir, restartPolicy: 'Never',
      apps: [['app', 'echo app >> /out/runs']],
    }), { args: [`${flag}=${value}`] });
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(`invalid ${flag} "${value}"`), r.stderr);
    assert.equal(r.pod, undefined);
    assert.doesNotMatch(r.stderr, /EVENT/);
    assert.deepEqual(lines(dir, 'runs'), []);
    assert.deepEqual(leftovers(), []);
  });
}
