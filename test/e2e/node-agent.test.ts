// The node agent of `podd serve`, without the HTTP layer: pods put into the store run on real containers, their
// status and events come back into the store, and deleting a pod removes its containers and then the object.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseAndValidate } from '../../src/api/load.js';
import type { Pod } from '../../src/api/types.js';
import { NodeAgent } from '../../src/agent/node-agent.js';
import { composeNode } from '../../src/bin/compose.js';
import { nodeConfigFromEnv } from '../../src/bin/node-config.js';
import { SqliteObjectStore } from '../../src/store/object-store.js';
import { leftovers, tempDir } from './harness.js';

const node = await composeNode(nodeConfigFromEnv());
const dbFile = join(tempDir('podd-agent-'), 'state.db');
const store = SqliteObjectStore.open(dbFile);
const agent = new NodeAgent(store, node.deps, { stateDir: nodeConfigFromEnv().stateDir, db: dbFile });
await agent.start();
after(async () => {
  await agent.stop();
  store.close();
  node.close();
});

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function podFrom(yaml: string): Pod {
  const pod = parseAndValidate(yaml).pods[0];
  assert.ok(pod);
  return pod;
}

test('a pod created in the store runs its init container then its app, and its status and events land in the store', async () => {
  store.create('pods', podFrom(`
apiVersion: v1
kind: Pod
metadata: {name: agent-job}
spec:
  restartPolicy: Never
  initContainers: [{name: init, image: busybox, command: ["true"]}]
  containers: [{name: app, image: busybox, command: ["sh", "-c", "echo done"]}]
`));
  const done = await until('Succeeded', () => {
    const p = store.tryGet<Pod>('pods', 'default', 'agent-job');
    return p?.status?.phase === 'Succeeded' ? p : undefined;
  });
  assert.equal(done.status?.initContainerStatuses?.[0]?.state.terminated?.reason, 'Completed');
  assert.equal(done.status?.containerStatuses?.[0]?.state.terminated?.exitCode, 0);
  const reasons = store.list<{ metadata: { name?: string }; reason: string; involvedObject: { name: string } }>('events', 'default').items
    .filter((e) => e.involvedObject.name === 'agent-job').map((e) => e.reason);
  assert.ok(reasons.includes('Started') && reasons.includes('Created') && reasons.includes('Pulled'), reasons.join(','));

  // A finished pod stays (with its exited containers) until it is deleted.
  store.update<Pod>('pods', 'default', 'agent-job', (p) => ({ ...p, metadata: { ...p.metadata, deletionTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), deletionGracePeriodSeconds: 0 } }));
  await until('the object to be removed', () => (store.tryGet('pods', 'default', 'agent-job') === undefined ? true : undefined));
  await agent.idle();
  assert.deepEqual(leftovers(), []);
});

test('deleting a running pod stops its containers gracefully, then the object goes', async () => {
  store.create('pods', podFrom(`
apiVersion: v1
kind: Pod
metadata: {name: agent-server}
spec:
  terminationGracePeriodSeconds: 5
  containers: [{name: app, image: busybox, command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"]}]
`));
  await until('Running', () => (store.tryGet<Pod>('pods', 'default', 'agent-server')?.status?.phase === 'Running' ? true : undefined));
  store.update<Pod>('pods', 'default', 'agent-server', (p) => ({ ...p, metadata: { ...p.metadata, deletionTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), deletionGracePeriodSeconds: 5 } }));
  await until('the object to be removed', () => (store.tryGet('pods', 'default', 'agent-server') === undefined ? true : undefined));
  await agent.idle();
  assert.deepEqual(leftovers(), []);
});
