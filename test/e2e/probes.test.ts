// Issue 6 item 1: startup, liveness and readiness probes on real containers (busybox), with exec, httpGet (http,
// https, headers, named ports), tcpSocket and grpc handlers. Network probes come from podd itself: gRPC and HTTPS
// servers the image does not have run on the host inside the pod's network namespace (probe-servers.ts).
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from '../../src/api/types.js';
import { containerStatus, events, repoRoot, runPod, statuses, tempDir, type RunResult } from './harness.js';
import { ServeFixture, until } from './serve-harness.js';

type Status = NonNullable<ReturnType<typeof containerStatus>>;

function must<T>(v: T | undefined, what: string): T {
  assert.ok(v !== undefined, `missing ${what}`);
  return v;
}

function status(r: RunResult, name: string): Status {
  return must(containerStatus(r.pod, name), `status of ${name} in:\n${r.stderr}`);
}

function eventTexts(r: RunResult, reason: string): string[] {
  // podd run prints a message's newlines as \\n (exec output ends in one): compare the text without it
  return events(r).filter((e) => e.reason === reason).map((e) => e.text.replace(/\\n$/, ''));
}

/** Seconds between two RFC 3339 times. */
function secondsBetween(a: string | undefined, b: string | undefined): number {
  return (Date.parse(must(b, 'end time')) - Date.parse(must(a, 'start time'))) / 1000;
}

interface SandboxMeta { podName: string; role: string; networkId?: string; pid?: number; finishedAt?: number }

/** The pinned network namespace of the running pod `name` (from podd's sandbox record), once it exists. */
async function podNetns(name: string): Promise<string> {
  let found = '';
  await until(`the sandbox of ${name}`, () => {
    for (const id of existsSync('/run/podd/containers') ? readdirSync('/run/podd/containers') : []) {
      try {
        const m = JSON.parse(readFileSync(join('/run/podd/containers', id, 'meta.json'), 'utf8')) as SandboxMeta;
        if (m.podName !== name || m.role !== 'sandbox' || m.finishedAt !== undefined) continue;
        if (m.networkId !== undefined) found = `/run/podd/netns/${m.networkId}`;
        else if (m.pid !== undefined && m.pid > 0) found = `/proc/${m.pid}/ns/net`;
      } catch {
        // being written
      }
    }
    return found !== '' && existsSync(found);
  }, 30_000);
  return found;
}

/** probe-servers.js inside a namespace; resolves once its servers listen. */
async function serversIn(netns: string, args: string[]): Promise<{ proc: ChildProcessWithoutNullStreams; lines: () => Record<string, unknown>[] }> {
  const script = join(repoRoot, 'dist', 'test', 'e2e', 'probe-servers.js');
  const proc = spawn('nsenter', [`--net=${netns}`, '--', process.execPath, script, ...args]);
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const lines = (): Record<string, unknown>[] => out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  await until('the probe servers', () => {
    if (proc.exitCode !== null) throw new Error(`probe-servers exited ${proc.exitCode}: ${err}`);
    return lines().some((l) => l['listening'] === true);
  }, 20_000);
  return { proc, lines };
}

const BUSY = 'busybox';

