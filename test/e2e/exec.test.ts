// `kubectl exec` against `podd serve`, end to end: the real kubectl 1.32 (WebSocket v5.channel.k8s.io) runs
// commands in real containers through runc exec, with stdin, stderr, exit codes and a terminal, and nothing an exec
// started outlives it: not when it ends, not when kubectl is killed, not when podd serve stops.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, constants as fsConstants, openSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as pty from 'node-pty';
import { leftovers, poddBin, tempDir, writeManifest } from './harness.js';

const dir = tempDir('podd-exec-');
const kubeconfig = join(dir, 'kubeconfig.yaml');
const port = String(20000 + Math.floor(Math.random() * 20000));
const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir, KUBECACHEDIR: join(dir, 'cache') };
let serve: ChildProcess | undefined;
let podUid = '';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: exec-demo
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: [sleep, '3600']
    env: [{name: GREETING, value: hello from the spec}]
  - name: side
    image: busybox
    command: [sh, -c, 'echo I am side > /tmp/whoami && exec sleep 3600']
  - name: done
    image: busybox
    command: ['true']
`;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kubectl(args: string[], stdin = ''): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

function kubectlSync(...args: string[]): string {
  return execFileSync('kubectl', args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function until(what: string, fn: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startServe(): Promise<void> {
  serve = spawn(process.execPath, [poddBin, 'serve', '--port', port, '--kubeconfig', kubeconfig, '--db', join(dir, 'state.db')], { stdio: 'ignore' });
  await until('the kubeconfig', () => existsSync(kubeconfig));
  await until('the API', () => {
    try {
      return kubectlSync('version').includes('v1.32.0');
    } catch {
      return false;
    }
  });
}

async function stopServe(): Promise<void> {
  const s = serve;
  if (s === undefined || s.exitCode !== null || s.signalCode !== null) return;
  const closed = new Promise((r) => s.once('close', r));
  s.kill('SIGTERM');
  await closed;
}

/** The pod's container instances (runc ids) by container name, from the runtime's records. */
function instances(): Map<string, string> {
  const out = new Map<string, string>();
  const root = '/run/podd/containers';
  for (const id of existsSync(root) ? readdirSync(root) : []) {
    try {
      const meta = JSON.parse(readFileSync(join(root, id, 'meta.json'), 'utf8')) as { podUid: string; name: string; role: string };
      if (meta.podUid === podUid && meta.role !== 'sandbox') out.set(meta.name, id);
    } catch {
      // Being created or removed.
    }
  }
  return out;
}

/** Command lines of the processes in a container (runc ps). */
function processesIn(container: string): string[] {
  const id = instances().get(container) ?? '';
  return execFileSync('runc', ['ps', id], { encoding: 'utf8' }).trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/).slice(7).join(' '));
}

/** podd's `runc [--log-format json] exec --pid-file …` on the host. */
const RUNC_EXEC = /runc .*\bexec --pid-file /;

/** Host processes whose command line matches (without this check's own shell). */
function hostProcesses(pattern: RegExp): string[] {
  return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => pattern.test(l));
}

/** After an exec: no runc exec of this pod is left, and each container runs only its own command again. */
function assertExecsGone(): void {
  const ids = [...instances().values()];
  assert.deepEqual(hostProcesses(RUNC_EXEC).filter((l) => ids.some((id) => l.includes(id))), []);
  assert.deepEqual(processesIn('app'), ['sleep 3600']);
  assert.deepEqual(processesIn('side'), ['sleep 3600']);
}

before(async () => {
  await startServe();
  assert.match(kubectlSync('apply', '-f', writeManifest(POD)), /pod\/exec-demo created/);
  podUid = kubectlSync('get', 'pod', 'exec-demo', '-o', 'jsonpath={.metadata.uid}');
  await until('app and side running, done exited', () => {
    const states = kubectlSync('get', 'pod', 'exec-demo', '-o', 'jsonpath={range .status.containerStatuses[*]}{.name}={.state}{"\\n"}{end}');
    return /^app=\{"running"/m.test(states) && /^side=\{"running"/m.test(states) && /^done=\{"terminated"/m.test(states);
  });
  await until('side to have written its file', () => {
    try {
      return execFileSync('runc', ['exec', instances().get('side') ?? '', 'cat', '/tmp/whoami'], { encoding: 'utf8' }) === 'I am side\n';
    } catch {
      return false;
    }
  });
});

after(async () => {
  await stopServe();
});

test('kubectl exec runs a command in the named container, with its env and filesystem', async () => {
  const hi = await kubectl(['exec', 'exec-demo', '-c', 'app', '--', 'echo', 'hi']);
  assert.deepEqual(hi, { code: 0, stdout: 'hi\n', stderr: '' });
  const greeting = await kubectl(['exec', 'exec-demo', '-c', 'app', '--', 'sh', '-c', 'echo "$GREETING"']);
  assert.equal(greeting.stdout, 'hello from the spec\n');
  const side = await kubectl(['exec', 'exec-demo', '-c', 'side', '--', 'cat', '/tmp/whoami']);
  assert.deepEqual(side, { code: 0, stdout: 'I am side\n', stderr: '' });
  // Without -c kubectl picks the first container and says so.
  const first = await kubectl(['exec', 'exec-demo', '--', 'sh', '-c', 'cat /tmp/whoami 2>/dev/null || echo not side']);
  assert.equal(first.stdout, 'not side\n');
  assert.match(first.stderr, /Defaulted container "app" out of: app, side, done/);
  assertExecsGone();
});

test('exit codes: kubectl exits with the command\'s code; a missing executable is an error', async () => {
  const three = await kubectl(['exec', 'exec-demo', '-c', 'app', '--', 'sh', '-c', 'exit 3']);
  assert.equal(three.code, 3);
  assert.match(three.stderr, /command terminated with exit code 3/);
  const nope = await kubectl(['exec', 'exec-demo', '-c', 'app', '--', 'no-such-command']);
  assert.equal(nope.code, 1);
  assert.match(nope.stderr, /error executing command in container: .*"no-such-command": executable file not found in \$PATH/);
  assert.equal(nope.stdout, '');
  assertExecsGone();
});

test('stdin reaches the command and ends with EOF; stderr stays apart from stdout; big output arrives whole', async () => {
  const cat = await kubectl(['exec', '-i', 'exec-demo', '-c', 'app', '--', 'cat'], 'data\nmore data\n');
  assert.deepEqual(cat, { code: 0, stdout: 'data\nmore data\n', stderr: '' });
  const big = await kubectl(['exec', '-i', 'exec-demo', '-c', 'app', '--', 'wc', '-c'], 'x'.repeat(3_000_000));
  assert.equal(big.stdout.trim(), '3000000');
  // Without -i the command's stdin is empty, not kubectl's.
  const noStdin = await kubectl(['exec', 'exec-demo', '-c', 'app', '--', 'cat'], 'ignored\n');
  assert.deepEqual(noStdin, { code: 0, stdout: '', stderr: '' });
  const streams = await kubectl(['exec', 'exec-demo', '-c', 'app', '--', 'sh', '-c', 'echo out; echo err >&2; echo out2']);
  assert.deepEqual(streams, { code: 0, stdout: 'out\nout2\n', stderr: 'err\n' });
  const out = await kubectl(['exec', 'exec-demo', '-c', 'app', '--', 'sh', '-c', 'head -c 4000000 /dev/zero | tr "\\0" a']);
  assert.equal(out.stdout.length, 4_000_000);
  assert.match(out.stdout, /^a+$/);
  assertExecsGone();
});

/**
 * kubectl (or another client) on a terminal of its own (node-pty), with everything it prints collected. The test
 * holds the terminal's slave open until the client exits: libuv ends a pty's stream at the first hangup after a short
 * read, which would drop what the client printed last when that is more than one read (4095 bytes).
 */
function onTerminal(args: string[], size: { cols: number; rows: number }, file = 'kubectl'): { term: pty.IPty; output: () => string; exit: Promise<number> } {
  const term = pty.spawn(file, args, { name: 'xterm', cols: size.cols, rows: size.rows, env: env as Record<string, string> });
  const slave = openSync((term as pty.IPty & { ptsName: string }).ptsName, fsConstants.O_RDWR | fsConstants.O_NOCTTY | fsConstants.O_NONBLOCK);
  let output = '';
  term.onData((d) => (output += d));
  const exit = new Promise<number>((resolve) => term.onExit((e) => {
    closeSync(slave);
    resolve(e.exitCode);
  }));
  return { term, output: () => output, exit };
}

// Under a tty runc turns off the container console's CR-before-LF only once it receives the console, while the
// command may already have written through it: a first line can come as "\r\r\n" (which a terminal shows as "\r\n").
// podd's own client adds one more CR (Node's raw mode keeps the terminal's output processing).
const EOL = '\r+\n';

test('-it: a terminal of kubectl\'s size with TERM=xterm, resizes reach the command, keys and exit code go through', async () => {
  const script = 'stty size; echo "term=$TERM"; trap "stty size" WINCH; while :; do read -r line && echo "got $line"; [ "$line" = q ] && exit 7; done';
  const k = onTerminal(['exec', '-it', 'exec-demo', '-c', 'app', '--', 'sh', '-c', script], { cols: 100, rows: 30 });
  // (The two lines may come in separate frames.)
  await until('the first size and TERM', () => new RegExp(`^30 100${EOL}term=xterm\r\n`).test(k.output()), 10_000);
  k.term.resize(120, 40);
  await until('the new size', () => k.output().includes('40 120\r\n'), 10_000);
  k.term.write('hello\r');
  // The container's terminal echoes what is typed, then the command answers.
  await until('the answer', () => k.output().includes('got hello\r\n'), 10_000);
  k.term.write('q\r');
  assert.equal(await k.exit, 7);
  assert.match(k.output(), /command terminated with exit code 7/);
  // runc's own failure comes through the terminal too, and is reported as the error it is.
  const nope = onTerminal(['exec', '-it', 'exec-demo', '-c', 'app', '--', 'no-such-command'], { cols: 100, rows: 30 });
  assert.equal(await nope.exit, 1);
  assert.match(nope.output(), /^error: Internal error occurred: error executing command in container: exec failed: .*"no-such-command": executable file not found in \$PATH\r\n$/);
  assertExecsGone();
});

test('-it, again and again: the command sees its terminal\'s size from its first instruction, and output arrives to its end', async () => {
  // runc used to size the container's console only after the command had started: `stty size` saw 0x0 in some runs.
  for (let i = 0; i < 10; i++) {
    const size = { cols: 90 + i, rows: 25 + i };
    for (const [file, pre] of [['kubectl', []], [process.execPath, [poddBin]]] as const) {
      const k = onTerminal([...pre, 'exec', '-it', 'exec-demo', '-c', 'app', '--', 'stty', 'size'], size, file);
      const code = await k.exit;
      assert.match(k.output(), new RegExp(`^${size.rows} ${size.cols}${EOL}$`), `run ${i} of ${file}`);
      assert.equal(code, 0);
    }
  }
  // More output than a terminal holds, written just before the command exits: its last bytes arrive too.
  for (let i = 0; i < 3; i++) {
    const k = onTerminal(['exec', '-it', 'exec-demo', '-c', 'app', '--', 'sh', '-c', 'head -c 300000 /dev/zero | tr "\\0" a; echo; echo END'], { cols: 80, rows: 24 });
    assert.equal(await k.exit, 0);
    assert.match(k.output(), /^a{300000}\r+\nEND\r\n$/, `run ${i}: ${k.output().length} characters, ending ${JSON.stringify(k.output().slice(-20))}`);
  }
  // -t without -i asks for no terminal at all (kubectl drops it, as against any cluster): stty has none to ask.
  const noStdin = await kubectl(['exec', '-t', 'exec-demo', '-c', 'app', '--', 'stty', 'size']);
  assert.equal(noStdin.code, 1);
  assert.match(noStdin.stdout + noStdin.stderr, /stty: standard input: (Inappropriate ioctl for device|Not a tty)/);
  assertExecsGone();
});

test('refusals: unknown container, a container that is not running, a pod that does not exist', async () => {
  const unknown = await kubectl(['exec', 'exec-demo', '-c', 'nope', '--', 'true']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /container nope is not valid for pod exec-demo/);
  const exited = await kubectl(['exec', 'exec-demo', '-c', 'done', '--', 'true']);
  assert.equal(exited.code, 1);
  assert.match(exited.stderr, /container not found \("done"\)/);
  const missing = await kubectl(['exec', 'no-such-pod', '--', 'true']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Error from server \(NotFound\): pods "no-such-pod" not found/);
  assertExecsGone();
});

test('a kubectl that is killed takes its command (and what the command started) with it', async () => {
  const child = spawn('kubectl', ['exec', 'exec-demo', '-c', 'app', '--', 'sh', '-c', 'sleep 7771 & sleep 7772'], { env, stdio: 'ignore' });
  await until('the command to run', () => processesIn('app').includes('sleep 7772') && processesIn('app').includes('sleep 7771'), 10_000);
  child.kill('SIGKILL');
  await until('the command to be gone', () => !processesIn('app').some((p) => p.startsWith('sleep 777')), 10_000);
  const k = onTerminal(['exec', '-it', 'exec-demo', '-c', 'app', '--', 'sleep', '7773'], { cols: 80, rows: 24 });
  await until('the tty command to run', () => processesIn('app').includes('sleep 7773'), 10_000);
  k.term.kill('SIGKILL');
  await k.exit;
  await until('the tty command to be gone', () => !processesIn('app').includes('sleep 7773'), 10_000);
  await until('runc exec to be gone', () => hostProcesses(RUNC_EXEC).filter((l) => l.includes(instances().get('app') ?? '-')).length === 0, 10_000);
  assertExecsGone();
});

test('stopping podd serve ends running execs (kubectl sees exit 137); after a restart the pod is deleted and nothing is left', async () => {
  const running = kubectl(['exec', 'exec-demo', '-c', 'app', '--', 'sleep', '7774']);
  await until('the command to run', () => processesIn('app').includes('sleep 7774'), 10_000);
  await stopServe();
  const r = await running;
  assert.equal(r.code, 137);
  assert.match(r.stderr, /command terminated with exit code 137/);
  assert.deepEqual(processesIn('app'), ['sleep 3600'], 'the pod itself keeps running');

  await startServe();
  const ids = [...instances().values()];
  assert.ok(instances().has('app') && instances().has('side'));
  assert.equal((await kubectl(['exec', 'exec-demo', '-c', 'app', '--', 'echo', 'back'])).stdout, 'back\n');
  assert.match(kubectlSync('delete', 'pod', 'exec-demo', '--grace-period=1'), /pod "exec-demo" deleted/);
  const mine = (): string[] => leftovers().filter((l) => l.includes(podUid) || ids.some((id) => l.includes(id)));
  await until('the pod\'s containers to be removed', () => instances().size === 0 && mine().length === 0, 20_000);
  assert.deepEqual(mine(), []);
  assert.deepEqual(hostProcesses(/sleep 777\d|exec --pid-file \/run\/podd\/exec/), []);
  assert.deepEqual(existsSync('/run/podd/exec') ? readdirSync('/run/podd/exec') : [], [], 'no pid or process file is left');
});
