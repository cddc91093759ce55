// The pod prober with fake handlers and mocked timers: which workers run, what they publish and when, the events
// they record, where network probes go, and how they stop (exit, termination, close).
import { afterEach, beforeEach, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types.js';
import type { ProbeAction, ProbeOutcome, ProbeType } from '../../core/probe/types.js';
import type { InstanceMeta } from '../../runtime/oci/container-runtime.js';
import type { ProbeHandlers, ProbeTarget } from '../../runtime/probe/handlers.js';
import type { PodEvent } from '../events.js';
import type { TrackedInstance } from '../observe.js';
import { PodProber } from './pod-prober.js';

const T0 = 1_700_000_000_000;
let now = T0;

function tracked(id: string, role: InstanceMeta['role'], name: string, state: TrackedInstance['state'], extra: Partial<InstanceMeta> = {}): TrackedInstance {
  return {
    state,
    meta: {
      id, role, podUid: 'u', podName: 'p', namespace: 'default', name, sandboxId: 'sb', attempt: 0, restartCount: 0, specHash: 'h',
      image: 'busybox', imageId: 'sha256:x', createdAt: T0, startedAt: T0, logPath: '/l', cgroupsPath: '/c', overlay: role !== 'sandbox', ...extra,
    },
  };
}

function pod(): Pod {
  const exec = (cmd: string): { exec: { command: string[] } } => ({ exec: { command: ['sh', '-c', cmd] } });
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', uid: 'u' },
    spec: {
      initContainers: [
        { name: 'init', image: 'busybox' },
        { name: 'side', image: 'busybox', restartPolicy: 'Always', readinessProbe: { ...exec('side-ready'), periodSeconds: 1 } },
      ],
      containers: [{
        name: 'app', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }],
        startupProbe: { ...exec('started'), periodSeconds: 1, failureThreshold: 30 },
        livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 2, failureThreshold: 2 },
        readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 5, initialDelaySeconds: 1 },
      }],
    },
  };
}

interface Call { at: number; id: string; action: ProbeAction; target: ProbeTarget }