describe('probes under podd run', () => {
  test('liveness httpGet on a named port: a 404 kills and restarts the container (OnFailure)', async () => {
    // First run: httpd serves /healthz, which goes away after 3 s. The restarted container finds its marker in the
    // emptyDir and exits 0, so the pod ends Succeeded with one restart.
    const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: live-http}
spec:
  restartPolicy: OnFailure
  terminationGracePeriodSeconds: 2
  volumes: [{name: data, emptyDir: {}}]
  containers:
  - name: web
    image: ${BUSY}
    ports: [{name: http, containerPort: 8080}]
    volumeMounts: [{name: data, mountPath: /data}]
    command: [sh, -c, 'if [ -f /data/marker ]; then echo second run; exit 0; fi; touch /data/marker; mkdir -p /www; echo ok > /www/healthz; httpd -f -p 8080 -h /www & sleep 3; rm /www/healthz; sleep 60']
    livenessProbe:
      httpGet: {path: /healthz, port: http}
      initialDelaySeconds: 1
      periodSeconds: 1
      failureThreshold: 2
`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.pod?.status?.phase, 'Succeeded');
    const web = status(r, 'web');
    assert.equal(web.restartCount, 1, r.stderr);
    assert.deepEqual(r.output('web'), ['second run']);
    const unhealthy = eventTexts(r, 'Unhealthy');
    const notFound = unhealthy.filter((u) => /Warning\s+Unhealthy\s+pod\/live-http spec\.containers\{web\}: Liveness probe failed: HTTP probe failed with statuscode: 404$/.test(u));
    assert.ok(notFound.length >= 2, r.stderr);
    // A probe can only find httpd not listening yet (a busy host): then it is refused, in Go's words.
    for (const u of unhealthy) {
      assert.ok(notFound.includes(u) || /Liveness probe failed: Get "http:\/\/10\.86\.0\.\d+:8080\/healthz": dial tcp 10\.86\.0\.\d+:8080: connect: connection refused$/.test(u), u);
    }
    assert.equal(eventTexts(r, 'Killing').filter((k) => k.endsWith('Container web failed liveness probe, will be restarted')).length, 1, r.stderr);
  });

  test('liveness failure with restartPolicy Never: the container is killed, not restarted, and the pod fails', async () => {
    const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: live-never}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: ${BUSY}
    command: [sh, -c, 'echo sick > /tmp/state; exec sleep 60']
    livenessProbe:
      exec: {command: [sh, -c, 'cat /tmp/state; exit 3']}
      periodSeconds: 1
      failureThreshold: 2
`);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.pod?.status?.phase, 'Failed');
    const app = status(r, 'app');
    assert.equal(app.restartCount, 0);
    assert.equal(app.state?.terminated?.exitCode, 137, 'sleep as PID 1 ignores SIGTERM: SIGKILL after the 2 s minimum');
    assert.ok(eventTexts(r, 'Unhealthy').every((u) => u.endsWith('Liveness probe failed: sick\n') || u.endsWith('Liveness probe failed: sick')), r.stderr);
    assert.ok(eventTexts(r, 'Unhealthy').length >= 2, r.stderr);
    assert.equal(events(r).filter((e) => e.reason === 'Created').length, 1, 'never created again');
  });

  test('probe-level terminationGracePeriodSeconds: a liveness kill uses the probe\'s 1 s (2 s minimum), not the pod\'s 60 s', async () => {
    const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: probe-grace}
spec:
  restartPolicy: OnFailure
  terminationGracePeriodSeconds: 60
  volumes: [{name: data, emptyDir: {}}]
  containers:
  - name: stubborn
    image: ${BUSY}
    volumeMounts: [{name: data, mountPath: /data}]
    command: [sh, -c, 'if [ -f /data/marker ]; then exit 0; fi; touch /data/marker; exec sleep 1000']
    livenessProbe:
      exec: {command: ['false']}
      periodSeconds: 1
      failureThreshold: 1
      terminationGracePeriodSeconds: 1
`, { args: ['--timeout', '50s'] });
    assert.equal(r.code, 0, r.stderr);
    const s = status(r, 'stubborn');
    assert.equal(s.restartCount, 1);
    const last = must(s.lastState?.terminated, 'lastState.terminated');
    assert.equal(last.exitCode, 137, 'SIGTERM ignored, SIGKILLed');
    const lived = secondsBetween(last.startedAt, last.finishedAt);
    assert.ok(lived >= 1 && lived <= 8, `the first instance lived ${lived} s (probe grace 1 s → 2 s minimum; the pod's grace would be 60 s)`);
    assert.equal(eventTexts(r, 'Killing').filter((k) => k.endsWith('Container stubborn failed liveness probe, will be restarted')).length, 1, r.stderr);
  });

  test('an exec probe past its timeout fails as "timed out" and its command is killed', async () => {
    const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: exec-timeout}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: ${BUSY}
    command: [sh, -c, 'sleep 7; echo "running: $(ps -o args | grep -c "^sleep 10")"']
    readinessProbe:
      exec: {command: [sleep, '10']}
      timeoutSeconds: 1
      periodSeconds: 2
`);
    assert.equal(r.code, 0, r.stderr);
    const timedOut = eventTexts(r, 'Unhealthy');
    assert.ok(timedOut.length >= 3, r.stderr);
    for (const u of timedOut) assert.ok(u.endsWith('Readiness probe failed: command "sleep 10" timed out'), u);
    // Probes every 2 s, each killed after 1 s: at most the one in flight is running; commands left behind by a
    // timed-out probe would pile up.
    const [line] = r.output('app');
    assert.match(line ?? '', /^running: [01]$/, r.stderr);
  });

  test('tcpSocket readiness on a named port, and a refused port\'s event in Go\'s words', async () => {
    const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: tcp-ready}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: ${BUSY}
    ports: [{name: web, containerPort: 8080}]
    command: [sh, -c, 'sleep 2; mkdir -p /www; httpd -p 8080 -h /www; sleep 6']
    readinessProbe:
      tcpSocket: {port: web}
      periodSeconds: 1
  - name: closed
    image: ${BUSY}
    command: [sh, -c, 'sleep 8']
    readinessProbe:
      tcpSocket: {port: 9999}
      periodSeconds: 1
      failureThreshold: 1
`);
    assert.equal(r.code, 0, r.stderr);
    const ip = must(r.pod?.status?.podIP, 'podIP');
    assert.match(ip, /^10\.86\.0\.\d+$/);
    const ready = statuses(r);
    const readyCols = r.stderr.split('\n').filter((l) => l.startsWith('STATUS ')).map((l) => l.trim().split(/\s+/)[2]);
    assert.ok(readyCols.includes('1/2'), `web became ready: ${readyCols.join(' ')} / ${ready.join(' ')}`);
    assert.ok(!readyCols.includes('2/2'), 'the closed port never became ready');
    const refused = eventTexts(r, 'Unhealthy').filter((u) => u.includes('spec.containers{closed}'));
    assert.ok(refused.length >= 2, r.stderr);
    for (const u of refused) assert.ok(u.endsWith(`Readiness probe failed: dial tcp ${ip}:9999: connect: connection refused`), u);
    // The web container's own failures came only before httpd listened (2 s in), refused as well.
    const webFailures = eventTexts(r, 'Unhealthy').filter((u) => u.includes('spec.containers{web}'));
    assert.ok(webFailures.length <= 5, `web failed ${webFailures.length} times`);
    for (const u of webFailures) assert.ok(u.endsWith(`Readiness probe failed: dial tcp ${ip}:8080: connect: connection refused`), u);
  });

  test('grpc (default service SERVING, "db" NOT_SERVING) and HTTPS with headers, served from the pod\'s namespace', async () => {
    const pod = `
apiVersion: v1
kind: Pod
metadata: {name: grpc-https}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: grpc-ok
    image: ${BUSY}
    command: [sleep, '14']
    readinessProbe:
      grpc: {port: 9000}
      periodSeconds: 1
  - name: grpc-db
    image: ${BUSY}
    command: [sleep, '14']
    readinessProbe:
      grpc: {port: 9000, service: db}
      periodSeconds: 1
  - name: tls
    image: ${BUSY}
    ports: [{name: https, containerPort: 8443}]
    command: [sleep, '14']
    readinessProbe:
      httpGet:
        path: /ok
        port: https
        scheme: HTTPS
        httpHeaders: [{name: x-probe, value: 'yes'}]
      periodSeconds: 1
`;
    let servers: Awaited<ReturnType<typeof serversIn>> | undefined;
    const running = runPod(pod);
    try {
      servers = await serversIn(await podNetns('grpc-https'), ['grpc', '9000', 'https', '8443']);
      const r = await running;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(status(r, 'grpc-ok').ready, false, 'exited: not ready');
      const readyCols = r.stderr.split('\n').filter((l) => l.startsWith('STATUS ')).map((l) => l.trim().split(/\s+/)[2]);
      assert.ok(readyCols.includes('2/3'), `grpc-ok and tls became ready: ${readyCols.join(' ')}`);
      assert.ok(!readyCols.includes('3/3'), 'grpc-db never did');
      const db = eventTexts(r, 'Unhealthy').filter((u) => u.includes('spec.containers{grpc-db}'));
      assert.ok(db.some((u) => u.endsWith('Readiness probe failed: service unhealthy (responded with "NOT_SERVING")')), db.join('\n'));
      const seen = servers.lines();
      const grpcCalls = seen.filter((l) => l['kind'] === 'grpc');
      assert.ok(grpcCalls.some((l) => l['service'] === '') && grpcCalls.some((l) => l['service'] === 'db'));
      assert.ok(grpcCalls.every((l) => String(l['userAgent']).startsWith('kube-probe/1.32')), JSON.stringify(grpcCalls[0]));
      const https = seen.filter((l) => l['kind'] === 'https');
      assert.ok(https.length >= 1);
      const headers = https[0]?.['headers'] as Record<string, string>;
      assert.equal(headers['x-probe'], 'yes');
      assert.equal(headers['user-agent'], 'kube-probe/1.32');
      assert.equal(headers['accept'], '*/*');
      assert.match(headers['host'] ?? '', /^10\.86\.0\.\d+:8443$/);
    } finally {
      servers?.proc.kill('SIGKILL');
      await running;
    }
  });

  test('a pod without an IP (PODD_NETWORK=none) is probed from inside its network namespace', async () => {
    const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: no-ip}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: ${BUSY}
    command: [sh, -c, 'mkdir -p /www; echo ok > /www/healthz; httpd -p 8080 -h /www; sleep 6']
    readinessProbe:
      httpGet: {path: /healthz, port: 8080}
      periodSeconds: 1
    livenessProbe:
      tcpSocket: {port: 8080}
      initialDelaySeconds: 1
      periodSeconds: 1
      failureThreshold: 1
  - name: nothing
    image: ${BUSY}
    command: [sleep, '6']
    readinessProbe:
      tcpSocket: {port: 9999}
      periodSeconds: 1
`, { env: { PODD_NETWORK: 'none' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.pod?.status?.podIP, undefined);
    assert.equal(status(r, 'web').restartCount, 0, 'liveness held');
    const readyCols = r.stderr.split('\n').filter((l) => l.startsWith('STATUS ')).map((l) => l.trim().split(/\s+/)[2]);
    assert.ok(readyCols.includes('1/2'), readyCols.join(' '));
    const refused = eventTexts(r, 'Unhealthy').filter((u) => u.includes('spec.containers{nothing}'));
    assert.ok(refused.length >= 1 && refused.every((u) => u.endsWith('Readiness probe failed: dial tcp 127.0.0.1:9999: connect: connection refused')), refused.join('\n'));
  });

  test('a hostNetwork pod is probed at the node\'s address', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: host-net}
spec:
  restartPolicy: Never
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: ${BUSY}
    command: [sh, -c, 'mkdir -p /www; echo ok > /www/healthz; httpd -p ${port} -h /www; sleep 4; kill $(pidof httpd)']
    readinessProbe:
      httpGet: {path: /healthz, port: ${port}}
      periodSeconds: 1
`);
    assert.equal(r.code, 0, r.stderr);
    const hostIP = must(r.pod?.status?.hostIP, 'hostIP');
    assert.equal(r.pod?.status?.podIP, hostIP);
    const readyCols = r.stderr.split('\n').filter((l) => l.startsWith('STATUS ')).map((l) => l.trim().split(/\s+/)[2]);
    assert.ok(readyCols.includes('1/1'), `${readyCols.join(' ')}\n${r.stderr}`);
  });

  test('during termination readiness probes go on while liveness probes stop', async () => {
    const out = tempDir();
    let podd = 0;
    let signalledAt = 0;
    const running = runPod(`
apiVersion: v1
kind: Pod
metadata: {name: term-probes}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 5
  volumes: [{name: out, hostPath: {path: ${out}, type: Directory}}]
  containers:
  - name: app
    image: ${BUSY}
    volumeMounts: [{name: out, mountPath: /out}]
    command: [sleep, '600']
    readinessProbe:
      exec: {command: [sh, -c, 'echo r $(cut -d" " -f1 /proc/uptime) >> /out/probes']}
      periodSeconds: 1
    livenessProbe:
      exec: {command: [sh, -c, 'echo l $(cut -d" " -f1 /proc/uptime) >> /out/probes']}
      periodSeconds: 1
`, {
      onSpawn: (pid) => (podd = pid),
      onLine: (line) => {
        if (signalledAt === 0 && /^STATUS\s+term-probes\s+1\/1/.test(line)) {
          // Ready, and both probes have run a few times by the time the signal lands.
          setTimeout(() => {
            signalledAt = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
            process.kill(podd, 'SIGINT');
          }, 2_500);
        }
      },
    });
    const r = await running;
    assert.ok(signalledAt > 0, `never ready:\n${r.stderr}`);
    const lines = readFileSync(join(out, 'probes'), 'utf8').trim().split('\n').map((l) => {
      const [kind = '', t = ''] = l.split(' ');
      return { kind, t: Number(t) };
    });
    const before = lines.filter((l) => l.t < signalledAt);
    const afterSignal = lines.filter((l) => l.t > signalledAt + 0.3);
    assert.ok(before.some((l) => l.kind === 'l') && before.some((l) => l.kind === 'r'), JSON.stringify(lines));
    assert.deepEqual(afterSignal.filter((l) => l.kind === 'l'), [], 'no liveness probe after termination began');
    assert.ok(afterSignal.filter((l) => l.kind === 'r').length >= 2, `readiness went on during the 5 s grace: ${JSON.stringify(afterSignal)}`);
    assert.equal(status(r, 'app').state?.terminated?.exitCode, 137);
  });
});

