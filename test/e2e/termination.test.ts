// Issue 6: graceful termination with the kubelet's budget, proven the way Kubernetes' node e2e tests do it: every
// container and hook appends "<name> <Starting|Started|PreStop|Exiting> <uptime>" lines to a file on a hostPath
// volume, and the test reads the order (and the gaps) back. /proc/uptime is the host's clock in every container.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseRootfsTar, containerStatus, events, leftovers, lines, poddBin, runPod, statuses, tempDir, type RunResult, at, stamps } from './harness.js';
import { ServeFixture, instancesOf, until } from './serve-harness.js';

type Json = Record<string, unknown>;

const UP = `$(cut -d' ' -f1 /proc/uptime)`;
const note = (name: string, what: string): string => `echo "${name} ${what} ${UP}" >> /out/log`;

/**
 * A container that notes Starting/Started, and on SIGTERM notes Exiting, takes `exitAfter` seconds, and exits with
 * `code`. `onTerm: 'ignore'` notes the TERM and keeps running (only SIGKILL ends it). `run`: a command instead of
 * waiting forever (the container then notes Exiting and exits with `code` by itself).
 */
function box(name: string, o: { code?: number; exitAfter?: number; onTerm?: 'exit' | 'ignore'; run?: string; preStop?: string; sidecar?: boolean } = {}): Json {
  const code = o.code ?? 0;
  const trap = o.onTerm === 'ignore'
    ? `trap '${note(name, 'Term').replace(/'/g, `'"'"'`)}' TERM`
    : `trap '${note(name, 'Exiting').replace(/'/g, `'"'"'`)}; sleep ${o.exitAfter ?? 0}; exit ${code}' TERM`;
  const body = o.run !== undefined
    ? `${o.run}; ${note(name, 'Exiting')}; exit ${code}`
    : 'while :; do sleep 1 & wait; done';
  const c: Json = {
    name, image: 'busybox',
    command: ['sh', '-c', `${note(name, 'Starting')}; ${trap}; ${note(name, 'Started')}; ${body}`],
    volumeMounts: [{ name: 'out', mountPath: '/out' }],
  };
  if (o.sidecar === true) c['restartPolicy'] = 'Always';
  if (o.preStop !== undefined) c['lifecycle'] = { preStop: { exec: { command: ['sh', '-c', o.preStop] } } };
  return c;
}

function pod(name: string, dir: string, spec: { inits?: Json[]; apps: Json[]; restartPolicy?: string; grace?: number; extra?: Json }): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: {
      restartPolicy: spec.restartPolicy ?? 'Always',
      terminationGracePeriodSeconds: spec.grace ?? 30,
      volumes: [{ name: 'out', hostPath: { path: dir, type: 'Directory' } }],
      ...(spec.inits === undefined ? {} : { initContainers: spec.inits }),
      containers: spec.apps,
      ...spec.extra,
    },
  });
}

