// Faults: a `podd run` killed with SIGKILL cannot clean up after itself (conmon keeps its containers alive, by
// design); `podd cleanup`, or the next `podd run`, must remove everything it left, and nothing else.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { leftovers, poddBin, runPod, writeManifest } from './harness.js';

const LONG_POD = `
apiVersion: v1
kind: Pod
metadata: {name: killed-run}
spec:
  restartPolicy: Always
  volumes: [{name: scratch, emptyDir: {medium: Memory}}]
  initContainers:
    - {name: init, image: busybox, command: ["sh", "-c", "echo ready > /scratch/x"], volumeMounts: [{name: scratch, mountPath: /scratch}]}
  containers:
    - {name: app, image: busybox, command: ["sleep", "3600"], volumeMounts: [{name: scratch, mountPath: /scratch}]}
`;

/** Starts `podd run`, waits until the app container started, then SIGKILLs podd itself. */
function runAndKill(file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [poddBin, 'run', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let buf = '';
    child.stderr.on('data', (d: Buffer) => {
      buf += d.toString();
      if (/Started container app/.test(buf)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}

test('a SIGKILLed podd run leaves its pod running; podd cleanup removes all of it', async () => {
  await runAndKill(writeManifest(LONG_POD));
  const left = leftovers();
  assert.ok(left.some((l) => l.startsWith('runc containers:')), `the pod should still be there: ${left.join('; ')}`);
  assert.ok(left.some((l) => l.startsWith('mounts:')), 'its tmpfs volume and rootfs mounts too');
  const out = execFileSync(process.execPath, [poddBin, 'cleanup'], { encoding: 'utf8' });
  assert.match(out, /^removed 1 pod\(s\): [0-9a-f-]{36}$/m);
  assert.deepEqual(leftovers(), []);
  assert.equal(execFileSync(process.execPath, [poddBin, 'cleanup'], { encoding: 'utf8' }).trim(), 'nothing to clean up');
});

test('the next podd run removes what a killed run left, and runs its own pod', async () => {
  await runAndKill(writeManifest(LONG_POD));
  assert.notDeepEqual(leftovers(), []);
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: after-the-crash}
spec:
  restartPolicy: Never
  containers: [{name: app, image: busybox, command: ["echo", "fine"]}]
`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /removed 1 pod\(s\) left by a podd run that is gone/);
  assert.deepEqual(r.output('app'), ['fine']);
  assert.deepEqual(leftovers(), []);
});

test('conmon killed under a running container: the exit is never written, podd sees it lost (137) and still cleans up', async () => {
  let killed = false;
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: conmon-dies}
spec:
  restartPolicy: Never
  containers: [{name: app, image: busybox, command: ["sleep", "2"]}]
`, {
    args: ['--timeout', '30s'],
    onLine: (line) => {
      if (killed || !/Started container app/.test(line)) return;
      killed = true;
      for (const id of readdirSync('/run/podd/containers')) {
        const meta = JSON.parse(readFileSync(join('/run/podd/containers', id, 'meta.json'), 'utf8')) as { podName: string; name: string };
        if (meta.podName !== 'conmon-dies' || meta.name !== 'app') continue;
        process.kill(Number(readFileSync(join('/run/podd/containers', id, 'conmon.pid'), 'utf8')), 'SIGKILL');
      }
    },
  });
  assert.ok(killed, r.stderr);
  const app = r.pod?.status?.containerStatuses?.find((c) => c.name === 'app');
  assert.equal(app?.state.terminated?.exitCode, 137, JSON.stringify(app));
  assert.equal(app?.state.terminated?.reason, 'ContainerStatusUnknown');
  assert.equal(r.pod?.status?.phase, 'Failed');
  assert.equal(r.code, 1);
  assert.deepEqual(leftovers(), []);
});
