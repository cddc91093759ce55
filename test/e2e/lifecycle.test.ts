// Issue 6: lifecycle hooks. postStart runs right after its container starts and holds back the next container of
// the pod (sidecars included) until it returns; a failing postStart kills its container; preStop runs before the stop
// signal. exec runs in the container (runc exec, the container's env), httpGet goes from the agent to the pod's IP,
// sleep waits in the agent. Order is proven from "<name> <what> <uptime>" lines the containers and hooks append to
// a file on a hostPath volume (/proc/uptime is the host's clock in every container).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerStatus, events, leftovers, lines, runPod, statuses, tempDir, type RunResult, at, stamps } from './harness.js';

type Json = Record<string, unknown>;

const UP = `$(cut -d' ' -f1 /proc/uptime)`;
const note = (name: string, what: string): string => `echo "${name} ${what} ${UP}" >> /out/log`;
const quoted = (s: string): string => s.replace(/'/g, `'"'"'`);

/** Notes Starting/Started, then waits; on SIGTERM notes Exiting and exits `code`. `before`: shell run first. */
function box(name: string, o: { code?: number; before?: string; lifecycle?: Json; sidecar?: boolean; extra?: Json } = {}): Json {
  const trap = `trap '${quoted(note(name, 'Exiting'))}; exit ${o.code ?? 0}' TERM`;
  return {
    name, image: 'busybox',
    command: ['sh', '-c', `${note(name, 'Starting')}; ${trap}; ${o.before ?? 'true'}; ${note(name, 'Started')}; while :; do sleep 1 & wait; done`],
    volumeMounts: [{ name: 'out', mountPath: '/out' }],
    ...(o.sidecar === true ? { restartPolicy: 'Always' } : {}),
    ...(o.lifecycle === undefined ? {} : { lifecycle: o.lifecycle }),
    ...o.extra,
  };
}

const exec = (script: string): Json => ({ exec: { command: ['sh', '-c', script] } });

function pod(name: string, dir: string, spec: { inits?: Json[]; apps: Json[]; restartPolicy?: string; grace?: number }): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: {
      restartPolicy: spec.restartPolicy ?? 'Always',
      terminationGracePeriodSeconds: spec.grace ?? 10,
      volumes: [{ name: 'out', hostPath: { path: dir, type: 'Directory' } }],
      ...(spec.inits === undefined ? {} : { initContainers: spec.inits }),
      containers: spec.apps,
    },
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const hostUptime = (): number => Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);

/** Runs the pod and, once `line` shows in the log, sends podd SIGTERM; `signalledAt` is the host's uptime then. */
async function runUntil(yaml: string, dir: string, line: string, args: string[] = []): Promise<{ r: RunResult; signalledAt: number }> {
  let pid = 0;
  let finished = false;
  const run = runPod(yaml, { args: ['--timeout', '60s', ...args], onSpawn: (p) => (pid = p) });
  void run.then(() => (finished = true));
  const end = Date.now() + 40_000;
  while (!lines(dir, 'log').some((l) => l.startsWith(line)) && !finished && Date.now() < end) await sleep(50);
  let signalledAt = 0;
  if (!finished) {
    signalledAt = hostUptime();
    process.kill(pid, 'SIGTERM');
  }
  return { r: await run, signalledAt };
}