function hostUptime(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs the pod; once `line` shows in the log, sends podd SIGTERM (the user's Ctrl-C); `then` more signals. */
async function runUntil(yaml: string, dir: string, line: string, more: { afterMs: number; signal: NodeJS.Signals }[] = []): Promise<{ r: RunResult; signalledAt: number }> {
  let pid = 0;
  let finished = false;
  const run = runPod(yaml, { args: ['--timeout', '60s'], onSpawn: (p) => (pid = p) });
  void run.then(() => (finished = true));
  let signalledAt = 0;
  const end = Date.now() + 30_000;
  while (!lines(dir, 'log').some((l) => l.startsWith(line)) && !finished && Date.now() < end) await sleep(50);
  if (!finished) {
    signalledAt = hostUptime();
    process.kill(pid, 'SIGTERM');
    for (const m of more) {
      await sleep(m.afterMs);
      if (!finished) process.kill(pid, m.signal);
    }
  }
  return { r: await run, signalledAt };
}

test('termination order with three sidecars: every preStop at once, apps first, then the sidecars in reverse order', async () => {
  const dir = tempDir();
  const preStop = (n: string): string => note(n, 'PreStop');
  const yaml = pod('term-three', dir, {
    inits: ['s1', 's2', 's3'].map((n) => box(n, { sidecar: true, exitAfter: 1, preStop: preStop(n) })),
    apps: ['a', 'b'].map((n) => box(n, { exitAfter: 1, preStop: preStop(n) })),
  });
  const { r } = await runUntil(yaml, dir, 'b Started');
  const s = stamps(dir);

  // Start: each sidecar only once the one before it has started; the apps after the last one.
  assert.ok(at(s, 's1 Started') <= at(s, 's2 Starting'), 's2 starts after s1 started');
  assert.ok(at(s, 's2 Started') <= at(s, 's3 Starting'), 's3 starts after s2 started');
  assert.ok(at(s, 's3 Started') <= at(s, 'a Starting') && at(s, 's3 Started') <= at(s, 'b Starting'), 'apps start after the sidecars');

  // Every preStop starts at once, sidecars' included.
  const pre = ['s1', 's2', 's3', 'a', 'b'].map((n) => at(s, `${n} PreStop`));
  assert.ok(Math.max(...pre) - Math.min(...pre) < 0.5, `preStops started together: ${pre.join(' ')}`);
  // Each takes 1 s to exit: the apps together, then s3, s2, s1, one after the other.
  const [a, b, s3, s2, s1] = ['a', 'b', 's3', 's2', 's1'].map((n) => at(s, `${n} Exiting`)) as [number, number, number, number, number];
  assert.ok(Math.abs(a - b) < 0.5, `apps got SIGTERM together: ${a} ${b}`);
  assert.ok(s3 - Math.max(a, b) >= 0.9, `s3 after the apps exited: apps ${a} ${b}, s3 ${s3}`);
  assert.ok(s2 - s3 >= 0.9, `s2 after s3 exited: ${s3} → ${s2}`);
  assert.ok(s1 - s2 >= 0.9, `s1 after s2 exited: ${s2} → ${s1}`);
  assert.ok(Math.min(...pre) <= a, 'the apps\' SIGTERM follows their preStop');

  for (const n of ['s1', 's2', 's3', 'a', 'b']) {
    const st = containerStatus(r.pod, n);
    assert.equal(st?.state.terminated?.exitCode, 0, `${n} exited 0 on SIGTERM`);
    assert.equal(st?.restartCount, 0, `${n} not restarted while terminating`);
  }
  assert.equal(r.pod?.status?.phase, 'Succeeded');
  assert.equal(events(r).filter((e) => e.reason === 'Killing').length, 5);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(leftovers(), []);
});

test('a preStop that never ends: abandoned at the grace period, then SIGTERM, and SIGKILL 2 s later (grace + 2 s)', async () => {
  const dir = tempDir();
  const yaml = pod('term-prestop-forever', dir, {
    grace: 3,
    apps: [box('app', { onTerm: 'ignore', preStop: `${note('app', 'PreStop')}; sleep 3600` })],
  });
  const { r } = await runUntil(yaml, dir, 'app Started');
  const ended = hostUptime();
  const s = stamps(dir);
  const preStop = at(s, 'app PreStop');
  const term = at(s, 'app Term');
  assert.ok(term - preStop >= 2.8 && term - preStop < 4, `SIGTERM when the 3 s budget ran out: ${(term - preStop).toFixed(2)} s after the preStop began`);
  assert.ok(ended - preStop >= 4.9 && ended - preStop < 9, `SIGKILL 2 s after SIGTERM: podd ended ${(ended - preStop).toFixed(2)} s after the preStop began`);
  const app = containerStatus(r.pod, 'app');
  assert.equal(app?.state.terminated?.exitCode, 137);
  assert.equal(app?.state.terminated?.reason, 'Error');
  assert.equal(r.pod?.status?.phase, 'Failed');
  // The abandoned hook ends with its container; the kubelet reports that as a failed preStop.
  assert.match(r.stderr, /Warning FailedPreStopHook pod\/term-prestop-forever spec\.containers\{app\}: PreStopHook failed/);
  assert.equal(r.code, 1);
  assert.deepEqual(leftovers(), [], 'the hook\'s process is gone with its container');
});

test('a second, shorter termination request cuts a preStop in progress short (the later grace applies to the stop under way)', async () => {
  const dir = tempDir();
  const yaml = pod('term-shorter', dir, {
    grace: 30,
    apps: [box('app', { preStop: `${note('app', 'PreStop')}; sleep 25` })],
  });
  const { r, signalledAt } = await runUntil(yaml, dir, 'app Started', [{ afterMs: 1000, signal: 'SIGINT' }]);
  const ended = hostUptime();
  const s = stamps(dir);
  assert.ok(at(s, 'app Exiting') - signalledAt < 4, `SIGTERM soon after the second request, not after the 25 s preStop: ${(at(s, 'app Exiting') - signalledAt).toFixed(2)} s`);
  assert.ok(ended - signalledAt < 6, `podd ended ${(ended - signalledAt).toFixed(2)} s after the first signal`);
  assert.match(r.stderr, /terminating pod term-shorter now/);
  assert.equal(containerStatus(r.pod, 'app')?.state.terminated?.exitCode, 0);
  assert.deepEqual(leftovers(), []);
});

test('a Job-like pod with sidecars succeeds: the app completes, the sidecars are stopped in reverse order, their exit codes do not count', async () => {
  const dir = tempDir();
  const yaml = pod('term-job', dir, {
    restartPolicy: 'Never',
    inits: [box('s1', { sidecar: true, code: 1 }), box('s2', { sidecar: true, exitAfter: 1 })],
    apps: [box('job', { run: 'sleep 1' })],
  });
  const r = await runPod(yaml, { args: ['--timeout', '40s'] });
  const s = stamps(dir);
  assert.ok(at(s, 'job Exiting') <= at(s, 's2 Exiting'), 'the sidecars are stopped after the app completed');
  assert.ok(at(s, 's1 Exiting') - at(s, 's2 Exiting') >= 0.9, 's1 only once s2 (1 s to exit) has exited');
  assert.equal(containerStatus(r.pod, 'job')?.state.terminated?.exitCode, 0);
  assert.equal(containerStatus(r.pod, 's1')?.state.terminated?.exitCode, 1);
  assert.equal(containerStatus(r.pod, 's2')?.state.terminated?.exitCode, 0);
  for (const n of ['s1', 's2', 'job']) assert.equal(containerStatus(r.pod, n)?.restartCount, 0, `${n} not restarted`);
  assert.equal(r.pod?.status?.phase, 'Succeeded');
  assert.equal(statuses(r).at(-1), 'Completed');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(leftovers(), []);
});

// Init failure before and after a sidecar, under each restartPolicy (sidecar-containers.md; the node e2e cases
// "an Init container before/after restartable init container fails").
for (const policy of ['Never', 'OnFailure', 'Always'] as const) {
  test(`restartPolicy ${policy}: a regular init container failing BEFORE a sidecar: the sidecar and the app never start`, async () => {
    const dir = tempDir();
    const yaml = pod(`term-init-before-${policy.toLowerCase()}`, dir, {
      restartPolicy: policy, grace: 2,
      inits: [box('init', { run: 'true', code: 1 }), box('side', { sidecar: true })],
      apps: [box('app')],
    });
    const r = await runPod(yaml, { args: ['--timeout', '4s', '--backoff-base', '300ms', '--backoff-max', '600ms'] });
    const s = stamps(dir);
    assert.ok(s.has('init Exiting'));
    assert.ok(!s.has('side Starting') && !s.has('app Starting'), `nothing after the failed init container ran: ${lines(dir, 'log').join(' | ')}`);
    assert.equal(r.pod?.status?.phase, 'Failed');
    const seen = statuses(r, { dedupe: true });
    assert.ok(!seen.includes('Running'), `never Running: ${seen.join(', ')}`);
    const runs = lines(dir, 'log').filter((l) => l.startsWith('init Starting')).length;
    if (policy === 'Never') {
      assert.equal(runs, 1, 'Never: the init container ran once');
      assert.ok(seen.includes('Init:Error'), seen.join(', '));
      assert.doesNotMatch(r.stderr, /--timeout 4s reached/, 'the pod ended by itself');
    } else {
      assert.ok(runs >= 2, `${policy}: the init container is retried (${runs} runs)`);
      assert.ok(seen.includes('Init:CrashLoopBackOff'), seen.join(', '));
      assert.match(r.stderr, /--timeout 4s reached/, 'the pod stayed Pending until podd run gave up');
    }
    assert.deepEqual(leftovers(), []);
  });

  test(`restartPolicy ${policy}: a regular init container failing AFTER a sidecar: the sidecar ${policy === 'Never' ? 'is stopped after it' : 'keeps running'}, the app never starts`, async () => {
    const dir = tempDir();
    const yaml = pod(`term-init-after-${policy.toLowerCase()}`, dir, {
      restartPolicy: policy, grace: 2,
      inits: [box('side', { sidecar: true }), box('init', { run: 'sleep 0.5', code: 1 })],
      apps: [box('app')],
    });
    const r = await runPod(yaml, { args: ['--timeout', '5s', '--backoff-base', '300ms', '--backoff-max', '600ms'] });
    const s = stamps(dir);
    assert.ok(at(s, 'side Started') <= at(s, 'init Starting'), 'the init container starts after the sidecar started');
    assert.ok(!s.has('app Starting'), 'the app never starts');
    const side = containerStatus(r.pod, 'side');
    assert.equal(side?.restartCount, 0, 'the sidecar is not restarted');
    assert.equal(r.pod?.status?.phase, 'Failed');
    const runs = lines(dir, 'log').filter((l) => l.startsWith('init Starting')).length;
    if (policy === 'Never') {
      // The failed init container exits first; the sidecar is killed after it (ExitsBefore(init, side)).
      assert.ok(at(s, 'init Exiting') < at(s, 'side Exiting'), 'the sidecar is stopped after the init container failed');
      assert.equal(runs, 1);
      assert.doesNotMatch(r.stderr, /--timeout 5s reached/, 'the pod ended by itself');
      assert.equal(side?.state.terminated?.exitCode, 0);
    } else {
      assert.ok(runs >= 2, `${policy}: the init container is retried (${runs} runs)`);
      const beforeEnd = lines(dir, 'log').filter((l) => l.startsWith('side Exiting'));
      assert.equal(beforeEnd.length, 1, 'the sidecar ran until the pod was terminated, once');
      assert.ok(at(s, 'side Exiting') > at(s, 'init Starting'), 'the sidecar kept running while the init container crash-looped');
      assert.match(r.stderr, /--timeout 5s reached/);
    }
    assert.deepEqual(leftovers(), []);
  });
}

test('activeDeadlineSeconds ends the pod: Failed, DeadlineExceeded, the kubelet\'s message and event, containers stopped gracefully', async () => {
  const dir = tempDir();
  const yaml = pod('term-deadline', dir, { grace: 5, apps: [box('app')], extra: { activeDeadlineSeconds: 3 } });
  const started = Date.now();
  const r = await runPod(yaml, { args: ['--timeout', '30s'] });
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 1_900 && elapsed < 10_000, `ended ${elapsed} ms after it began`);
  assert.equal(r.pod?.status?.phase, 'Failed');
  assert.equal(r.pod?.status?.reason, 'DeadlineExceeded');
  assert.equal(r.pod?.status?.message, 'Pod was active on the node longer than the specified deadline');
  assert.match(r.stderr, /EVENT\s+Normal\s+DeadlineExceeded\s+pod\/term-deadline: Pod was active on the node longer than the specified deadline/);
  assert.equal(events(r).filter((e) => e.reason === 'DeadlineExceeded').length, 1, 'one event');
  assert.ok(lines(dir, 'log').some((l) => l.startsWith('app Exiting')), 'the app got its SIGTERM');
  assert.equal(containerStatus(r.pod, 'app')?.state.terminated?.exitCode, 0);
  assert.equal(containerStatus(r.pod, 'app')?.restartCount, 0);
  // kubectl's STATUS shows the reason while the containers are stopped, then (as kubectl prints it) the container's.
  assert.ok(statuses(r, { dedupe: true }).includes('DeadlineExceeded'), statuses(r, { dedupe: true }).join(', '));
  assert.equal(statuses(r).at(-1), 'Completed');
  assert.doesNotMatch(r.stderr, /--timeout 30s reached/);
  assert.equal(r.code, 1);
  assert.deepEqual(leftovers(), []);
});

test('the image\'s STOPSIGNAL is the stop signal (a docker-save image with StopSignal SIGUSR1)', async () => {
  const IMAGE = 'busybox:stopsignal';
  const layer = baseRootfsTar();
  const archive = tempDir('podd-stopsignal-');
  copyFileSync(layer, join(archive, 'layer.tar'));
  writeFileSync(join(archive, 'config.json'), JSON.stringify({
    architecture: process.arch === 'arm64' ? 'arm64' : 'amd64', os: 'linux',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'], StopSignal: 'SIGUSR1' },
    rootfs: { type: 'layers', diff_ids: [`sha256:${createHash('sha256').update(readFileSync(layer)).digest('hex')}`] },
  }));
  writeFileSync(join(archive, 'manifest.json'), JSON.stringify([{ Config: 'config.json', RepoTags: [IMAGE], Layers: ['layer.tar'] }]));
  execFileSync(process.execPath, [poddBin, 'image', 'import', archive, IMAGE], { stdio: 'ignore' });
  try {
    const dir = tempDir();
    const app = {
      ...box('app', { code: 9 }), image: IMAGE, imagePullPolicy: 'Never',
      command: ['sh', '-c', `trap '${note('app', 'Usr1').replace(/'/g, `'"'"'`)}; exit 0' USR1; trap 'exit 9' TERM; ${note('app', 'Started')}; while :; do sleep 1 & wait; done`],
    };
    const { r } = await runUntil(pod('term-stopsignal', dir, { grace: 5, apps: [app] }), dir, 'app Started');
    assert.ok(lines(dir, 'log').some((l) => l.startsWith('app Usr1')), `SIGUSR1 was sent: ${lines(dir, 'log').join(' | ')}`);
    assert.equal(containerStatus(r.pod, 'app')?.state.terminated?.exitCode, 0);
    assert.equal(r.pod?.status?.phase, 'Succeeded');
  } finally {
    execFileSync(process.execPath, [poddBin, 'rmi', IMAGE], { stdio: 'ignore' });
  }
  assert.deepEqual(leftovers(), []);
});

test('podd serve: kubectl set image on a sidecar restarts only it (its preStop runs); kubectl delete stops apps first, then the sidecar', async () => {
  const NEW_IMAGE = 'busybox:sidecar-update';
  execFileSync(process.execPath, [poddBin, 'image', 'import', baseRootfsTar(), NEW_IMAGE], { stdio: 'ignore' });
  const serve = new ServeFixture();
  const dir = tempDir();
  try {
    await serve.start();
    const file = join(dir, 'pod.json');
    writeFileSync(file, pod('sc-upd', dir, {
      grace: 10,
      inits: [box('proxy', { sidecar: true, exitAfter: 1, preStop: note('proxy', 'PreStop') }), box('init', { run: 'true' })],
      apps: [box('app', { preStop: note('app', 'PreStop') })],
    }));
    serve.kubectl('apply', '-f', file);
    serve.kubectl('wait', '--for=condition=Ready', 'pod/sc-upd', '--timeout=30s');
    const uid = serve.kubectl('get', 'pod', 'sc-upd', '-o', 'jsonpath={.metadata.uid}');
    const sandboxes = (): string[] => instancesOf(uid).filter((m) => m.role === 'sandbox').map((m) => m.id);
    const sandboxBefore = sandboxes();
    const statusOf = (name: string): { restartCount: number; ready: boolean; containerID?: string; image?: string } | undefined => {
      const st = serve.pod('sc-upd').status;
      return [...(st?.initContainerStatuses ?? []), ...(st?.containerStatuses ?? [])].find((c) => c.name === name) as ReturnType<typeof statusOf>;
    };
    const appBefore = statusOf('app')?.containerID;

    assert.match(serve.kubectl('set', 'image', 'pod/sc-upd', `proxy=${NEW_IMAGE}`), /pod\/sc-upd image updated/);
    await until('the sidecar to run the new image', () => statusOf('proxy')?.restartCount === 1 && statusOf('proxy')?.ready === true);
    assert.match(statusOf('proxy')?.image ?? '', /busybox:sidecar-update/);
    assert.equal(statusOf('app')?.containerID, appBefore, 'the app was not touched');
    assert.equal(statusOf('app')?.restartCount, 0);
    assert.equal(statusOf('init')?.restartCount, 0);
    assert.deepEqual(sandboxes(), sandboxBefore, 'same sandbox');
    const runs = lines(dir, 'log').map((l) => l.split(' ').slice(0, 2).join(' '));
    assert.equal(runs.filter((l) => l === 'init Starting').length, 1, 'the regular init container did not run again');
    assert.equal(runs.filter((l) => l === 'app Starting').length, 1);
    assert.deepEqual(runs.filter((l) => l.startsWith('proxy ')).slice(0, 6),
      ['proxy Starting', 'proxy Started', 'proxy PreStop', 'proxy Exiting', 'proxy Starting', 'proxy Started'], 'killed through its preStop, then started again');
    assert.match(serve.kubectl('get', 'events', '--field-selector', 'involvedObject.name=sc-upd'), /Killing\s+pod\/sc-upd\s+Init container proxy definition changed/);

    // A graceful API deletion: both preStops at once, the app's SIGTERM first, the sidecar's once the app is gone.
    const before = lines(dir, 'log').length;
    serve.kubectl('delete', 'pod', 'sc-upd', '--grace-period=5', '--wait=true', '--timeout=30s');
    const after = new Map<string, number>();
    for (const l of lines(dir, 'log').slice(before)) {
      const [name, what, t] = l.split(' ');
      after.set(`${name ?? ''} ${what ?? ''}`, Number(t));
    }
    assert.ok(Math.abs(at(after, 'proxy PreStop') - at(after, 'app PreStop')) < 0.5, 'the preStops ran together');
    assert.ok(at(after, 'proxy Exiting') >= at(after, 'app Exiting'), 'the sidecar got SIGTERM after the app exited');
  } finally {
    await serve.dispose();
    execFileSync(process.execPath, [poddBin, 'rmi', NEW_IMAGE], { stdio: 'ignore' });
  }
  assert.deepEqual(leftovers(), []);
});

test('podd serve: activeDeadlineSeconds shortened by a pod update ends the pod at once (DeadlineExceeded)', async () => {
  const serve = new ServeFixture();
  const dir = tempDir();
  try {
    await serve.start();
    const file = join(dir, 'pod.json');
    writeFileSync(file, pod('dl', dir, { grace: 5, apps: [box('app')], extra: { activeDeadlineSeconds: 3600 } }));
    serve.kubectl('apply', '-f', file);
    serve.kubectl('wait', '--for=condition=Ready', 'pod/dl', '--timeout=30s');
    serve.kubectl('patch', 'pod', 'dl', '-p', '{"spec":{"activeDeadlineSeconds":1}}');
    await until('the pod to fail', () => serve.pod('dl').status?.phase === 'Failed');
    const st = JSON.parse(serve.kubectl('get', 'pod', 'dl', '-o', 'json')) as { status: { reason?: string; message?: string; containerStatuses?: { state: { terminated?: { exitCode: number } } }[] } };
    assert.equal(st.status.reason, 'DeadlineExceeded');
    assert.equal(st.status.message, 'Pod was active on the node longer than the specified deadline');
    await until('the app to be stopped', () => lines(dir, 'log').some((l) => l.startsWith('app Exiting')));
    await until('the app status to show it', () => serve.pod('dl').status?.containerStatuses?.[0]?.state?.terminated !== undefined);
    assert.match(serve.kubectl('get', 'events', '--field-selector', 'involvedObject.name=dl'), /DeadlineExceeded\s+pod\/dl\s+Pod was active on the node longer than the specified deadline/);
  } finally {
    await serve.dispose();
  }
  assert.deepEqual(leftovers(), []);
});
