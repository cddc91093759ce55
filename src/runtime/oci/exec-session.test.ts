import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import type { InstanceMeta } from './container-runtime.js';
import { execProcess, RuncExecRunner, runcError } from './exec-session.js';
import type { ExecOutcome, ExecSession, ExecStart } from './exec-session.js';

test('runcError takes the message of runc\'s JSON error record, else the output as it is', () => {
  const out = '{"level":"warning","msg":"something minor","time":"t"}\r\n'
    + '{"level":"error","msg":"exec failed: unable to start container process: exec: \\"nope\\": executable file not found in $PATH","time":"t"}\r\n';
  assert.equal(runcError(out), 'exec failed: unable to start container process: exec: "nope": executable file not found in $PATH');
  assert.equal(runcError('  plain failure\n'), 'plain failure');
  assert.equal(runcError(''), 'runc exec failed');
});

const base = {
  terminal: false, user: { uid: 0, gid: 0 }, args: ['sleep', '3600'], cwd: '/work', env: ['PATH=/bin', 'GREETING=hi'],
  capabilities: { bounding: ['CAP_KILL'] }, rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }], noNewPrivileges: true,
  consoleSize: { height: 1, width: 1 },
};

test('execProcess: the container\'s process with the command, as runc exec builds it, and a tty\'s size', () => {
  const plain = execProcess(base, { command: ['echo', 'hi'], stdin: false, stdout: true, stderr: true, tty: false });
  assert.deepEqual(plain, {
    terminal: false, user: { uid: 0, gid: 0 }, args: ['echo', 'hi'], cwd: '/work', env: ['PATH=/bin', 'GREETING=hi'],
    capabilities: { bounding: ['CAP_KILL'] }, rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }], noNewPrivileges: true,
  });
  const tty = execProcess(base, { command: ['stty', 'size'], stdin: true, stdout: true, stderr: false, tty: true, size: { cols: 100, rows: 30 } });
  assert.equal(tty.terminal, true);
  assert.deepEqual(tty.env, ['PATH=/bin', 'GREETING=hi', 'TERM=xterm']);
  // runc's init sizes the console from this before the command starts.
  assert.deepEqual(tty.consoleSize, { height: 30, width: 100 });
  assert.deepEqual(execProcess({}, { command: ['sh'], stdin: true, stdout: true, stderr: false, tty: true }).consoleSize, { height: 24, width: 80 });
  assert.deepEqual(base.args, ['sleep', '3600'], 'the base is left as it was');
});

// A stand-in for runc: `state ID` answers running with its bundle; `exec` keeps the process file, writes the pid
// file, prints its terminal's settings and then $FAKE_BYTES digits and END at once, and exits 3 without waiting for
// anyone to read them.
const FAKE_RUNC = `#!/bin/sh
dir=$(dirname "$0")
if [ "$1" = state ]; then
  printf '{"status":"running","bundle":"%s"}' "$dir/bundle"
  exit 0
fi
while [ $# -gt 0 ]; do
  case "$1" in
    --pid-file) pidfile=$2; shift ;;
    --process) cp "$2" "$dir/process.json" ;;
  esac
  shift
done
echo $$ > "$pidfile"
printf 'size=%s\\n' "$(stty size)"
stty -a | tr ' ' '\\n' | grep -x -e -echo -e -icanon -e -opost | tr '\\n' ' '
printf '\\n'
head -c "$FAKE_BYTES" /dev/zero | tr '\\0' 7
printf 'END\\n'
exit 3
`;