class FakeHandlers implements ProbeHandlers {
  calls: Call[] = [];
  /** Outcome per "<containerId>:<action kind>", success when unset. */
  outcomes = new Map<string, ProbeOutcome>();
  run(action: ProbeAction, target: ProbeTarget): Promise<ProbeOutcome> {
    this.calls.push({ at: now - T0, id: target.containerId, action, target });
    return Promise.resolve(this.outcomes.get(`${target.containerId}:${action.kind}`) ?? { result: 'success', output: '' });
  }
  kinds(id?: string): string[] {
    return this.calls.filter((c) => id === undefined || c.id === id).map((c) => `${c.at}:${c.action.kind}`);
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

/** Moves the clock and the mocked timers forward in 100 ms steps, running what is due at each step. */
async function advance(ms: number): Promise<void> {
  const end = now + ms;
  for (;;) {
    mock.timers.tick(0);
    await flush();
    if (now >= end) return;
    const step = Math.min(100, end - now);
    now += step;
    mock.timers.tick(step);
    await flush();
  }
}

interface Setup {
  prober: PodProber;
  handlers: FakeHandlers;
  events: PodEvent[];
  changes: string[];
  view: { pod: Pod; instances: Map<string, TrackedInstance> };
}

function setup(p: Pod = pod(), instances: TrackedInstance[] = [
  tracked('sb', 'sandbox', 'POD', 'running', { ips: ['10.86.0.5'], pid: 4242 }),
  tracked('a1', 'app', 'app', 'running'),
]): Setup {
  const handlers = new FakeHandlers();
  const events: PodEvent[] = [];
  const changes: string[] = [];
  const view = { pod: p, instances: new Map(instances.map((t) => [t.meta.id, t])) };
  const prober = new PodProber(view, {
    handlers, clock: () => now, hostIP: '192.0.2.2',
    onEvent: (e) => events.push(e),
    onChange: (type: ProbeType, id: string, result: string) => changes.push(`${now - T0}:${id}/${type}=${result}`),
  });
  return { prober, handlers, events, changes, view };
}

beforeEach(() => {
  now = T0;
  mock.timers.enable({ apis: ['setTimeout'] });
});
afterEach(() => mock.timers.reset());

test('initial results as the kubelet sets them; liveness and readiness wait for startup', async () => {
  const s = setup();
  s.prober.sync();
  assert.equal(s.prober.probeResults.startup.get('a1'), 'unknown');
  assert.equal(s.prober.probeResults.liveness.get('a1'), 'success');
  assert.equal(s.prober.probeResults.readiness.get('a1'), 'failure');
  s.handlers.outcomes.set('a1:exec', { result: 'failure', output: 'not yet\n' });
  await advance(3_500);
  assert.deepEqual(s.handlers.kinds(), ['0:exec', '1000:exec', '2000:exec', '3000:exec'], 'only the startup probe ran');
  assert.equal(s.prober.probeResults.startup.get('a1'), 'unknown');
  assert.deepEqual(s.changes, []);
  assert.deepEqual(s.events.map((e) => [e.type, e.reason, e.message, e.fieldPath]).slice(0, 1),
    [['Warning', 'Unhealthy', 'Startup probe failed: not yet\n', 'spec.containers{app}']]);
  assert.equal(s.events.length, 4);
  s.prober.close();
});

test('startup success: published, readiness probed at once, liveness from its next tick on; startup stops', async () => {
  const s = setup();
  s.prober.sync();
  s.handlers.outcomes.set('a1:exec', { result: 'failure', output: '' });
  await advance(1_500);
  s.handlers.outcomes.delete('a1:exec');
  await advance(600); // startup succeeds at 2000
  assert.equal(s.prober.probeResults.startup.get('a1'), 'success');
  assert.deepEqual(s.changes, ['2000:a1/startup=success', '2000:a1/readiness=success']);
  await advance(4_000);
  const k = s.handlers.kinds();
  assert.deepEqual(k.filter((x) => x.endsWith('exec')), ['0:exec', '1000:exec', '2000:exec'], 'startup stopped once it succeeded');
  assert.deepEqual(k.filter((x) => x.endsWith('tcp')), ['2000:tcp'], 'readiness ran right after startup, then every 5 s');
  // Liveness ticks at 0 and 2000 find the container not started yet (startup's run at 2000 is still under way).
  assert.deepEqual(k.filter((x) => x.endsWith('http')), ['4000:http', '6000:http'], 'liveness every 2 s, gated until started');
  s.prober.close();
});

test('network probes go to the pod IP, with named ports resolved', async () => {
  const s = setup();
  s.prober.sync();
  await advance(2_100);
  const http = s.handlers.calls.find((c) => c.action.kind === 'http');
  assert.deepEqual(http?.action, {
    kind: 'http', url: 'http://10.86.0.5:8080/healthz', scheme: 'http', host: '10.86.0.5', port: 8080,
    headers: [['User-Agent', 'kube-probe/1.32'], ['Accept', '*/*']],
  });
  assert.deepEqual(http?.target, { containerId: 'a1', network: { kind: 'host' } });
  assert.deepEqual(s.handlers.calls.find((c) => c.action.kind === 'tcp')?.action, { kind: 'tcp', host: '10.86.0.5', port: 8080 });
  s.prober.close();
});

test('a pod without an IP is probed on its loopback from inside its network namespace; hostNetwork at the node', async () => {
  const s = setup(pod(), [tracked('sb', 'sandbox', 'POD', 'running', { pid: 4242 }), tracked('a1', 'app', 'app', 'running')]);
  s.prober.sync();
  await advance(1_100);
  const tcp = s.handlers.calls.find((c) => c.action.kind === 'tcp');
  assert.deepEqual(tcp?.action, { kind: 'tcp', host: '127.0.0.1', port: 8080 });
  assert.deepEqual(tcp?.target.network, { kind: 'netns', path: '/proc/4242/ns/net' });
  s.prober.close();

  const host = pod();
  host.spec.hostNetwork = true;
  const h = setup(host, [tracked('sb', 'sandbox', 'POD', 'running', { pid: 4242 }), tracked('a1', 'app', 'app', 'running')]);
  h.prober.sync();
  await advance(1_100);
  const t2 = h.handlers.calls.find((c) => c.action.kind === 'tcp');
  assert.deepEqual(t2?.action, { kind: 'tcp', host: '192.0.2.2', port: 8080 });
  assert.deepEqual(t2?.target.network, { kind: 'host' });
  h.prober.close();

  // No IP and no pause process: network probes error (and are retried, then thrown away); exec still runs.
  const g = setup(pod(), [tracked('sb', 'sandbox', 'POD', 'exited', { pid: 4242 }), tracked('a1', 'app', 'app', 'running')]);
  g.prober.sync();
  await advance(1_100);
  assert.ok(g.handlers.calls.some((c) => c.action.kind === 'exec'));
  assert.ok(!g.handlers.calls.some((c) => c.action.kind !== 'exec'));
  const errored = g.events.find((e) => e.message.startsWith('Readiness probe errored'));
  assert.match(errored?.message ?? '', /^Readiness probe errored and resulted in unknown state: the pod's sandbox sb has no IP/);
  assert.equal(g.prober.probeResults.readiness.get('a1'), 'failure', 'an errored run leaves the result');
  g.prober.close();
});

test('liveness failure: published once the threshold is reached, then the worker stops', async () => {
  const s = setup();
  s.prober.sync();
  await advance(100); // startup succeeds at 0
  s.handlers.outcomes.set('a1:http', { result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
  await advance(8_000);
  assert.deepEqual(s.handlers.kinds().filter((x) => x.endsWith('http')), ['2000:http', '4000:http'], 'two failures, then no more');
  assert.equal(s.prober.probeResults.liveness.get('a1'), 'failure');
  assert.ok(s.changes.includes('4000:a1/liveness=failure'));
  assert.deepEqual(s.events.filter((e) => e.message.startsWith('Liveness')).map((e) => e.message),
    ['Liveness probe failed: HTTP probe failed with statuscode: 500', 'Liveness probe failed: HTTP probe failed with statuscode: 500']);
  s.prober.close();
});

test('an errored probe is tried three times, reported once, and leaves the result alone', async () => {
  const s = setup();
  s.prober.sync();
  await advance(100);
  s.handlers.outcomes.set('a1:http', { result: 'unknown', output: '', error: 'boom' });
  await advance(4_500);
  assert.deepEqual(s.handlers.kinds().filter((x) => x.endsWith('http')), ['2000:http', '2000:http', '2000:http', '4000:http', '4000:http', '4000:http']);
  assert.deepEqual(s.events.map((e) => e.message), ['Liveness probe errored and resulted in unknown state: boom', 'Liveness probe errored and resulted in unknown state: boom']);
  assert.equal(s.prober.probeResults.liveness.get('a1'), 'success');
  s.prober.close();
});

test('an exited instance: workers stop and results go at once, and are not made again before the next observation', async () => {
  const s = setup();
  s.prober.sync();
  await advance(100);
  s.prober.instanceExited('a1');
  assert.equal(s.prober.probeResults.readiness.get('a1'), undefined);
  assert.equal(s.prober.probeResults.liveness.get('a1'), undefined);
  s.prober.sync(); // the pod worker has not observed the exit yet: still "running" in its view
  const before = s.handlers.calls.length;
  await advance(5_000);
  assert.equal(s.handlers.calls.length, before);
  assert.equal(s.prober.probeResults.startup.get('a1'), undefined);
  // A new instance gets new workers with fresh initial results.
  s.view.instances.set('a1', { ...(s.view.instances.get('a1') as TrackedInstance), state: 'exited' });
  s.view.instances.set('a2', tracked('a2', 'app', 'app', 'running', { startedAt: now }));
  s.prober.sync();
  assert.equal(s.prober.probeResults.startup.get('a2'), 'unknown');
  await advance(100);
  assert.ok(s.handlers.calls.some((c) => c.id === 'a2'));
  s.prober.close();
});

test('an instance gone from the view loses its workers and results on the next sync', async () => {
  const s = setup();
  s.prober.sync();
  await advance(100);
  s.view.instances.delete('a1');
  s.prober.sync();
  assert.equal(s.prober.probeResults.liveness.size + s.prober.probeResults.readiness.size + s.prober.probeResults.startup.size, 0);
  s.prober.close();
});

test('termination: liveness and startup go quiet at once (success), readiness goes on', async () => {
  const s = setup();
  s.prober.sync();
  s.handlers.outcomes.set('a1:exec', { result: 'failure', output: '' });
  await advance(1_100);
  s.view.pod = { ...s.view.pod, metadata: { ...s.view.pod.metadata, deletionTimestamp: '2024-01-01T00:00:00Z' } };
  s.prober.sync();
  await advance(0);
  assert.equal(s.prober.probeResults.startup.get('a1'), 'success', 'startup set to success for a quiet shutdown');
  assert.equal(s.prober.probeResults.liveness.get('a1'), 'success');
  const calls = s.handlers.calls.length;
  await advance(6_000);
  const later = s.handlers.calls.slice(calls).map((c) => c.action.kind);
  assert.ok(later.every((k) => k === 'tcp'), `only readiness after termination: ${later.join(',')}`);
  assert.ok(later.length >= 1, 'readiness went on');
  s.prober.close();
});

test('sidecars are probed (their own field path); regular init containers never', async () => {
  const s = setup(pod(), [
    tracked('sb', 'sandbox', 'POD', 'running', { ips: ['10.86.0.5'] }),
    tracked('i1', 'init', 'init', 'running'),
    tracked('s1', 'init', 'side', 'running'),
  ]);
  s.prober.sync();
  s.handlers.outcomes.set('s1:exec', { result: 'failure', output: 'no' });
  await advance(1_100);
  assert.ok(!s.handlers.calls.some((c) => c.id === 'i1'));
  assert.deepEqual(s.handlers.kinds('s1'), ['0:exec', '1000:exec']);
  assert.equal(s.events[0]?.fieldPath, 'spec.initContainers{side}');
  assert.equal(s.prober.probeResults.readiness.get('s1'), 'failure');
  s.prober.close();
});

test('close stops everything', async () => {
  const s = setup();
  s.prober.sync();
  await advance(100);
  s.prober.close();
  const n = s.handlers.calls.length;
  await advance(10_000);
  assert.equal(s.handlers.calls.length, n);
  assert.equal(s.prober.probeResults.readiness.size, 0);
  s.prober.sync();
  assert.equal(s.prober.probeResults.readiness.size, 0, 'a closed prober makes no workers');
});
