// podd's own client verbs (get, apply, describe, logs, exec, delete, events, kubeconfig) end to end: a real
// `podd serve`, real containers, and the real kubectl as the reference where their outputs can be compared.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { example, leftovers, poddBin, tempDir } from './harness.js';

const dir = tempDir('podd-verbs-');
const kubeconfig = join(dir, 'kubeconfig.yaml');
const port = String(20000 + Math.floor(Math.random() * 20000));
const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir, KUBECACHEDIR: join(dir, 'cache') };
const children = new Set<ChildProcess>();
let serve: ChildProcess | undefined;

after(async () => {
  for (const c of children) c.kill('SIGKILL');
  serve?.kill('SIGTERM');
  if (serve !== undefined && serve.exitCode === null && serve.signalCode === null) await new Promise((r) => serve?.once('close', r));
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnTracked(cmd: string, args: string[]): ChildProcess {
  const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  child.on('close', () => children.delete(child));
  return child;
}

function run(cmd: string, args: string[], input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(cmd, args);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin?.end(input);
  });
}

const podd = (...args: string[]): Promise<Run> => run(process.execPath, [poddBin, ...args]);
const kubectl = (...args: string[]): Promise<Run> => run('kubectl', args);

async function ok(r: Promise<Run>): Promise<string> {
  const res = await r;
  assert.equal(res.code, 0, `exit ${String(res.code)}: ${res.stderr}`);
  return res.stdout;
}

