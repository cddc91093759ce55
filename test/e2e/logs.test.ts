// Container logs on the host, as the kubelet lays them out: /var/log/pods/<ns>_<name>_<uid>/<container>/<restart>.log in
// the CRI format, one file per container instance, init containers included; removed with the pod unless --keep-logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { containerStatus, leftovers, runPod } from './harness.js';

const LOGS_DIR = process.env['PODD_LOG_DIR'] ?? '/var/log/pods';

/** runPod with a safety --timeout, so that a regression ends as a failed test, not a hung suite. */

interface CriLine {
  time: number;
  stream: 'stdout' | 'stderr';
  tag: 'F' | 'P';
  text: string;
}

// <RFC3339Nano timestamp> <stream> <tag> <content>, as the kubelet's parseCRILog reads it
const CRI_LINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) (stdout|stderr) (F|P) (.*)$/;

function readCriLog(file: string): CriLine[] {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.endsWith('\n'), `${file} ends with a newline`);
  return text.slice(0, -1).split('\n').map((line) => {
    const m = CRI_LINE.exec(line);
    assert.ok(m, `not a CRI log line in ${file}: ${JSON.stringify(line)}`);
    const time = Date.parse(m[1] ?? '');
    assert.ok(!Number.isNaN(time), `bad timestamp ${m[1] ?? ''}`);
    return { time, stream: m[2] as CriLine['stream'], tag: m[3] as CriLine['tag'], text: m[4] ?? '' };
  });
}

/** What a log file says, as `stream tag text` strings in file order. */
function entries(lines: CriLine[]): string[] {
  return lines.map((l) => `${l.stream} ${l.tag} ${l.text}`);
}

function visible(dir: string): string[] {
  return readdirSync(dir).filter((n) => !n.startsWith('.')).sort();
}

test('--keep-logs: CRI log files in the kubelet layout, both streams, one file per restart, init logs kept', async () => {
  let dir = '';
  try {
    const started = Date.now();
    const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: logs-kept}
spec:
  restartPolicy: OnFailure
  volumes: [{name: state, emptyDir: {}}]
  initContainers:
    - name: init
      image: busybox
      command: ["sh", "-c", "echo init-out; echo init-err >&2"]
  containers:
    - name: app
      image: busybox
      command:
        - sh
        - -c
        - |
          n=$(cat /state/n 2>/dev/null || echo 0); echo $((n+1)) > /state/n
          echo "run $n out"
          echo "run $n err" >&2
          echo "run $n more out"
          if [ "$n" = 0 ]; then exit 1; fi
          printf 'no newline at the end'
      volumeMounts: [{name: state, mountPath: /state}]
`, { args: ['--keep-logs', '--backoff-base', '200ms'] });
    const finished = Date.now();
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.pod?.metadata.uid, r.stdout);
    dir = join(LOGS_DIR, `default_logs-kept_${r.pod.metadata.uid}`);
    assert.ok(existsSync(dir), `${dir} must be kept`);
    assert.equal(containerStatus(r.pod, 'app')?.restartCount, 1);
    assert.deepEqual(visible(dir), ['app', 'init']);
    assert.deepEqual(visible(join(dir, 'init')), ['0.log']);
    assert.deepEqual(visible(join(dir, 'app')), ['0.log', '1.log']);

    const init = readCriLog(join(dir, 'init', '0.log'));
    assert.deepEqual(entries(init).sort(), ['stderr F init-err', 'stdout F init-out']);

    const first = readCriLog(join(dir, 'app', '0.log'));
    assert.deepEqual(entries(first.filter((l) => l.stream === 'stdout')), ['stdout F run 0 out', 'stdout F run 0 more out']);
    assert.deepEqual(entries(first.filter((l) => l.stream === 'stderr')), ['stderr F run 0 err']);

    const second = readCriLog(join(dir, 'app', '1.log'));
    // a last line without its newline is a partial line (P), exactly as written
    assert.deepEqual(entries(second.filter((l) => l.stream === 'stdout')),
      ['stdout F run 1 out', 'stdout F run 1 more out', 'stdout P no newline at the end']);
    assert.deepEqual(entries(second.filter((l) => l.stream === 'stderr')), ['stderr F run 1 err']);

    // real times, in order within a stream, and the restart's lines after the first run's
    for (const lines of [init, first, second]) {
      for (const l of lines) assert.ok(l.time >= started - 2000 && l.time <= finished + 2000, `timestamp ${new Date(l.time).toISOString()}`);
      for (const stream of ['stdout', 'stderr']) {
        const times = lines.filter((l) => l.stream === stream).map((l) => l.time);
        assert.deepEqual(times, [...times].sort((a, b) => a - b));
      }
    }
    assert.ok(Math.min(...second.map((l) => l.time)) >= Math.max(...first.map((l) => l.time)));
    // podd streamed the same lines while the pod ran
    for (const l of ['run 0 out', 'run 0 err', 'run 0 more out', 'run 1 out', 'run 1 err', 'run 1 more out']) {
      assert.ok(r.output('app').includes(l), `${l}:\n${r.stderr}`);
    }
    assert.ok(r.output('init').includes('init-out') && r.output('init').includes('init-err'), r.stderr);
    assert.deepEqual(leftovers(), []);
  } finally {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }
});

test('without --keep-logs the pod log directory exists while the pod runs and is gone when podd run ends', async () => {
  const seen: { dir: string; log: string }[] = [];
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: logs-removed}
spec:
  restartPolicy: Never
  containers:
    - name: app
      image: busybox
      command: ["sh", "-c", "echo hello-from-app; sleep 1; echo bye"]
`, {
    onLine: (line) => {
      if (line !== '[app] hello-from-app') return;
      for (const d of readdirSync(LOGS_DIR).filter((n) => n.startsWith('default_logs-removed_'))) {
        const file = join(LOGS_DIR, d, 'app', '0.log');
        seen.push({ dir: d, log: existsSync(file) ? readFileSync(file, 'utf8') : '' });
      }
    },
  });
  assert.equal(r.code, 0, r.stderr);
  const uid = r.pod?.metadata.uid ?? '';
  const name = `default_logs-removed_${uid}`;
  const mine = seen.find((s) => s.dir === name);
  assert.ok(mine, `the log dir ${name} must exist while the pod runs; saw ${JSON.stringify(seen)}`);
  assert.match(mine.log, /^\S+ stdout F hello-from-app\n/);
  assert.equal(existsSync(join(LOGS_DIR, name)), false, `${name} must be removed with the pod`);
  assert.deepEqual(leftovers(), []);
});
