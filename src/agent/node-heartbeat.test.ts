import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteObjectStore } from '../store/object-store.js';
import type { StoredObject } from '../store/types.js';
import { NODE_LEASE_NAMESPACE, NodeHeartbeat } from './node-heartbeat.js';

interface Lease extends StoredObject {
  spec: { holderIdentity: string; leaseDurationSeconds: number; renewTime: string };
}
interface NodeObject extends StoredObject {
  status: { conditions: { type: string; status: string; lastHeartbeatTime: string }[] };
}

test('the node heartbeat: a Lease owned by the Node, renewed with a MicroTime; the Ready condition\'s heartbeat moves on', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podd-heartbeat-'));
  const store = SqliteObjectStore.open(join(dir, 'state.db'));
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  store.create('namespaces', { metadata: { name: NODE_LEASE_NAMESPACE } });
  store.create('nodes', {
    metadata: { name: 'host-1' },
    status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-01T00:00:00Z' }] },
  } as NodeObject);
  let now = Date.parse('2026-11-27T06:00:00.123Z');
  const heartbeat = new NodeHeartbeat(store, { nodeName: 'host-1', now: () => now, log: (l) => assert.fail(l), leaseMs: 3_600_000, statusMs: 3_600_000 });
  heartbeat.start();
  t.after(() => heartbeat.stop());

  const lease = store.get<Lease>('leases', NODE_LEASE_NAMESPACE, 'host-1');
  assert.deepEqual(lease.spec, { holderIdentity: 'host-1', leaseDurationSeconds: 40, renewTime: '2026-11-27T06:00:00.123000Z' });
  const node = store.get<NodeObject>('nodes', '', 'host-1');
  assert.deepEqual(lease.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'host-1', uid: node.metadata.uid }]);
  assert.equal(node.status.conditions[0]?.lastHeartbeatTime, '2026-11-27T06:00:00Z');
  assert.equal(node.status.conditions[0]?.status, 'True');

  now += 10_500;
  heartbeat.renewLease();
  assert.equal(store.get<Lease>('leases', NODE_LEASE_NAMESPACE, 'host-1').spec.renewTime, '2026-11-27T06:00:10.623000Z');
  assert.equal(store.list('leases', undefined).items.length, 1);
});
