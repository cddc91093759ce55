// The pod sandbox: what the pause container gives every container of a pod (shared network, IPC and UTS
// namespaces, the pod's hostname, PID 1 and zombie reaping with shareProcessNamespace), and the pause binary itself.
// Everything is proven from what the containers wrote into a hostPath dir made by the test.
//
// Note on `$$$$` in commands: Kubernetes expands $(VAR) references in command/args and reduces `$$` to `$`,
// so a shell's own PID (`$$`) has to be written `$$$$` in a manifest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { containerStatus, leftovers, repoRoot, runPod, tempDir } from './harness.js';

const pauseBinary = join(repoRoot, 'pause', 'pause');

interface Ctr {
  name: string;
  command: string[];
}

/** A restartPolicy Never pod whose containers all mount the hostPath dir `out` at /out. */
function podYaml(name: string, out: string, init: Ctr[], apps: Ctr[], extraSpec: Record<string, unknown> = {}): string {
  const withMount = (c: Ctr): Record<string, unknown> => ({
    name: c.name, image: 'busybox', command: c.command, volumeMounts: [{ name: 'out', mountPath: '/out' }],
  });
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 2,
      ...extraSpec,
      volumes: [{ name: 'out', hostPath: { path: out, type: 'Directory' } }],
      ...(init.length > 0 ? { initContainers: init.map(withMount) } : {}),
      containers: apps.map(withMount),
    },
  };
  return JSON.stringify(pod, null, 2); // JSON is YAML
}

const sh = (script: string): string[] => ['sh', '-c', script];

function read(dir: string, file: string): string {
  const p = join(dir, file);
  assert.ok(existsSync(p), `the container did not write ${file}`);
  return readFileSync(p, 'utf8').trim();
}

function ok(r: { code: number | null; stderr: string }): void {
  assert.equal(r.code, 0, `podd exited ${String(r.code)}; stderr:\n${r.stderr}`);
}

/** `ps -o pid,ppid,stat,args` output as rows. */
function psRows(text: string): { pid: number; ppid: number; stat: string; args: string }[] {
  return text.split('\n').slice(1).filter((l) => l.trim() !== '').map((l) => {
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(l);
    assert.ok(m, `unexpected ps line: ${l}`);
    return { pid: Number(m[1]), ppid: Number(m[2]), stat: m[3] ?? '', args: m[4] ?? '' };
  });
}

test('two app containers talk over 127.0.0.1 and both see the pod name as hostname', async () => {
  const out = tempDir();
  // The page lives in the server's own root filesystem, so the client can only get it over the pod's loopback.
  const server = sh([
    'hostname > /out/server-hostname',
    'mkdir -p /www && echo "token-7f3a from server" > /www/index.html',
    'httpd -f -p 127.0.0.1:8080 -h /www & i=0',
    'while [ ! -f /out/fetched ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done',
    'kill $!',
  ].join('; '));
  const client = sh([
    'hostname > /out/client-hostname',
    'i=0; until wget -q -O /tmp/page http://127.0.0.1:8080/index.html; do i=$((i+1)); [ $i -gt 50 ] && exit 1; sleep 0.1; done',
    'cp /tmp/page /out/fetched',
  ].join('; '));
  const r = await runPod(podYaml('sandbox-net', out, [], [{ name: 'server', command: server }, { name: 'client', command: client }]));
  ok(r);
  assert.equal(r.pod?.status?.phase, 'Succeeded');
  assert.equal(read(out, 'fetched'), 'token-7f3a from server');
  assert.equal(read(out, 'server-hostname'), 'sandbox-net');
  assert.equal(read(out, 'client-hostname'), 'sandbox-net');
  assert.deepEqual(leftovers(), []);
});

test('spec.hostname, when set, is the hostname of every container (init and app)', async () => {
  const out = tempDir();
  const r = await runPod(podYaml('sandbox-hostname', out,
    [{ name: 'init', command: sh('hostname > /out/init; cat /etc/hostname > /out/init-etc') }],
    [{ name: 'app', command: sh('hostname > /out/app; cat /etc/hostname > /out/app-etc') }],
    { hostname: 'custom-host' }));
  ok(r);
  assert.equal(read(out, 'init'), 'custom-host');
  assert.equal(read(out, 'app'), 'custom-host');
  assert.equal(read(out, 'init-etc'), 'custom-host');
  assert.equal(read(out, 'app-etc'), 'custom-host');
  assert.deepEqual(leftovers(), []);
});

