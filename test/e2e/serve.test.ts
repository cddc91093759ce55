// `podd serve` end to end: the real kubectl applies a pod, sees it run on real containers with kubectl's STATUS,
// reads its events, and deletes it; the containers are gone afterwards.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { example, leftovers } from './harness.js';
import { ServeFixture, until } from './serve-harness.js';

const serve = new ServeFixture();
after(() => serve.dispose());
const kubectl = (...args: string[]): string => serve.kubectl(...args);

test('kubectl applies init-demo to podd serve, sees it complete, reads events and logs, deletes it', async () => {
  await serve.start();
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
