// Init containers: strictly one at a time in spec order, app containers only after the last one succeeded and then
// all together; plus the status a completed pod with init containers ends with, the kubectl STATUS column as it
// moves, and the timeline podd draws. The order is proven from /proc/uptime stamps the containers wrote themselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerStatus, leftovers, runPod, tempDir } from './harness.js';

const INITS = ['init-1', 'init-2', 'init-3'];
const APPS = ['app-a', 'app-b'];

/** A container that stamps "<name> start <uptime>" and "<name> end <uptime>" into /out/log around a sleep. */
function stamping(name: string, sleep: string): Record<string, unknown> {
  const stamp = (what: string): string => `echo "${name} ${what} $(cut -d' ' -f1 /proc/uptime)" >> /out/log`;
  return {
    name,
    image: 'busybox',
    command: ['sh', '-c', `${stamp('start')}; sleep ${sleep}; ${stamp('end')}`],
    volumeMounts: [{ name: 'out', mountPath: '/out' }],
  };
}

function orderPod(out: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'init-order' },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 2,
      volumes: [{ name: 'out', hostPath: { path: out, type: 'Directory' } }],
      initContainers: INITS.map((n) => stamping(n, '0.3')),
      containers: APPS.map((n) => stamping(n, '1')),
    },
  });
}

/** name → {start, end} from the log the containers wrote. */
function stamps(out: string): Map<string, { start: number; end: number }> {
  const file = join(out, 'log');
  assert.ok(existsSync(file), 'no container wrote /out/log');
  const text = readFileSync(file, 'utf8');
  const m = new Map<string, { start: number; end: number }>();
  for (const line of text.trim().split('\n')) {
    const [name, what, t] = line.split(' ');
    assert.ok(name && (what === 'start' || what === 'end') && t !== undefined && /^\d+\.\d+$/.test(t), `bad log line "${line}"`);
    const e = m.get(name) ?? { start: NaN, end: NaN };
    assert.ok(Number.isNaN(e[what]), `${name} ${what} written twice (ran more than once?):\n${text}`);
    e[what] = Number(t);
    m.set(name, e);
  }
  return m;
}

/** The STATUS column of each `STATUS` line podd printed. */
function statusColumn(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('STATUS ')).map((l) => l.trim().split(/\s+/)[3] ?? '');
}

/** Labels and notes of the timeline rows podd draws at the end. */
function timelineRows(stderr: string): { label: string; note: string }[] {
  const lines = stderr.split('\n');
  const at = lines.findIndex((l) => l.startsWith('timeline '));
  assert.ok(at >= 0, `no timeline in stderr:\n${stderr}`);
  return lines.slice(at + 1).filter((l) => l.includes('|')).map((l) => {
    const [label = '', , rest = ''] = l.split('|');
    return { label: label.trim(), note: rest.replace(/^.*→\s*\S+\s+/, '').trim() };
  });
}

test('init containers run one at a time in spec order, then the app containers start together', async () => {
  const out = tempDir();
  const r = await runPod(orderPod(out));
  assert.equal(r.code, 0, r.stderr);
  const s = stamps(out);
  assert.deepEqual([...s.keys()].sort(), [...INITS, ...APPS].sort(), 'not every container ran exactly once');
  for (const [name, t] of s) assert.ok(t.start <= t.end, `${name}: start ${t.start} > end ${t.end}`);
  for (let i = 1; i < INITS.length; i++) {
    const prev = s.get(INITS[i - 1] ?? '');
    const cur = s.get(INITS[i] ?? '');
    assert.ok(prev && cur && cur.start >= prev.end, `${INITS[i]} started at ${cur?.start} before ${INITS[i - 1]} ended at ${prev?.end}`);
  }
  const lastInit = s.get('init-3')?.end ?? Infinity;
  for (const app of APPS) {
    const t = s.get(app);
    assert.ok(t && t.start >= lastInit, `${app} started at ${t?.start} before init-3 ended at ${lastInit}`);
  }
  const [a, b] = APPS.map((n) => s.get(n) ?? { start: NaN, end: NaN });
  assert.ok(a && b && Math.max(a.start, b.start) < Math.min(a.end, b.end),
    `the app containers did not run together: app-a ${a?.start}→${a?.end}, app-b ${b?.start}→${b?.end}`);

  // The events agree: each container started once, in spec order.
  const started = r.stderr.split('\n').map((l) => /Started container (\S+)$/.exec(l)?.[1]).filter((n) => n !== undefined);
  assert.deepEqual(started, [...INITS, ...APPS]);
  assert.deepEqual(leftovers(), []);
});

