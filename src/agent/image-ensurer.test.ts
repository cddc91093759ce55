import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Secret } from '../api/types.js';
import { PoddError } from '../core/errors.js';
import type { ImageRecord, ImageStore, PullOptions, PullResult } from '../runtime/image/types.js';
import { ImageEnsurer } from './image-ensurer.js';

function record(name: string, repoDigests?: string[]): ImageRecord {
  return {
    name, id: `sha256:${'1'.repeat(64)}`, layers: [], size: 1234,
    config: { Env: [], Entrypoint: [], Cmd: [], WorkingDir: '', User: '', StopSignal: '' },
    created: '', lastUsed: '', ...(repoDigests === undefined ? {} : { repoDigests }),
  };
}

/** A store holding `present`, whose pull answers with `pull`. */
function fakeStore(present: ImageRecord | undefined, pull?: (ref: string, o: PullOptions) => Promise<PullResult>): ImageStore & { pulls: PullOptions[] } {
  const pulls: PullOptions[] = [];
  return {
    pulls,
    importArchive: () => Promise.reject(new Error('unused')),
    resolve: () => Promise.resolve(present),
    list: () => Promise.resolve(present === undefined ? [] : [present]),
    remove: () => Promise.resolve(),
    layerDirs: () => [],
    markUsed: () => Promise.resolve(),
    ...(pull === undefined ? {} : { pull: (ref: string, o: PullOptions = {}) => (pulls.push(o), pull(ref, o)) }),
  };
}

const container = (image: string, imagePullPolicy?: Container['imagePullPolicy']): Container => ({
  name: 'app', image, ...(imagePullPolicy === undefined ? {} : { imagePullPolicy }),
});

function run(store: ImageStore, c: Container, now = 0, pod?: Parameters<ImageEnsurer['ensure']>[4], ensurer = new ImageEnsurer(store, { initialMs: 1000, maxMs: 8000 })) {
  const events: string[] = [];
  return ensurer.ensure('uid', c, now, (type, reason, message) => events.push(`${type} ${reason}: ${message}`), pod).then((result) => ({ result, events }));
}

const pulled = (ref: string): Promise<PullResult> =>
  Promise.resolve({ image: record(ref, [`r/x@sha256:${'2'.repeat(64)}`]), digest: `sha256:${'2'.repeat(64)}`, pullMs: 1234.567, totalMs: 2000.9, downloadedBytes: 10 });

test('a missing image is pulled: Pulling, then Pulled with the kubelet\'s timing and size', async () => {
  const { result, events } = await run(fakeStore(undefined, pulled), container('127.0.0.1:5000/test/app:v1'));
  assert.equal(result.ok, true);
  assert.deepEqual(events, [
    'Normal Pulling: Pulling image "127.0.0.1:5000/test/app:v1"',
    'Normal Pulled: Successfully pulled image "127.0.0.1:5000/test/app:v1" in 1.234s (2s including waiting). Image size: 1234 bytes.',
  ]);
});

test('IfNotPresent with the image present: no pull', async () => {
  const store = fakeStore(record('r/x:v1', ['r/x@sha256:1']), pulled);
  const { result, events } = await run(store, container('r/x:v1', 'IfNotPresent'));
  assert.equal(result.ok, true);
  assert.deepEqual(events, ['Normal Pulled: Container image "r/x:v1" already present on machine']);
  assert.equal(store.pulls.length, 0);
});

test('Always pulls a pulled image again, but uses an imported one (podd\'s busybox) as it is', async () => {
  const fromRegistry = fakeStore(record('r/x:latest', ['r/x@sha256:1']), pulled);
  assert.match((await run(fromRegistry, container('r/x'))).events.join('\n'), /Successfully pulled image "r\/x"/);
  const imported = fakeStore(record('docker.io/library/busybox:latest'), pulled);
  const { events } = await run(imported, container('busybox', 'Always'));
  assert.deepEqual(events, ['Normal Pulled: Container image "busybox" already present on machine']);
  assert.equal(imported.pulls.length, 0);
});

test('Never with the image missing: ErrImageNeverPull', async () => {
  const { result, events } = await run(fakeStore(undefined, pulled), container('r/x:v1', 'Never'));
  assert.deepEqual(result, { ok: false, reason: 'ErrImageNeverPull', message: 'Container image "r/x:v1" is not present with pull policy of Never' });
  assert.deepEqual(events.map((e) => e.split(':')[0]), ['Warning ErrImageNeverPull', 'Warning Failed']);
});

test('a failed pull: ErrImagePull with the registry\'s message, then ImagePullBackOff until the back-off ends', async () => {
  const store = fakeStore(undefined, () => Promise.reject(new PoddError('FailedPrecondition', 'failed to resolve reference "r.io/x:v1": 401 Unauthorized')));
  const ensurer = new ImageEnsurer(store, { initialMs: 1000, maxMs: 8000 });
  const first = await run(store, container('r.io/x:v1'), 0, undefined, ensurer);
  assert.deepEqual(first.result, {
    ok: false, reason: 'ErrImagePull', retryInMs: 500,
    message: 'failed to pull and unpack image "r.io/x:v1": failed to resolve reference "r.io/x:v1": 401 Unauthorized',
  });
  assert.deepEqual(first.events, [
    'Normal Pulling: Pulling image "r.io/x:v1"',
    'Warning Failed: Failed to pull image "r.io/x:v1": failed to pull and unpack image "r.io/x:v1": failed to resolve reference "r.io/x:v1": 401 Unauthorized',
    'Warning Failed: Error: ErrImagePull',
  ]);
  const during = await run(store, container('r.io/x:v1'), 500, undefined, ensurer);
  assert.equal(during.result.ok === false && during.result.reason, 'ImagePullBackOff');
  assert.deepEqual(during.events, ['Normal BackOff: Back-off pulling image "r.io/x:v1"', 'Warning Failed: Error: ImagePullBackOff']);
  assert.equal(store.pulls.length, 1);
  const after = await run(store, container('r.io/x:v1'), 1001, undefined, ensurer);
  assert.equal(after.result.ok === false && after.result.reason, 'ErrImagePull');
  assert.equal(store.pulls.length, 2);
});

test('a store without pull (no registry access) reports the image as not pullable', async () => {
  const { result } = await run(fakeStore(undefined), container('r/x:v1'));
  assert.equal(result.ok === false && result.reason, 'ErrImagePull');
});

test('invalid references: InvalidImageName, no pull', async () => {
  const store = fakeStore(undefined, pulled);
  const { result } = await run(store, container('Bad:Ref'));
  assert.equal(result.ok === false && result.reason, 'InvalidImageName');
  assert.equal(store.pulls.length, 0);
});

test('imagePullSecrets become the pull\'s docker configs; a missing secret is reported and skipped', async () => {
  const store = fakeStore(undefined, pulled);
  const json = JSON.stringify({ auths: { 'r.io': { username: 'u', password: 'p' } } });
  const secrets = new Map<string, Secret>([
    ['regcred', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'regcred' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(json).toString('base64') } }],
    ['opaque', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'opaque' }, type: 'Opaque', data: {} }],
  ]);
  const { events } = await run(store, container('r.io/x:v1'), 0, { imagePullSecrets: [{ name: 'regcred' }, { name: 'gone' }, { name: 'opaque' }], secrets });
  assert.deepEqual(store.pulls[0]?.pullSecrets, [[['r.io', { username: 'u', password: 'p' }]]]);
  assert.ok(events.includes('Warning FailedToRetrieveImagePullSecret: Unable to retrieve some image pull secrets (gone); attempting to pull the image may not succeed.'), events.join('\n'));
});
