// `podd serve` end to end for the API's extras: kubectl's generator commands (protobuf bodies), paged lists
// (--chunk-size), server-side apply removing a dropped label, and events expiring after --event-ttl. Other
// engineers' pods may run on this host at the same time, so the cleanup check looks only at this test's pod.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { poddBin, tempDir, runcList } from './harness.js';

const dir = tempDir('podd-api-extras-');
const kubeconfig = join(dir, 'kubeconfig.yaml');
const port = String(20000 + Math.floor(Math.random() * 20000));
let serve: ChildProcess | undefined;
let podUid = '';

after(async () => {
  // A failed run still removes its pod (containers keep running under conmon when podd serve stops).
  if (podUid !== '' && leftoversOf(podUid).length > 0) {
    try {
      kubectl('delete', 'pod', 'ttl', '-n', 'extras', '--ignore-not-found', '--timeout=30s');
      await until('the pod to be cleaned up', () => leftoversOf(podUid).length === 0, 15_000);
    } catch {
      // reported by the test itself
    }
  }
  serve?.kill('SIGTERM');
  if (serve !== undefined && serve.exitCode === null) await new Promise((r) => serve?.once('close', r));
  rmSync(dir, { recursive: true, force: true });
});

function kubectl(...args: string[]): string {
  return execFileSync('kubectl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir, KUBECACHEDIR: join(dir, 'cache') } });
}

function kubectlFails(...args: string[]): string {
  try {
    kubectl(...args);
  } catch (err) {
    return String((err as { stderr?: unknown }).stderr ?? '');
  }
  throw new Error(`kubectl ${args.join(' ')} succeeded`);
}

async function until(what: string, fn: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** What a pod left on the host: its runc containers, its pod dir and its mounts. */
function leftoversOf(uid: string): string[] {
  const found: string[] = [];
  for (const id of runcList().split('\n').filter((l) => l !== '')) {
    try {
      if (execFileSync('runc', ['state', id], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes(uid)) found.push(`runc ${id}`);
    } catch {
      // gone meanwhile
    }
  }
  if (existsSync(`/var/lib/podd/pods/${uid}`)) found.push(`/var/lib/podd/pods/${uid}`);
  found.push(...readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(uid)));
  return found;
}

test('podd serve: generator commands, --chunk-size, server-side apply field removal, --event-ttl', async () => {
  serve = spawn(process.execPath, [poddBin, 'serve', '--port', port, '--kubeconfig', kubeconfig, '--db', join(dir, 'state.db'), '--event-ttl', '2s'],
    { stdio: 'ignore' });
  await until('the kubeconfig', () => existsSync(kubeconfig));
  await until('the API', () => {
    try {
      return kubectl('version').includes('v1.32.0');
    } catch {
      return false;
    }
  });

  // kubectl's generators send protobuf.
  assert.match(kubectl('create', 'namespace', 'extras'), /namespace\/extras created/);
  assert.match(kubectl('create', 'secret', 'generic', 'creds', '-n', 'extras', '--from-literal=user=admin'), /secret\/creds created/);
  assert.equal(kubectl('get', 'secret', 'creds', '-n', 'extras', '-o', 'jsonpath={.data.user}'), Buffer.from('admin').toString('base64'));
  for (let i = 1; i <= 5; i++) assert.match(kubectl('create', 'configmap', `cm-${i}`, '-n', 'extras', `--from-literal=i=${i}`), /created/);
  assert.match(kubectlFails('create', 'configmap', 'cm-1', '-n', 'extras', '--from-literal=i=1'), /configmaps "cm-1" already exists/);

  // Pages of two: every one of the five is listed, once.
  const rows = kubectl('get', 'configmaps', '-n', 'extras', '--chunk-size=2', '--no-headers').trim().split('\n').map((l) => l.split(/\s+/)[0]);
  assert.deepEqual(rows, ['cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5']);

  // Server-side apply twice, the second time without a label: the label goes.
  const manifest = (labels: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  namespace: extras\n  labels: {${labels}}\ndata: {k: v}\n`;
  assert.match(kubectl('apply', '--server-side', '-f', file('a1.yaml', manifest('app: web, tier: front'))), /configmap\/applied serverside-applied/);
  assert.match(kubectl('apply', '--server-side', '-f', file('a2.yaml', manifest('app: web'))), /configmap\/applied serverside-applied/);
  assert.equal(kubectl('get', 'cm', 'applied', '-n', 'extras', '-o', 'jsonpath={.metadata.labels}'), '{"app":"web"}');
  assert.match(kubectl('get', 'cm', 'applied', '-n', 'extras', '-o', 'yaml', '--show-managed-fields'), /manager: kubectl\n {4}operation: Apply/);
  assert.match(kubectlFails('apply', '--server-side', '--field-manager=other', '-f', file('a3.yaml', manifest('app: db'))),
    /Apply failed with 1 conflict: conflict with "kubectl": \.metadata\.labels\.app/);

  // A pod's events appear, then expire 2 s after their last activity.
  const pod = file('pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: ttl\n  namespace: extras\nspec:\n  restartPolicy: Never\n'
    + '  terminationGracePeriodSeconds: 1\n  containers:\n  - name: main\n    image: busybox\n    command: [sh, -c, "echo hi"]\n');
  assert.match(kubectl('apply', '-f', pod), /pod\/ttl created/);
  podUid = kubectl('get', 'pod', 'ttl', '-n', 'extras', '-o', 'jsonpath={.metadata.uid}');
  const events = (): string => kubectl('get', 'events', '-n', 'extras', '--no-headers', '--ignore-not-found');
  await until('the pod\'s events', () => /Normal\s+\w+\s+pod\/ttl\s/.test(events()));
  await until('the pod to finish', () => kubectl('get', 'pod', 'ttl', '-n', 'extras', '-o', 'jsonpath={.status.phase}') === 'Succeeded');
  await until('the events to expire', () => !events().includes('pod/ttl'), 10_000);
  assert.equal(JSON.parse(kubectl('get', 'events', '-n', 'extras', '-o', 'json')).items.length, 0);

  assert.match(kubectl('delete', 'pod', 'ttl', '-n', 'extras'), /pod "ttl" deleted/);
  await until('the pod\'s containers and mounts to go', () => leftoversOf(podUid).length === 0, 15_000);
});
