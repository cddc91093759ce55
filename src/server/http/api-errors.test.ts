// Raw requests: bad input gets Kubernetes Status errors and changes nothing; PUT conflicts, merge patch, the
// pods/status subresource, watch streams (timeoutSeconds, bookmarks, 410 for a too-old resourceVersion).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types.js';
import { startApi } from './test-harness.js';

const PODS = '/api/v1/namespaces/default/pods';
const JSON_TYPE = { 'Content-Type': 'application/json' };
const pod = (name: string, extra: Record<string, unknown> = {}): string => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', image: 'busybox:1' }] }, ...extra,
});

test('bad input gets Status errors and changes nothing', async (t) => {
  const h = await startApi(t);
  const cases: [string, string, string, Record<string, string>, number, string, RegExp][] = [
    ['POST', PODS, '{not json', JSON_TYPE, 400, 'BadRequest', /json parse error/],
    ['POST', `${PODS}?fieldValidation=Strict`, pod('x', { bogus: 1 }), JSON_TYPE, 400, 'BadRequest', /strict decoding error: unknown field "bogus"/],
    ['POST', PODS, pod('Bad_Name'), JSON_TYPE, 422, 'Invalid', /Pod "Bad_Name" is invalid: metadata.name: Invalid value/],
    ['POST', PODS, JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }), JSON_TYPE, 400, 'BadRequest', /cannot be handled as a Pod/],
    ['POST', PODS, 'x'.repeat(4 * 1024 * 1024), JSON_TYPE, 413, 'RequestEntityTooLarge', /Request entity too large/],
    ['POST', '/api/v1/namespaces/nope/pods', pod('x'), JSON_TYPE, 404, 'NotFound', /namespaces "nope" not found/],
    ['DELETE', `${PODS}/ghost`, '', {}, 404, 'NotFound', /pods "ghost" not found/],
    ['DELETE', '/api/v1/namespaces/default', '', {}, 403, 'Forbidden', /may not be deleted/],
    ['POST', '/api/v1/nodes', '{}', JSON_TYPE, 405, 'MethodNotAllowed', /not supported/],
    ['GET', `${PODS}?fieldSelector=spec.image%3Dx`, '', {}, 400, 'BadRequest', /field label not supported: spec.image/],
    ['PATCH', `${PODS}/ghost`, '{}', { 'Content-Type': 'application/json-patch+json' }, 415, 'UnsupportedMediaType', /unknown format/],
    ['GET', '/api/v1/widgets', '', {}, 404, 'NotFound', /could not find the requested resource/],
  ];
  for (const [method, path, body, headers, code, reason, message] of cases) {
    const r = await h.raw(method, path, { body, headers });
    assert.equal(r.status, code, `${method} ${path}: ${r.body}`);
    const status = JSON.parse(r.body) as { kind: string; reason: string; message: string; code: number };
    assert.equal(status.kind, 'Status');
    assert.equal(status.reason, reason);
    assert.equal(status.code, code);
    assert.match(status.message, message);
  }
  assert.deepEqual(h.store.list('pods', undefined).items, []);
});