function fakeRunc(t: TestContext, bytes: number): { dir: string; runner: RuncExecRunner } {
  const dir = mkdtempSync(join(tmpdir(), 'podd-exec-session-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const runcPath = join(dir, 'runc');
  writeFileSync(runcPath, FAKE_RUNC.replace('#!/bin/sh\n', `#!/bin/sh\nFAKE_BYTES=${bytes}\n`));
  chmodSync(runcPath, 0o755);
  mkdirSync(join(dir, 'bundle'));
  writeFileSync(join(dir, 'bundle', 'config.json'), JSON.stringify({ process: base }));
  const meta: InstanceMeta = {
    id: 'inst-1', role: 'app', podUid: 'uid-1', podName: 'web', namespace: 'default', name: 'app', sandboxId: 'sb-1', attempt: 0,
    restartCount: 0, specHash: 'h', image: 'busybox', imageId: 'i', createdAt: 1, startedAt: 1, logPath: '/dev/null', cgroupsPath: '/x', overlay: false,
  };
  const runner = new RuncExecRunner({ runcPath, stateDir: join(dir, 'state'), instances: () => Promise.resolve([meta]) });
  return { dir, runner };
}

async function execOnTty(runner: RuncExecRunner, during: (s: ExecSession) => void, slowSink = false): Promise<{ out: string; outcome: ExecOutcome }> {
  const id = await runner.find({ podUid: 'uid-1', container: 'app' });
  const chunks: Buffer[] = [];
  const opts: ExecStart = { command: ['run', 'it'], stdin: true, stdout: true, stderr: false, tty: true, size: { cols: 100, rows: 30 } };
  const outcome = await new Promise<ExecOutcome>((resolve) => {
    const s = runner.start(id, opts, {
      stdout: (d) => {
        chunks.push(Buffer.from(d));
        // A busy server: each chunk takes a while to pass on.
        if (slowSink) for (const end = Date.now() + 2; Date.now() < end;);
      },
      stderr: () => assert.fail('a terminal has no separate stderr'),
      exit: resolve,
    });
    during(s);
  });
  return { out: Buffer.concat(chunks).toString('latin1'), outcome };
}

function assertWhole(out: string, bytes: number): void {
  const lines = out.split('\n');
  assert.equal(lines[0], 'size=30 100', 'runc\'s terminal has the size it was started with');
  assert.equal(lines[1], '-opost -icanon -echo ', 'and is raw before runc runs');
  const rest = lines.slice(2).join('\n');
  assert.equal(rest.length, bytes + 4, 'every byte arrived');
  assert.ok(rest.endsWith('END\n'), 'the tail arrived');
}

test('tty: the process file carries the command and the size; output paused as runc exits still arrives whole', { timeout: 20_000 }, async (t) => {
  // Small enough to sit in the terminal's buffer (a pty holds some 12 KiB): runc exits while nothing is read.
  const bytes = 8_000;
  const { dir, runner } = fakeRunc(t, bytes);
  const { out, outcome } = await execOnTty(runner, (s) => s.pauseOutput());
  assert.deepEqual(outcome, { exitCode: 3 });
  assertWhole(out, bytes);
  const proc = JSON.parse(readFileSync(join(dir, 'process.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(proc.args, ['run', 'it']);
  assert.deepEqual(proc.consoleSize, { height: 30, width: 100 });
  assert.equal(proc.terminal, true);
  assert.deepEqual(readdirSync(join(dir, 'state', 'exec')), [], 'the pid and process files are removed');
});

test('tty: what runc leaves in its terminal when it exits is read to the end, also by a slow reader', { timeout: 30_000 }, async (t) => {
  // More than one read of a pty (4095 bytes): libuv would end the stream after the first read following the hangup.
  const bytes = 60_000;
  const { runner } = fakeRunc(t, bytes);
  for (let i = 0; i < 5; i++) {
    const { out, outcome } = await execOnTty(runner, () => undefined, true);
    assert.deepEqual(outcome, { exitCode: 3 });
    assertWhole(out, bytes);
  }
});

test('start needs an instance that find returned', async (t) => {
  const { runner } = fakeRunc(t, 0);
  assert.throws(() => runner.start('other', { command: ['true'], stdin: false, stdout: true, stderr: true, tty: false }, {
    stdout: () => undefined, stderr: () => undefined, exit: () => undefined,
  }), /container instance other was not found for exec/);
});