test('postStart holds back the next container until it returns: exec hooks (with the container\'s env) and a sleep hook, sidecars included', async () => {
  const dir = tempDir();
  const yaml = pod('lc-poststart-order', dir, {
    inits: [
      box('s1', { sidecar: true, lifecycle: { postStart: { sleep: { seconds: 2 } } } }),
      box('s2', { sidecar: true, lifecycle: { postStart: exec(`sleep 1; ${note('s2', 'PostStart')}`) } }),
    ],
    apps: [
      box('a', { extra: { env: [{ name: 'GREETING', value: 'hello-from-a' }] }, lifecycle: { postStart: exec(`sleep 1; echo "$GREETING" > /out/env; ${note('a', 'PostStart')}`) } }),
      box('b'),
    ],
  });
  const { r } = await runUntil(yaml, dir, 'b Started');
  const s = stamps(dir);
  // The sleep hook runs in the agent: s2 starts no sooner than 2 s after s1 did.
  assert.ok(at(s, 's2 Starting') - at(s, 's1 Started') >= 1.9, `s2 waited for s1's 2 s postStart: ${(at(s, 's2 Starting') - at(s, 's1 Started')).toFixed(2)} s`);
  assert.ok(at(s, 's2 PostStart') <= at(s, 'a Starting'), 'the apps start only after s2\'s postStart returned');
  assert.ok(at(s, 'a PostStart') <= at(s, 'b Starting'), 'b starts only after a\'s postStart returned');
  assert.ok(at(s, 'a PostStart') - at(s, 'a Started') >= 0.9, 'a\'s hook ran after it started');
  assert.equal(readFileSync(join(dir, 'env'), 'utf8').trim(), 'hello-from-a', 'exec hooks see the container\'s env');
  assert.doesNotMatch(r.stderr, /FailedPostStartHook/);
  for (const n of ['s1', 's2', 'a', 'b']) assert.equal(containerStatus(r.pod, n)?.restartCount, 0, n);
  assert.equal(r.pod?.status?.phase, 'Succeeded');
  assert.deepEqual(leftovers(), []);
});

test('a failing postStart kills its container (its preStop runs), FailedPostStartHook, PostStartHookError; the restart runs the hook again', async () => {
  const dir = tempDir();
  // Fails the first time (stderr "boom", exit 7), succeeds the second.
  const hook = `if [ -e /out/ok ]; then ${note('app', 'PostStartOK')}; exit 0; fi; touch /out/ok; echo boom >&2; exit 7`;
  const yaml = pod('lc-poststart-fails', dir, {
    apps: [box('app', { code: 3, lifecycle: { postStart: exec(hook), preStop: exec(note('app', 'PreStop')) } })],
  });
  const { r } = await runUntil(yaml, dir, 'app PostStartOK', ['--backoff-base', '200ms']);
  const log = lines(dir, 'log').map((l) => l.split(' ').slice(0, 2).join(' '));
  assert.deepEqual(log.slice(0, 7), ['app Starting', 'app Started', 'app PreStop', 'app Exiting', 'app Starting', 'app Started', 'app PostStartOK'],
    'killed after the failed hook (preStop first), started again, the hook passed');
  assert.match(r.stderr, /EVENT\s+Warning FailedPostStartHook pod\/lc-poststart-fails spec\.containers\{app\}: PostStartHook failed\n/);
  assert.match(r.stderr, /EVENT\s+Normal\s+Killing\s+pod\/lc-poststart-fails spec\.containers\{app\}: FailedPostStartHook\n/);
  assert.equal(events(r).filter((e) => e.reason === 'FailedPostStartHook').length, 1);
  assert.ok(statuses(r, { dedupe: true }).includes('PostStartHookError'), `STATUS PostStartHookError: ${statuses(r, { dedupe: true }).join(', ')}`);
  const app = containerStatus(r.pod, 'app');
  assert.equal(app?.restartCount, 1);
  assert.equal(app?.lastState.terminated?.exitCode, 3, 'the first instance got SIGTERM');
  assert.deepEqual(leftovers(), []);
});