async function until(what: string, fn: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function phase(name: string): Promise<string | undefined> {
  const r = await podd('get', 'pod', name, '-o', 'json');
  return r.code === 0 ? (JSON.parse(r.stdout) as { status?: { phase?: string } }).status?.phase : undefined;
}

// A pod that stays Running (for exec), with an init container that writes to its log, and a container whose log
// grows for a few seconds and then ends (for logs -f).
const VERBS_DEMO = `apiVersion: v1
kind: Pod
metadata:
  name: verbs-demo
  labels: {app: verbs-demo}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 2
  initContainers:
  - name: init
    image: busybox
    command: ["sh", "-c", "echo init says hi; echo and bye"]
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
  - name: ticker
    image: busybox
    command: ["sh", "-c", "for i in 1 2 3 4 5 6 7 8; do echo tick $i; sleep 0.5; done"]
`;

test('podd get, apply, describe, logs, exec, events, delete and kubeconfig against podd serve', { timeout: 180_000 }, async () => {
  serve = spawn(process.execPath, [poddBin, 'serve', '--port', port, '--kubeconfig', kubeconfig, '--db', join(dir, 'state.db')], { stdio: 'ignore' });
  await until('the kubeconfig', () => existsSync(kubeconfig));
  await until('the API', async () => (await podd('get', 'ns')).code === 0);

  // kubeconfig: the file serve wrote, printed as is; and made again from the node's PKI for another server URL.
  assert.equal(await ok(podd('kubeconfig', '--kubeconfig', kubeconfig)), readFileSync(kubeconfig, 'utf8'));
  const generated = join(dir, 'generated.yaml');
  writeFileSync(generated, await ok(podd('kubeconfig', '--server', `https://127.0.0.1:${port}`)));
  assert.match(await ok(kubectl('--kubeconfig', generated, 'get', 'ns')), /^NAME\s+STATUS\s+AGE\ndefault\s+Active\s/);
  assert.equal((await podd('kubeconfig', '--server', 'http://127.0.0.1:1')).code, 2);

  // get -w from before the pod exists until it has completed.
  const watch = spawnTracked(process.execPath, [poddBin, 'get', 'pods', '-w']);
  let watched = '';
  watch.stdout?.on('data', (d: Buffer) => (watched += d.toString()));
  await new Promise((r) => setTimeout(r, 500));

  assert.equal(await ok(podd('apply', '-f', example('init-demo.yaml'))), 'pod/init-demo created\n');
  await until('init-demo to succeed', async () => (await phase('init-demo')) === 'Succeeded');
  assert.equal(await ok(podd('apply', '-f', example('init-demo.yaml'))), 'pod/init-demo unchanged\n');
  const pods = await ok(podd('get', 'pods'));
  assert.match(pods, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\ninit-demo\s+0\/2\s+Completed\s+0\s+\S+\n$/);
  assert.match(await ok(podd('get', 'pods', '-o', 'wide')), /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n/);
  const list = JSON.parse(await ok(podd('get', 'pods', '-o', 'json'))) as { kind: string; items: { metadata: { name: string }; status: { phase: string } }[] };
  assert.equal(list.kind, 'List');
  assert.deepEqual(list.items.map((p) => [p.metadata.name, p.status.phase]), [['init-demo', 'Succeeded']]);
  assert.match(await ok(podd('get', 'pod', 'init-demo', '-o', 'yaml')), /\n {2}phase: Succeeded\n/);
  await until('the watch to show Completed', () => /\ninit-demo\s+0\/2\s+Completed\s/.test(watched), 10_000);
  watch.kill('SIGTERM');
  assert.match(watched, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
  assert.equal(watched.match(/^NAME/gm)?.length, 1, `one header in:\n${watched}`);
  assert.match(watched, /\ninit-demo\s+0\/2\s+Init:0\/2\s/);

  // describe: kubectl's text, line for line, up to the events (whose order kubectl leaves to chance within a second).
  const described = await ok(podd('describe', 'pod', 'init-demo'));
  const reference = await ok(kubectl('describe', 'pod', 'init-demo'));
  const head = (s: string): string => s.slice(0, s.indexOf('\nEvents:'));
  assert.equal(head(described), head(reference));
  for (const part of ['\nInit Containers:\n  init-1:\n', '\n  init-2:\n', '\nContainers:\n  web:\n', '\n  client:\n', '      Reason:       Completed\n', '\nStatus:       Succeeded\n']) {
    assert.ok(described.includes(part), `describe lacks ${JSON.stringify(part)}:\n${described}`);
  }
  const eventLines = described.slice(described.indexOf('\nEvents:')).split('\n');
  for (const c of ['init-1', 'init-2', 'web', 'client']) {
    assert.ok(eventLines.some((l) => /^ {2}Normal\s+Started\s+\S+\s+podd\s+Started container /.test(l) && l.endsWith(` ${c}`)), `no Started event for ${c}`);
  }

  // events: kubectl events' columns, oldest first.
  const events = await ok(podd('events'));
  assert.match(events, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/);
  for (const re of [/\sNormal\s+Pulled\s+Pod\/init-demo\s+Container image "busybox" already present on machine\n/,
    /\sNormal\s+Created\s+Pod\/init-demo\s+Created container: init-1\n/, /\sNormal\s+Started\s+Pod\/init-demo\s+Started container client\n/]) {
    assert.match(events, re);
  }
  assert.ok(events.indexOf('Started container init-1') < events.indexOf('Started container init-2'), events);
  assert.equal(await ok(podd('events', '--for', 'pod/nope')), '');

  // logs
  assert.equal(await ok(podd('logs', 'init-demo', '-c', 'client')), 'hello from init-1\nand from init-2\n');
  assert.equal(await ok(podd('logs', 'init-demo', '-c', 'client', '--tail', '1')), 'and from init-2\n');
  assert.match(await ok(podd('logs', 'pod/init-demo', '-c', 'web', '--timestamps')), /^\d{4}-\d\d-\d\dT\S+ served on init-demo\n$/);
  const defaulted = await podd('logs', 'init-demo');
  assert.deepEqual(defaulted, { code: 0, stdout: 'served on init-demo\n', stderr: 'Defaulted container "web" out of: web, client, init-1 (init), init-2 (init)\n' });
  assert.deepEqual(await podd('logs', 'init-demo', '-c', 'nope'), { code: 1, stdout: '', stderr: 'error: container nope is not valid for pod init-demo\n' });
  // --all-containers: init containers first, then the others, each line behind --prefix's [pod/NAME/CONTAINER].
  let every = '';
  for (const c of ['init-1', 'init-2', 'web', 'client']) {
    every += (await ok(podd('logs', 'init-demo', '-c', c))).split('\n').filter((l) => l !== '').map((l) => `[pod/init-demo/${c}] ${l}\n`).join('');
  }
  assert.match(every, /\[pod\/init-demo\/client\] and from init-2\n$/);
  assert.equal(await ok(podd('logs', 'init-demo', '--all-containers', '--prefix')), every);
  assert.equal(await ok(podd('logs', 'init-demo', '-c', 'client', '--since', '1h')), 'hello from init-1\nand from init-2\n');
  assert.equal(await ok(podd('logs', 'init-demo', '-c', 'client', '--since-time', '2999-01-01T00:00:00Z')), '');
  assert.deepEqual(await podd('logs', 'init-demo', '--since', '1h', '--since-time', '2999-01-01T00:00:00Z'),
    { code: 1, stdout: '', stderr: 'error: at most one of `sinceTime` or `sinceSeconds` may be specified\n' });

  // A running pod: logs of an init container, logs -f, exec.
  const demo = join(dir, 'verbs-demo.yaml');
  writeFileSync(demo, VERBS_DEMO);
  assert.equal(await ok(podd('apply', '-f', demo)), 'pod/verbs-demo created\n');
  await until('verbs-demo to run', async () => /\nverbs-demo\s+2\/2\s+Running\s/.test((await podd('get', 'pods')).stdout));
  const follow = podd('logs', '-f', 'verbs-demo', '-c', 'ticker');
  assert.equal(await ok(podd('logs', 'verbs-demo', '-c', 'init')), 'init says hi\nand bye\n');
  const followed = await follow;
  assert.deepEqual(followed, { code: 0, stdout: [1, 2, 3, 4, 5, 6, 7, 8].map((i) => `tick ${i}\n`).join(''), stderr: '' });

  assert.deepEqual(await podd('exec', 'verbs-demo', '-c', 'main', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'),
    { code: 3, stdout: 'out\n', stderr: 'err\ncommand terminated with exit code 3\n' });
  assert.deepEqual(await run(process.execPath, [poddBin, 'exec', '-i', 'verbs-demo', '-c', 'main', '--', 'sh', '-c', 'cat; echo "[eof]"'], 'piped\nin\n'),
    { code: 0, stdout: 'piped\nin\n[eof]\n', stderr: '' });
  const execDefaulted = await podd('exec', 'verbs-demo', '--', 'hostname');
  assert.deepEqual(execDefaulted, { code: 0, stdout: 'verbs-demo\n', stderr: 'Defaulted container "main" out of: main, ticker, init (init)\n' });
  assert.deepEqual(await podd('exec', 'init-demo', '--', 'true'),
    { code: 1, stdout: '', stderr: 'error: cannot exec into a container in a completed pod; current phase is Succeeded\n' });
  assert.equal((await podd('exec', 'verbs-demo')).code, 2);
  // -t needs a terminal: script(1) gives podd one, 111x33. (The command waits a moment: the server applies the
  // size to the container's console asynchronously.)
  const tty = await run('script', ['-qec', `stty cols 111 rows 33; ${process.execPath} ${poddBin} exec -it verbs-demo -c main -- sh -c 'sleep 1; stty size; tty; exit 4'`, '/dev/null']);
  assert.equal(tty.code, 4, tty.stdout);
  assert.match(tty.stdout, /33 111\r?\r\n\/dev\/pts\/\d+\r?\r\ncommand terminated with exit code 4\r?\r?\n$/);

  // errors
  assert.deepEqual(await podd('get', 'pod', 'nope'), { code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "nope" not found\n' });
  assert.deepEqual(await podd('get', 'pod', 'nope'), await kubectl('get', 'pod', 'nope'));
  assert.equal((await podd('get', 'pods', '--bogus')).code, 2);
  assert.deepEqual(await podd('logs', 'nope'), { code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "nope" not found\n' });

  // delete waits until the pod is gone: right after it returns, the pod no longer exists.
  type Listed = { metadata: { uid: string }; status?: { initContainerStatuses?: { containerID?: string }[]; containerStatuses?: { containerID?: string }[] } };
  const listed = (JSON.parse(await ok(podd('get', 'pods', '-o', 'json'))) as { items: Listed[] }).items;
  const ids = listed.flatMap((p) => [p.metadata.uid, ...[...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]
    .map((c) => (c.containerID ?? '').replace(/^[a-z]+:\/\//, '')).filter((id) => id !== '')]);
  assert.equal(listed.length, 2);
  assert.deepEqual(await podd('delete', 'pod', 'verbs-demo'), { code: 0, stdout: 'pod "verbs-demo" deleted\n', stderr: '' });
  assert.deepEqual(await podd('get', 'pod', 'verbs-demo'), { code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "verbs-demo" not found\n' });
  assert.deepEqual(await podd('delete', '-f', example('init-demo.yaml')), { code: 0, stdout: 'pod "init-demo" deleted\n', stderr: '' });
  assert.deepEqual(await podd('get', 'pods'), { code: 0, stdout: '', stderr: 'No resources found in default namespace.\n' });
  assert.deepEqual(await podd('delete', 'pod', 'init-demo'), { code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "init-demo" not found\n' });

  // Nothing of these pods may remain (other pods on this host are not this test's to judge).
  const mine = (): string[] => leftovers().flatMap((l) => ids.filter((id) => l.includes(id)).map((id) => `${id} in ${l}`));
  await until('the containers of the deleted pods to be removed', () => mine().length === 0, 15_000);
  serve.kill('SIGTERM');
  await new Promise((r) => serve?.once('close', r));
  assert.deepEqual(mine(), []);
});