test('init and app containers share the sandbox network, IPC and UTS namespaces (not the host ones), PID is per container', async () => {
  const out = tempDir();
  const nsDump = (who: string): string =>
    `for ns in net ipc uts pid; do readlink /proc/self/ns/$ns > /out/${who}-$ns; done`;
  const r = await runPod(podYaml('sandbox-ns', out,
    // A POSIX message queue lives in the IPC namespace: made by the init container, still there for the apps.
    [{ name: 'init', command: sh(`${nsDump('init')}; touch /dev/mqueue/podd-queue`) }],
    [
      { name: 'app-1', command: sh(`${nsDump('app-1')}; ls /dev/mqueue > /out/app-1-mqueue; sleep 0.5`) },
      { name: 'app-2', command: sh(`${nsDump('app-2')}; sleep 0.5`) },
    ]));
  ok(r);
  const host = (ns: string): string => readlinkSync(`/proc/self/ns/${ns}`);
  for (const ns of ['net', 'ipc', 'uts']) {
    const init = read(out, `init-${ns}`);
    assert.match(init, new RegExp(`^${ns}:\\[\\d+\\]$`));
    assert.equal(read(out, `app-1-${ns}`), init, `${ns}: app-1 and the init container differ`);
    assert.equal(read(out, `app-2-${ns}`), init, `${ns}: app-2 and the init container differ`);
    assert.notEqual(init, host(ns), `${ns}: the pod uses the host's namespace`);
  }
  // The two apps run at the same time (namespace inode numbers are reused once a namespace is gone, so the
  // exited init container's PID namespace can't be compared).
  const pids = ['app-1', 'app-2'].map((c) => read(out, `${c}-pid`));
  assert.equal(new Set([...pids, host('pid')]).size, 3, `PID namespaces are not per container: ${pids.join(' ')}`);
  assert.match(read(out, 'app-1-mqueue'), /^podd-queue$/m);
  assert.deepEqual(leftovers(), []);
});

test('/dev/shm is one tmpfs shared by all containers of the pod', async () => {
  const out = tempDir();
  const r = await runPod(podYaml('sandbox-shm', out,
    [{ name: 'init', command: sh('echo shm-from-init > /dev/shm/token') }],
    [{ name: 'app', command: sh('cat /dev/shm/token > /out/token; grep " /dev/shm " /proc/mounts > /out/mount') }]));
  ok(r);
  assert.equal(read(out, 'token'), 'shm-from-init');
  assert.match(read(out, 'mount'), /^\S+ \/dev\/shm tmpfs /);
  assert.deepEqual(leftovers(), []);
});

test('pause -v prints "pause.c 0.1.0" and exits 0; the binary is static and under 1 MB', () => {
  const v = spawnSync(pauseBinary, ['-v'], { encoding: 'utf8', timeout: 5000 });
  assert.equal(v.status, 0);
  assert.equal(v.stdout, 'pause.c 0.1.0\n');
  assert.ok(statSync(pauseBinary).size < 1024 * 1024, `pause is ${statSync(pauseBinary).size} bytes`);
  const file = spawnSync('file', ['-b', pauseBinary], { encoding: 'utf8' });
  assert.match(file.stdout, /statically linked/);
  const ldd = spawnSync('ldd', [pauseBinary], { encoding: 'utf8' });
  assert.match(ldd.stdout + ldd.stderr, /not a dynamic executable/);
});

/** Starts pause on the host and waits until its SIGINT/SIGTERM/SIGCHLD handlers are installed. */
async function startPause(): Promise<{ pid: number; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> }> {
  const child = spawn(pauseBinary, [], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })));
  const pid = child.pid ?? 0;
  const wanted = (1n << 1n) | (1n << 14n) | (1n << 16n); // SIGINT(2), SIGTERM(15), SIGCHLD(17): bit n-1
  for (let i = 0; i < 200; i++) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const caught = BigInt(`0x${/^SigCgt:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0'}`);
    if ((caught & wanted) === wanted) return { pid, exit };
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGKILL');
  throw new Error('pause never installed its signal handlers');
}

test('pause exits 0 on SIGTERM and on SIGINT, saying why; it warns when it is not PID 1', async () => {
  for (const [sig, name] of [['SIGTERM', 'Terminated'], ['SIGINT', 'Interrupt']] as const) {
    const p = await startPause();
    process.kill(p.pid, sig);
    const res = await p.exit;
    assert.equal(res.signal, null, `${sig} killed pause instead of being handled`);
    assert.equal(res.code, 0, `${sig}: exit ${String(res.code)}`);
    assert.match(res.stderr, new RegExp(`Shutting down, got signal: ${name}`));
    assert.match(res.stderr, /Warning: pause should be the first process/);
  }
});