describe('sidecars and probes', () => {
  test('a sidecar\'s startupProbe holds the next init container until it passes', async () => {
    const out = tempDir();
    const stamp = (name: string, what: string): string => `echo "${name} ${what} $(cut -d' ' -f1 /proc/uptime)" >> /out/log`;
    const out_ = { name: 'out', mountPath: '/out' };
    const r = await runPod(JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sidecar-startup' },
      spec: {
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 1,
        volumes: [{ name: 'out', hostPath: { path: out, type: 'Directory' } }],
        initContainers: [
          {
            name: 'side', image: BUSY, restartPolicy: 'Always', volumeMounts: [out_],
            command: ['sh', '-c', `${stamp('side', 'Starting')}; sleep 3; touch /tmp/started; ${stamp('side', 'Started')}; exec sleep 600`],
            startupProbe: { exec: { command: ['test', '-f', '/tmp/started'] }, periodSeconds: 1, failureThreshold: 30 },
          },
          { name: 'init', image: BUSY, volumeMounts: [out_], command: ['sh', '-c', stamp('init', 'Starting')] },
        ],
        containers: [{ name: 'app', image: BUSY, volumeMounts: [out_], command: ['sh', '-c', `${stamp('app', 'Starting')}; sleep 1`] }],
      },
    }));
    assert.equal(r.code, 0, r.stderr);
    const log = readFileSync(join(out, 'log'), 'utf8').trim().split('\n').map((l) => {
      const [name = '', what = '', t = ''] = l.split(' ');
      return { key: `${name} ${what}`, t: Number(t) };
    });
    assert.deepEqual(log.map((l) => l.key), ['side Starting', 'side Started', 'init Starting', 'app Starting']);
    const at = (k: string): number => must(log.find((l) => l.key === k), k).t;
    assert.ok(at('init Starting') >= at('side Started'), 'init started only after the sidecar had started');
    assert.ok(at('init Starting') - at('side Starting') >= 3, 'the 3 s start-up was waited for');
    assert.ok(eventTexts(r, 'Unhealthy').some((u) => u.includes('spec.initContainers{side}: Startup probe failed: ')), r.stderr);
    assert.equal(r.pod?.status?.phase, 'Succeeded');
  });

  test('a sidecar failing its startupProbe is restarted even with restartPolicy Never, and the pod stays Pending', async () => {
    const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: sidecar-fails}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  initContainers:
  - name: side
    image: ${BUSY}
    restartPolicy: Always
    command: [sleep, '600']
    startupProbe:
      exec: {command: [sh, -c, 'echo not started; exit 1']}
      periodSeconds: 1
      failureThreshold: 2
  containers:
  - name: app
    image: ${BUSY}
    command: ['true']
`, { args: ['--timeout', '12s', '--backoff-base', '1s'] });
    const side = status(r, 'side');
    assert.ok(side.restartCount >= 1, `restarted: ${side.restartCount}\n${r.stderr}`);
    assert.ok(eventTexts(r, 'Killing').some((k) => k.endsWith('Init container side failed startup probe')), r.stderr);
    assert.ok(eventTexts(r, 'Unhealthy').some((u) => u.endsWith('Startup probe failed: not started')), r.stderr);
    assert.ok(!events(r).some((e) => e.text.includes('spec.containers{app}')), 'the app container was never created');
    const seen = statuses(r, { dedupe: true });
    assert.ok(seen.every((s) => s.startsWith('Init:') || s === 'Pending' || s === 'Terminating' || s === 'PodInitializing'), seen.join(' '));
    assert.ok(seen.includes('Init:0/1'));
  });

  test('a sidecar failing its livenessProbe is restarted without holding back the app', async () => {
    const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: sidecar-live}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  initContainers:
  - name: side
    image: ${BUSY}
    restartPolicy: Always
    command: [sleep, '600']
    livenessProbe:
      exec: {command: ['false']}
      periodSeconds: 1
      failureThreshold: 1
  containers:
  - name: app
    image: ${BUSY}
    command: [sh, -c, 'sleep 5; echo done']
`, { args: ['--backoff-base', '1s'] });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.pod?.status?.phase, 'Succeeded');
    assert.deepEqual(r.output('app'), ['done']);
    assert.ok(status(r, 'side').restartCount >= 1, r.stderr);
    assert.ok(eventTexts(r, 'Killing').some((k) => k.endsWith('Init container side failed liveness probe')), r.stderr);
    // The app started while the sidecar was still alive, right after the sidecar's first start.
    const started = events(r).filter((e) => e.reason === 'Started').map((e) => e.text);
    assert.ok(started.findIndex((t) => t.endsWith('Started container app')) <= 2, started.join('\n'));
  });
});