test('PUT with a stale resourceVersion is a 409; merge patch; pods/status; forbidden spec change', async (t) => {
  const h = await startApi(t);
  const created = JSON.parse((await h.raw('POST', PODS, { body: pod('web'), headers: JSON_TYPE })).body) as Pod;
  const stale = { ...created, metadata: { ...created.metadata, resourceVersion: '1' } };
  const put = await h.raw('PUT', `${PODS}/web`, { body: JSON.stringify(stale), headers: JSON_TYPE });
  assert.equal(put.status, 409, put.body);
  assert.match(put.body, /the object has been modified/);

  const fresh = { ...created, spec: { ...created.spec, activeDeadlineSeconds: 60 } };
  assert.equal((await h.raw('PUT', `${PODS}/web`, { body: JSON.stringify(fresh), headers: JSON_TYPE })).status, 200);
  assert.equal(h.store.get<Pod>('pods', 'default', 'web').spec.activeDeadlineSeconds, 60);

  const mp = await h.raw('PATCH', `${PODS}/web`, { body: '{"metadata":{"labels":{"x":"y"}}}', headers: { 'Content-Type': 'application/merge-patch+json' } });
  assert.equal(mp.status, 200, mp.body);
  assert.equal(h.store.get<Pod>('pods', 'default', 'web').metadata.labels?.['x'], 'y');

  const bad = await h.raw('PATCH', `${PODS}/web`, { body: '{"spec":{"restartPolicy":"Never"}}', headers: { 'Content-Type': 'application/merge-patch+json' } });
  assert.equal(bad.status, 422);
  assert.match(bad.body, /spec: Forbidden: pod updates may not change fields other than/);

  const st = await h.raw('PATCH', `${PODS}/web/status`, { body: '{"status":{"phase":"Running"}}', headers: { 'Content-Type': 'application/merge-patch+json' } });
  assert.equal(st.status, 200, st.body);
  assert.equal(h.store.get<Pod>('pods', 'default', 'web').status?.phase, 'Running');
  const get = JSON.parse((await h.raw('GET', `${PODS}/web/status`)).body) as Pod;
  assert.equal(get.status?.phase, 'Running');

  // A graceful delete marks the pod; gracePeriodSeconds=0 removes it.
  const del = await h.raw('DELETE', `${PODS}/web`, { body: '{"gracePeriodSeconds":5}', headers: JSON_TYPE });
  assert.equal((JSON.parse(del.body) as Pod).metadata.deletionGracePeriodSeconds, 5);
  await h.raw('DELETE', `${PODS}/web`, { body: '{"gracePeriodSeconds":0}', headers: JSON_TYPE });
  assert.equal(h.store.tryGet('pods', 'default', 'web'), undefined);
});

test('watch: initial events, timeoutSeconds ends the stream, bookmarks, 410 for a too-old resourceVersion', async (t) => {
  const h = await startApi(t, { changeLogSize: 2 });
  await h.raw('POST', PODS, { body: pod('a'), headers: JSON_TYPE });
  const r = await h.raw('GET', `${PODS}?watch=true&timeoutSeconds=1&allowWatchBookmarks=true&fieldSelector=metadata.name%3Da`);
  assert.equal(r.status, 200);
  assert.equal(r.headers['transfer-encoding'], 'chunked');
  const events = r.body.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: Pod });
  assert.equal(events[0]?.type, 'ADDED');
  assert.equal(events[0]?.object.kind, 'Pod');
  assert.equal(events[0]?.object.metadata.name, 'a');
  assert.ok(events.slice(1).every((e) => e.type === 'BOOKMARK' && e.object.kind === 'Pod'));

  for (const n of ['b', 'c', 'd', 'e']) await h.raw('POST', PODS, { body: pod(n), headers: JSON_TYPE });
  const old = await h.raw('GET', `${PODS}?watch=true&resourceVersion=2&timeoutSeconds=1`);
  const error = JSON.parse(old.body.trim().split('\n')[0] ?? '') as { type: string; object: { code: number; reason: string } };
  assert.equal(error.type, 'ERROR');
  assert.equal(error.object.code, 410);
  assert.equal(error.object.reason, 'Expired');
});

test('kubectl delete --wait returns once the agent removes the pod; --force removes it at once', async (t) => {
  const h = await startApi(t);
  await h.raw('POST', PODS, { body: pod('w1'), headers: JSON_TYPE });
  await h.raw('POST', PODS, { body: pod('w2'), headers: JSON_TYPE });
  const deleting = h.kubectl(['delete', 'pod', 'w1']);
  for (let i = 0; i < 100 && !h.store.get<Pod>('pods', 'default', 'w1').metadata.deletionTimestamp; i++) await new Promise((r) => setTimeout(r, 50));
  h.store.delete('pods', 'default', 'w1');
  const r = await deleting;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /pod "w1" deleted/);
  const f = await h.kubectl(['delete', 'pod', 'w2', '--grace-period=0', '--force']);
  assert.equal(f.code, 0, f.stderr);
  assert.equal(h.store.tryGet('pods', 'default', 'w2'), undefined);
});
