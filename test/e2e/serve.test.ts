// `podd serve` end to end: the real kubectl applies a pod, sees it run on real containers with kubectl's STATUS,
// reads its events, and deletes it; the containers are gone afterwards.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { example, leftovers, poddBin, tempDir } from './harness.js';

const dir = tempDir('podd-serve-');
const kubeconfig = join(dir, 'kubeconfig.yaml');
const port = String(20000 + Math.floor(Math.random() * 20000));
let serve: ChildProcess | undefined;

after(async () => {
  serve?.kill('SIGTERM');
  await new Promise((r) => serve?.once('close', r));
});

function kubectl(...args: string[]): string {
  return execFileSync('kubectl', args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir, KUBECACHEDIR: join(dir, 'cache') } });
}

async function until(what: string, fn: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('kubectl applies init-demo to podd serve, sees it complete, reads events and logs, deletes it', async () => {
  serve = spawn(process.execPath, [poddBin, 'serve', '--port', port, '--kubeconfig', kubeconfig, '--db', join(dir, 'state.db')], { stdio: 'ignore' });
  await until('the kubeconfig', () => existsSync(kubeconfig));
  await until('the API', () => {
    try {
      return kubectl('version').includes('v1.32.0');
    } catch {
      return false;
    }
  });
  assert.match(kubectl('apply', '-f', example('init-demo.yaml')), /pod\/init-demo created/);
  await until('Succeeded', () => kubectl('get', 'pod', 'init-demo', '-o', 'jsonpath={.status.phase}') === 'Succeeded');
  assert.match(kubectl('get', 'pods'), /init-demo\s+0\/2\s+Completed\s+0\s/);
  const events = kubectl('get', 'events');
  assert.match(events, /Started\s+pod\/init-demo\s+Started container init-1/);
  assert.match(events, /Started\s+pod\/init-demo\s+Started container client/);
  assert.equal(kubectl('logs', 'init-demo', '-c', 'client'), 'hello from init-1\nand from init-2\n');
  assert.equal(kubectl('logs', 'init-demo', '-c', 'client', '--tail=1'), 'and from init-2\n');
  assert.match(kubectl('logs', 'init-demo', '-c', 'web', '--timestamps'), /^\d{4}-\d\d-\d\dT\S+ served on init-demo\n$/);
  assert.match(kubectl('delete', 'pod', 'init-demo'), /pod "init-demo" deleted/);
  assert.match(kubectl('get', 'pods'), /^$/);
  // A finished pod's object goes at once (as the apiserver does for terminal pods); the agent removes its exited
  // containers right after, asynchronously, as the kubelet does.
  await until('the exited containers to be removed', () => leftovers().length === 0, 10_000);
  assert.deepEqual(leftovers(), []);
});