describe('probes under podd serve, through kubectl', () => {
  const serve = new ServeFixture();
  before(() => serve.start());
  after(() => serve.dispose());

  const pod = (name: string): Pod => JSON.parse(serve.kubectl('get', 'pod', name, '-o', 'json')) as Pod;
  const readyColumn = (name: string): string => serve.kubectl('get', 'pod', name, '--no-headers').trim().split(/\s+/)[1] ?? '';
  const condition = (p: Pod, type: string): string | undefined => p.status?.conditions?.find((c) => c.type === type)?.status;
  type PodEvent = { reason: string; message: string; type: string; count?: number; involvedObject: { fieldPath?: string } };
  const podEvents = (name: string): PodEvent[] =>
    (JSON.parse(serve.kubectl('get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json')) as { items: PodEvent[] }).items;

  function apply(name: string, yaml: string): void {
    assert.match(serve.apply(name, yaml), new RegExp(`pod/${name} created`));
  }

  test('readiness exec: READY 0/1 until the file appears, 1/1 with Ready and ContainersReady, back to 0/1 when it goes', async () => {
    apply('ready-exec', `
apiVersion: v1
kind: Pod
metadata: {name: ready-exec}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: ${BUSY}
    command: [sleep, '3600']
    readinessProbe:
      exec: {command: [test, -f, /tmp/ready]}
      periodSeconds: 1
`);
    await until('Running', () => pod('ready-exec').status?.phase === 'Running', 30_000);
    await new Promise((r) => setTimeout(r, 2_500));
    let p = pod('ready-exec');
    assert.equal(readyColumn('ready-exec'), '0/1');
    assert.equal(condition(p, 'Ready'), 'False');
    assert.equal(condition(p, 'ContainersReady'), 'False');
    assert.equal(p.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'ContainersNotReady');
    assert.equal(p.status?.containerStatuses?.[0]?.started, true, 'no startup probe: started once running');

    serve.kubectl('exec', 'ready-exec', '--', 'touch', '/tmp/ready');
    await until('READY 1/1', () => readyColumn('ready-exec') === '1/1', 10_000);
    p = pod('ready-exec');
    assert.equal(condition(p, 'Ready'), 'True');
    assert.equal(condition(p, 'ContainersReady'), 'True');
    assert.equal(p.status?.containerStatuses?.[0]?.ready, true);

    serve.kubectl('exec', 'ready-exec', '--', 'rm', '/tmp/ready');
    await until('READY 0/1 again', () => readyColumn('ready-exec') === '0/1', 10_000);
    p = pod('ready-exec');
    assert.equal(condition(p, 'Ready'), 'False');
    assert.equal(p.status?.containerStatuses?.[0]?.restartCount, 0, 'readiness never restarts');
    const unhealthy = podEvents('ready-exec').filter((e) => e.reason === 'Unhealthy');
    // Repeats of one event are counted on it, as client-go's correlator does.
    assert.ok(unhealthy.reduce((n, e) => n + (e.count ?? 1), 0) >= 2, JSON.stringify(unhealthy));
    for (const e of unhealthy) {
      assert.equal(e.type, 'Warning');
      assert.equal(e.message, 'Readiness probe failed: ');
      assert.equal(e.involvedObject.fieldPath, 'spec.containers{app}');
    }
    serve.kubectl('delete', 'pod', 'ready-exec', '--wait=true', '--timeout=30s');
  });

  test('startup gates liveness and readiness; Started turns true; a later liveness failure restarts it', async () => {
    apply('startup-gate', `
apiVersion: v1
kind: Pod
metadata: {name: startup-gate}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: ${BUSY}
    command: [sleep, '3600']
    startupProbe:
      exec: {command: [test, -f, /tmp/started]}
      periodSeconds: 1
      failureThreshold: 60
    livenessProbe:
      exec: {command: [test, -f, /tmp/alive]}
      periodSeconds: 1
      failureThreshold: 1
    readinessProbe:
      exec: {command: ['true']}
      periodSeconds: 1
`);
    await until('Running', () => pod('startup-gate').status?.phase === 'Running', 30_000);
    await new Promise((r) => setTimeout(r, 4_000));
    let s = pod('startup-gate').status?.containerStatuses?.[0];
    assert.equal(s?.started, false, 'startup probe has not passed');
    assert.equal(s?.ready, false, 'readiness waits for startup');
    assert.equal(s?.restartCount, 0, 'a liveness probe that would fail did not run');
    let evs = podEvents('startup-gate');
    assert.ok(evs.some((e) => e.message === 'Startup probe failed: '), JSON.stringify(evs));
    assert.ok(!evs.some((e) => e.message.startsWith('Liveness') || e.message.startsWith('Readiness')), 'no liveness or readiness run before startup');

    serve.kubectl('exec', 'startup-gate', '--', 'touch', '/tmp/started', '/tmp/alive');
    await until('started and ready', () => {
      const c = pod('startup-gate').status?.containerStatuses?.[0];
      return c?.started === true && c.ready === true;
    }, 10_000);
    assert.equal(readyColumn('startup-gate'), '1/1');

    serve.kubectl('exec', 'startup-gate', '--', 'rm', '/tmp/alive');
    await until('a restart', () => (pod('startup-gate').status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 20_000);
    s = pod('startup-gate').status?.containerStatuses?.[0];
    assert.equal(s?.started, false, 'the new instance must pass its startup probe again');
    evs = podEvents('startup-gate');
    assert.ok(evs.some((e) => e.reason === 'Killing' && e.message === 'Container app failed liveness probe, will be restarted'), JSON.stringify(evs.map((e) => e.message)));
    assert.ok(evs.some((e) => e.reason === 'Unhealthy' && e.message === 'Liveness probe failed: '));
    serve.kubectl('delete', 'pod', 'startup-gate', '--wait=true', '--timeout=30s');
  });
});