test('postStart httpGet to a closed port and a tcpSocket postStart both fail the container; restartPolicy Never ends the pod Failed', async () => {
  const dir = tempDir();
  const yaml = pod('lc-poststart-http', dir, {
    restartPolicy: 'Never', grace: 2,
    apps: [
      box('web', { code: 2, lifecycle: { postStart: { httpGet: { path: '/ready', port: 9 } } } }),
      box('tcp', { code: 2, lifecycle: { postStart: { tcpSocket: { port: 80 } } } }),
    ],
  });
  const r = await runPod(yaml, { args: ['--timeout', '30s'] });
  assert.equal(events(r).filter((e) => e.reason === 'FailedPostStartHook').length, 2, r.stderr);
  for (const n of ['web', 'tcp']) {
    const st = containerStatus(r.pod, n);
    assert.equal(st?.state.terminated?.exitCode, 2, `${n} was stopped with SIGTERM`);
    assert.equal(st?.restartCount, 0);
  }
  assert.equal(r.pod?.status?.phase, 'Failed');
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.stderr, /--timeout 30s reached/, 'the pod ended by itself');
  assert.deepEqual(leftovers(), []);
});

test('preStop httpGet goes from the agent to the pod IP: named port, path and query, custom header, kube-lifecycle agent', async () => {
  const dir = tempDir();
  // The container answers one request on 8080 and keeps what it received.
  const serveOnce = `(printf 'HTTP/1.0 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok' | nc -l -p 8080 > /out/request) & sleep 0.2`;
  const yaml = pod('lc-prestop-http', dir, {
    apps: [box('app', {
      before: serveOnce,
      extra: { ports: [{ name: 'hook', containerPort: 8080 }] },
      lifecycle: { preStop: { httpGet: { path: '/quit?now=1', port: 'hook', httpHeaders: [{ name: 'x-custom', value: 'yes' }] } } },
    })],
  });
  const { r } = await runUntil(yaml, dir, 'app Started');
  const ip = r.pod?.status?.podIP ?? '';
  assert.match(ip, /^10\.86\.0\.\d+$/);
  const request = readFileSync(join(dir, 'request'), 'utf8').split('\r\n');
  assert.equal(request[0], 'GET /quit?now=1 HTTP/1.1');
  for (const h of [`Host: ${ip}:8080`, 'User-Agent: kube-lifecycle/1.32', 'Accept: */*', 'X-Custom: yes']) assert.ok(request.includes(h), `${h} in ${JSON.stringify(request)}`);
  assert.doesNotMatch(r.stderr, /FailedPreStopHook/);
  assert.equal(containerStatus(r.pod, 'app')?.state.terminated?.exitCode, 0);
  assert.deepEqual(leftovers(), []);
});

test('preStop sleep waits in the agent before the stop signal', async () => {
  const dir = tempDir();
  const yaml = pod('lc-prestop-sleep', dir, { grace: 10, apps: [box('app', { lifecycle: { preStop: { sleep: { seconds: 2 } } } })] });
  const { r, signalledAt } = await runUntil(yaml, dir, 'app Started');
  const s = stamps(dir);
  const gap = at(s, 'app Exiting') - signalledAt;
  assert.ok(gap >= 1.9 && gap < 5, `SIGTERM after the 2 s sleep: ${gap.toFixed(2)} s after podd was signalled`);
  assert.equal(containerStatus(r.pod, 'app')?.state.terminated?.exitCode, 0);
  assert.equal(r.pod?.status?.phase, 'Succeeded');
  assert.deepEqual(leftovers(), []);
});

test('a termination request during a postStart ends the hook and stops the pod without starting the next container', async () => {
  const dir = tempDir();
  const yaml = pod('lc-poststart-interrupted', dir, {
    apps: [box('a', { lifecycle: { postStart: exec(`${note('a', 'PostStart')}; sleep 30`) } }), box('b')],
  });
  const started = Date.now();
  const { r } = await runUntil(yaml, dir, 'a PostStart');
  assert.ok(Date.now() - started < 20_000, 'the 30 s hook was not waited out');
  assert.ok(!lines(dir, 'log').some((l) => l.startsWith('b Starting')), 'b never started');
  assert.doesNotMatch(r.stderr, /FailedPostStartHook/, 'an ended hook is not a failed one');
  assert.ok(lines(dir, 'log').some((l) => l.startsWith('a Exiting')), 'a was stopped with SIGTERM');
  assert.deepEqual(leftovers(), []);
});
