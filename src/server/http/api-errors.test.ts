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

const CMS = '/api/v1/namespaces/default/configmaps';
const YAML_TYPE = { 'Content-Type': 'application/yaml' };
const APPLY_TYPE = { 'Content-Type': 'application/apply-patch+yaml' };
const PROTOBUF_TYPE = { 'Content-Type': 'application/vnd.kubernetes.protobuf' };
const configMap = (name: string, extra: Record<string, unknown> = {}): string => JSON.stringify({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' }, ...extra,
});
/** A protobuf envelope (magic, runtime.Unknown{typeMeta{v1, kind}}) for a kind podd has no schema for. */
const protobufOf = (kind: string): string => Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 6 + kind.length, 0x0a, 2, 0x76, 0x31, 0x12, kind.length,
  ...Buffer.from(kind)]).toString('latin1');
const BIG = 'x'.repeat(4 * 1024 * 1024);

test('bad input gets Status errors, changes nothing, and the server goes on answering', async (t) => {
  const h = await startApi(t);
  assert.equal((await h.raw('POST', CMS, { body: configMap('base'), headers: JSON_TYPE })).status, 201);
  const stale = JSON.stringify({ ...JSON.parse(configMap('base')) as object, metadata: { name: 'base', resourceVersion: '1' } });
  // [method, path, body, headers, code, reason, message]
  const cases: [string, string, string, Record<string, string>, number, string, RegExp][] = [
    // Malformed bodies.
    ['POST', PODS, '{not json', JSON_TYPE, 400, 'BadRequest', /json parse error/],
    ['POST', PODS, 'kind: Pod\nmetadata: [unclosed', YAML_TYPE, 400, 'BadRequest', /^error converting YAML to JSON: /],
    ['PATCH', `${CMS}/base?fieldManager=m`, 'data: {a: [', APPLY_TYPE, 400, 'BadRequest', /^error converting YAML to JSON: /],
    ['PATCH', `${CMS}/base`, '[1]', { 'Content-Type': 'application/merge-patch+json' }, 400, 'BadRequest', /the patch is not a JSON object/],
    ['PATCH', `${CMS}/base`, '{"op":"add"}', { 'Content-Type': 'application/json-patch+json' }, 400, 'BadRequest', /cannot unmarshal object/],
    ['PATCH', `${CMS}/base`, '[{"op":"remove","path":"/data/zzz"}]', { 'Content-Type': 'application/json-patch+json' }, 422, 'Invalid', /Unable to remove nonexistent key: zzz/],
    ['POST', CMS, 'not protobuf', PROTOBUF_TYPE, 400, 'BadRequest', /does not appear to be a protobuf message/],
    ['POST', PODS, protobufOf('Pod'), PROTOBUF_TYPE, 415, 'UnsupportedMediaType', /unknown format - accepted media types include: application\/json, application\/yaml$/],
    ['POST', CMS, configMap('x'), { 'Content-Type': 'text/plain' }, 415, 'UnsupportedMediaType', /unknown format/],
    ['PATCH', `${CMS}/base`, '{}', { 'Content-Type': 'application/xml' }, 415, 'UnsupportedMediaType', /unknown format/],
    // Unknown fields under fieldValidation=Strict, and a fieldValidation that does not exist.
    ['POST', `${PODS}?fieldValidation=Strict`, pod('x', { bogus: 1 }), JSON_TYPE, 400, 'BadRequest', /strict decoding error: unknown field "bogus"/],
    ['POST', `${CMS}?fieldValidation=Strict`, configMap('x', { datta: {} }), JSON_TYPE, 400, 'BadRequest', /unknown field "datta"/],
    ['POST', `${CMS}?fieldValidation=Loose`, configMap('x'), JSON_TYPE, 400, 'BadRequest', /fieldValidation parameter unsupported: Loose/],
    // Wrong kinds for the URL.
    ['POST', PODS, JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: {} }), JSON_TYPE, 400, 'BadRequest', /Service in version "v1" cannot be handled as a Pod/],
    ['POST', CMS, JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }), JSON_TYPE, 400, 'BadRequest', /cannot be handled as a ConfigMap/],
    ['POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }), JSON_TYPE, 400, 'BadRequest', /cannot be handled as a Namespace/],
    // Names that are not DNS-1123.
    ['POST', PODS, pod('Bad_Name'), JSON_TYPE, 422, 'Invalid', /Pod "Bad_Name" is invalid: metadata.name: Invalid value/],
    ['POST', CMS, configMap('under_score'), JSON_TYPE, 422, 'Invalid', /ConfigMap "under_score" is invalid: metadata.name: Invalid value: "under_score": a lowercase RFC 1123 subdomain/],
    ['POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }), JSON_TYPE, 422, 'Invalid', /Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": a lowercase RFC 1123 label/],
    // Conflicting resourceVersions and preconditions.
    ['PUT', `${CMS}/base`, stale, JSON_TYPE, 409, 'Conflict', /^Operation cannot be fulfilled on configmaps "base": the object has been modified/],
    ['PATCH', `${CMS}/base`, '{"metadata":{"resourceVersion":"1"},"data":{"a":"2"}}', { 'Content-Type': 'application/merge-patch+json' }, 409, 'Conflict', /the object has been modified/],
    ['DELETE', `${CMS}/base`, '{"preconditions":{"resourceVersion":"1"}}', JSON_TYPE, 409, 'Conflict', /Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: \d+$/],
    ['POST', CMS, configMap('base'), JSON_TYPE, 409, 'AlreadyExists', /^configmaps "base" already exists$/],
    // Bodies over the apiserver's 3 MiB limit.
    ['POST', PODS, BIG, JSON_TYPE, 413, 'RequestEntityTooLarge', /^Request entity too large: limit is 3145728$/],
    ['PUT', `${CMS}/base`, BIG, JSON_TYPE, 413, 'RequestEntityTooLarge', /^Request entity too large: limit is 3145728$/],
    ['PATCH', `${CMS}/base?fieldManager=m`, BIG, APPLY_TYPE, 413, 'RequestEntityTooLarge', /^Request entity too large: limit is 3145728$/],
    // What does not exist.
    ['DELETE', `${PODS}/ghost`, '', {}, 404, 'NotFound', /^pods "ghost" not found$/],
    ['DELETE', `${CMS}/ghost`, '', {}, 404, 'NotFound', /^configmaps "ghost" not found$/],
    ['PUT', `${CMS}/ghost`, configMap('ghost'), JSON_TYPE, 404, 'NotFound', /^configmaps "ghost" not found$/],
    ['PATCH', `${CMS}/ghost`, '{}', { 'Content-Type': 'application/merge-patch+json' }, 404, 'NotFound', /^configmaps "ghost" not found$/],
    ['POST', '/api/v1/namespaces/nope/pods', pod('x'), JSON_TYPE, 404, 'NotFound', /namespaces "nope" not found/],
    ['GET', '/api/v1/widgets', '', {}, 404, 'NotFound', /could not find the requested resource/],
    // Everything else.
    ['PATCH', `${CMS}/base`, configMap('base'), APPLY_TYPE, 422, 'Invalid', /fieldManager: Required value: is required for apply patch/],
    ['DELETE', '/api/v1/namespaces/default', '', {}, 403, 'Forbidden', /may not be deleted/],
    ['POST', '/api/v1/nodes', '{}', JSON_TYPE, 405, 'MethodNotAllowed', /not supported/],
    ['GET', `${PODS}?fieldSelector=spec.image%3Dx`, '', {}, 400, 'BadRequest', /field label not supported: spec.image/],
    ['GET', `${CMS}?limit=2&continue=bogus`, '', {}, 400, 'BadRequest', /^invalid continue token: continue key is not valid/],
    ['GET', `${CMS}?limit=x`, '', {}, 400, 'BadRequest', /invalid syntax/],
  ];
  const snapshot = (): string => JSON.stringify(['pods', 'configmaps', 'secrets', 'namespaces', 'events']
    .map((r) => h.store.list(r, undefined).items));
  const before = snapshot();
  for (const [method, path, body, headers, code, reason, message] of cases) {
    const r = await h.raw(method, path, { body, headers });
    const what = `${method} ${path} (${body.slice(0, 40)})`;
    assert.equal(r.status, code, `${what}: ${r.body}`);
    const status = JSON.parse(r.body) as { kind: string; reason: string; message: string; code: number };
    assert.equal(status.kind, 'Status', what);
    assert.equal(status.reason, reason, what);
    assert.equal(status.code, code, what);
    assert.match(status.message, message, what);
    assert.equal(snapshot(), before, `${what} changed the store`);
    assert.equal((await h.raw('GET', `${CMS}/base`)).status, 200, `the server answers after ${what}`);
  }
});

test('unknown fields under the default fieldValidation (Warn) are dropped with a Warning header', async (t) => {
  const h = await startApi(t);
  const r = await h.raw('POST', CMS, { body: configMap('warned', { datta: { x: 1 } }), headers: JSON_TYPE });
  assert.equal(r.status, 201, r.body);
  assert.equal(r.headers['warning'], '299 - "unknown field \\"datta\\""');
  assert.equal((h.store.get('configmaps', 'default', 'warned') as { datta?: unknown }).datta, undefined);
  const ignored = await h.raw('POST', `${CMS}?fieldValidation=Ignore`, { body: configMap('ignored', { datta: 1 }), headers: JSON_TYPE });
  assert.equal(ignored.status, 201, ignored.body);
  assert.equal(ignored.headers['warning'], undefined);
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
