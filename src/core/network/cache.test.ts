import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type CacheEntry, decodeCacheEntry, encodeCacheEntry } from './cache.js';
import { defaultConfList } from './default-conflist.js';
import { isNetworkError } from './errors.js';

const entry: CacheEntry = {
  sandboxId: 'sb1',
  ifName: 'eth0',
  netnsPath: '/run/podd/netns/sb1',
  cniArgs: [['IgnoreUnknown', '1'], ['K8S_POD_NAME', 'web']],
  capabilities: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '127.0.0.1' }] },
  config: defaultConfList(),
};

test('a record round-trips, with and without a result', () => {
  assert.deepEqual(decodeCacheEntry(encodeCacheEntry(entry), 'f'), entry);
  const done = { ...entry, result: { cniVersion: '1.0.0', ips: [] } };
  assert.deepEqual(decodeCacheEntry(encodeCacheEntry(done), 'f'), done);
  assert.equal(JSON.parse(encodeCacheEntry(entry)).networkName, 'podd', 'the network name is visible to a person reading the file');
});

const good = JSON.parse(encodeCacheEntry(entry)) as Record<string, unknown>;
const corrupt: [string, string, RegExp][] = [
  ['not JSON', '{', /not valid JSON/],
  ['another kind', JSON.stringify({ ...good, kind: 'cniCacheV1' }), /not a poddCniCacheV1 record/],
  ['sandboxId missing', JSON.stringify({ ...good, sandboxId: undefined }), /must be strings/],
  ['cniArgs not pairs', JSON.stringify({ ...good, cniArgs: [['a']] }), /cniArgs must be \[key, value\] pairs/],
  ['capabilities not an object', JSON.stringify({ ...good, capabilities: [] }), /capabilities must be an object/],
  ['port mapping without ports', JSON.stringify({ ...good, capabilities: { portMappings: [{ protocol: 'tcp' }] } }), /needs hostPort/],
  ['port mapping protocol', JSON.stringify({ ...good, capabilities: { portMappings: [{ hostPort: 1, containerPort: 1, protocol: 'TCP' }] } }), /protocol/],
  ['result not an object', JSON.stringify({ ...good, result: 'x' }), /result must be an object/],
  ['config broken', JSON.stringify({ ...good, config: { name: 'x' } }), /cniVersion is required/],
];
for (const [name, text, want] of corrupt) {
  test(`decodeCacheEntry refuses: ${name}`, () => {
    assert.throws(() => decodeCacheEntry(text, '/c/sb1.json'), (err: unknown) => isNetworkError(err, 'InvalidConfig') && want.test(err.message));
  });
}