test('a completed pod with init containers: Succeeded, init statuses Completed, Kubernetes conditions, STATUS column, timeline', async () => {
  const out = tempDir();
  const r = await runPod(orderPod(out));
  assert.equal(r.code, 0, r.stderr);
  const status = r.pod?.status;
  assert.ok(status, 'no final pod status');
  assert.equal(status.phase, 'Succeeded');

  // Init container statuses: in spec order, each terminated Completed with exit 0, one after the other.
  assert.deepEqual(status.initContainerStatuses?.map((c) => c.name), INITS);
  let prevFinished = '';
  for (const name of INITS) {
    const c = containerStatus(r.pod, name);
    const t = c?.state?.terminated;
    assert.ok(c && t, `${name}: not terminated: ${JSON.stringify(c?.state)}`);
    assert.equal(t.exitCode, 0, name);
    assert.equal(t.reason, 'Completed', name);
    assert.match(t.startedAt ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, `${name}: startedAt`);
    assert.match(t.finishedAt ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, `${name}: finishedAt`);
    assert.ok((t.startedAt ?? '') <= (t.finishedAt ?? ''), `${name}: startedAt after finishedAt`);
    assert.ok((t.startedAt ?? '') >= prevFinished, `${name}: started before the previous init container finished`);
    prevFinished = t.finishedAt ?? '';
    assert.match(c.containerID ?? '', /^[a-z]+:\/\/[0-9a-f]{64}$/, `${name}: containerID`);
    assert.equal(t.containerID, c.containerID, `${name}: terminated.containerID`);
    assert.match(c.imageID, /\S/, `${name}: imageID`);
    assert.equal(c.ready, true, `${name}: a succeeded init container is ready`);
    assert.equal(c.started, false, `${name}: a terminated container is not started`);
    assert.equal(c.restartCount, 0, name);
  }
  for (const name of APPS) {
    const c = containerStatus(r.pod, name);
    const t = c?.state?.terminated;
    assert.ok(c && t, `${name}: not terminated: ${JSON.stringify(c?.state)}`);
    assert.equal(t.exitCode, 0, name);
    assert.equal(t.reason, 'Completed', name);
    assert.ok((t.startedAt ?? '') >= prevFinished, `${name}: started before init-3 finished`);
    assert.equal(c.ready, false, name);
    assert.equal(c.restartCount, 0, name);
    assert.match(c.containerID ?? '', /^[a-z]+:\/\/[0-9a-f]{64}$/, `${name}: containerID`);
  }

  // Conditions of a completed pod (kubelet order), semantics 1.8.
  const conds = (status.conditions ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message }));
  assert.deepEqual(conds, [
    { type: 'PodReadyToStartContainers', status: 'False', reason: undefined, message: undefined },
    { type: 'Initialized', status: 'True', reason: 'PodCompleted', message: undefined },
    { type: 'Ready', status: 'False', reason: 'PodCompleted', message: undefined },
    { type: 'ContainersReady', status: 'False', reason: 'PodCompleted', message: undefined },
    { type: 'PodScheduled', status: 'True', reason: undefined, message: undefined },
  ]);

  // kubectl STATUS as it moved: Init:0/3 → Init:1/3 → Init:2/3 → PodInitializing/Running … → Completed.
  const col = statusColumn(r.stderr);
  assert.deepEqual(col.slice(0, 3), ['Init:0/3', 'Init:1/3', 'Init:2/3'], `STATUS went ${col.join(' → ')}`);
  assert.ok(['PodInitializing', 'Running'].includes(col[3] ?? ''), `after Init:2/3 STATUS went ${col.slice(3).join(' → ')}`);
  assert.equal(col.at(-1), 'Completed', `STATUS went ${col.join(' → ')}`);
  for (const c of col.slice(3)) assert.ok(['PodInitializing', 'Running', 'NotReady', 'Completed'].includes(c), `STATUS went ${col.join(' → ')}`);

  // The timeline: one row per instance, in creation order (the sandbox, the inits in order, then the apps, which
  // podd creates concurrently), every one exited 0.
  const rows = timelineRows(r.stderr);
  const labels = rows.map((x) => x.label);
  assert.deepEqual(labels.slice(0, 4), ['pause#0', ...INITS.map((n) => `init ${n}`)], labels.join(', '));
  assert.deepEqual(labels.slice(4).sort(), APPS, labels.join(', '));
  for (const x of rows) assert.equal(x.note, 'exit 0', `${x.label}: ${x.note}`);
  assert.deepEqual(leftovers(), []);
});