test('without shareProcessNamespace every container is PID 1 of its own namespace and sees no other process', async () => {
  const out = tempDir();
  const r = await runPod(podYaml('sandbox-pid', out,
    [{ name: 'init', command: sh('echo $$$$ > /out/init-pid') }],
    [
      { name: 'busy', command: sh('echo $$$$ > /out/busy-pid; exec sleep 1.5') },
      { name: 'looker', command: sh('tr "\\0" " " < /proc/1/cmdline > /out/looker-pid1; echo $$$$ > /out/looker-pid; sleep 0.5; ps -o pid,ppid,stat,args > /out/looker-ps') },
    ]));
  ok(r);
  assert.equal(read(out, 'init-pid'), '1');
  assert.equal(read(out, 'busy-pid'), '1');
  assert.equal(read(out, 'looker-pid'), '1');
  assert.match(read(out, 'looker-pid1'), /^sh -c tr /);
  const ps = psRows(read(out, 'looker-ps'));
  assert.ok(!ps.some((p) => /sleep 1\.5|pause/.test(p.args)), `looker sees other containers' processes:\n${read(out, 'looker-ps')}`);
  // Only its own shell (PID 1) and the ps it ran (a forked busybox applet: "{ps} sh -c ...", or "ps -o ...").
  assert.deepEqual(ps.filter((p) => p.pid !== 1 && !/^(\{ps\}|ps )/.test(p.args)), [], read(out, 'looker-ps'));
  assert.equal(ps.filter((p) => p.pid === 1).length, 1);
  assert.deepEqual(leftovers(), []);
});

test('shareProcessNamespace: pause is PID 1 everywhere, containers see each other, orphaned zombies are reaped by pause', async () => {
  const out = tempDir();
  const inspector = [
    'tr "\\0" " " < /proc/1/cmdline > /out/inspector-pid1',
    'echo $$$$ > /out/inspector-pid',
    'sleep 0.3',
    'ps -o pid,ppid,stat,args > /out/ps-before',
    // The inner shell exits at once without waiting: its child "sleep 0.6" is orphaned and re-parented to PID 1.
    "sh -c 'sleep 0.6 & exit 0'",
    'sleep 0.2',
    'ps -o pid,ppid,stat,args > /out/ps-orphan',
    // The orphan has exited by now: only PID 1 (pause) can have reaped it.
    'sleep 1',
    'ps -o pid,ppid,stat,args > /out/ps-after',
  ].join('; ');
  const r = await runPod(podYaml('sandbox-sharedpid', out,
    [{ name: 'init', command: sh('tr "\\0" " " < /proc/1/cmdline > /out/init-pid1') }],
    [
      { name: 'sleeper', command: sh('tr "\\0" " " < /proc/1/cmdline > /out/sleeper-pid1; exec sleep 2.5') },
      { name: 'inspector', command: sh(inspector) },
    ],
    { shareProcessNamespace: true }));
  ok(r);
  for (const c of ['init', 'sleeper', 'inspector']) assert.equal(read(out, `${c}-pid1`), '/pause', `${c}: PID 1 is not pause`);
  assert.notEqual(read(out, 'inspector-pid'), '1');

  const before = psRows(read(out, 'ps-before'));
  assert.deepEqual(before.find((p) => p.pid === 1)?.args, '/pause');
  assert.ok(before.some((p) => /sleep 2\.5/.test(p.args)), `inspector does not see sleeper:\n${read(out, 'ps-before')}`);

  // The orphan shows as "sleep 0.6" or, a forked busybox applet, "{sleep} sh -c sleep 0.6 & exit 0"; the
  // inspector's own shell carries the whole script (with "ps -o") in its arguments.
  const orphan = psRows(read(out, 'ps-orphan')).find((p) => p.args.includes('sleep 0.6') && !p.args.includes('ps -o'));
  assert.ok(orphan, `the orphan was not found:\n${read(out, 'ps-orphan')}`);
  assert.equal(orphan.ppid, 1, 'the orphan was not re-parented to pause');

  const after = psRows(read(out, 'ps-after'));
  assert.deepEqual(after.filter((p) => p.stat.startsWith('Z')), [], `zombies left:\n${read(out, 'ps-after')}`);
  assert.ok(!after.some((p) => p.pid === orphan.pid), `the orphan (pid ${orphan.pid}) is still there:\n${read(out, 'ps-after')}`);
  assert.equal(containerStatus(r.pod, 'inspector')?.state?.terminated?.exitCode, 0);
  assert.deepEqual(leftovers(), []);
});
