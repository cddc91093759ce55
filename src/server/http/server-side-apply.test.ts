import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, leafPaths, ownedPaths, pathString, removePath, valueAt } from './field-set.js';
import { applyJsonPatch, JsonPatchError } from './json-patch.js';
import { decodeOwners, recordUpdate } from './managed-fields.js';
import type { ManagedFieldsEntry } from './managed-fields.js';
import { ApplyConflictError, planApply } from './server-side-apply.js';

const T = Date.UTC(2026, 0, 1, 0, 0, 0);
type Obj = Record<string, unknown>;

const cm = (labels: Record<string, string>, data: Record<string, string>): Obj => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', labels }, data,
});

/** Applies `config` to `current` as `manager` and returns the admitted-as-is result with its managedFields. */
function apply(current: Obj | undefined, config: Obj, manager: string, force = false, at = T): Obj {
  const meta = (current?.['metadata'] ?? {}) as Obj;
  const plan = planApply(current, config, decodeOwners(meta['managedFields']), manager, force);
  const after = plan.merged;
  (after['metadata'] as Obj)['managedFields'] = plan.finish(after, at);
  return after;
}

const managers = (o: Obj): string[] => ((o['metadata'] as Obj)['managedFields'] as ManagedFieldsEntry[]).map((e) => `${e.manager}/${e.operation}`);

test('field paths: struct fields and map keys, list items by merge key with ".", atomic lists, FieldsV1 both ways', () => {
  const pod = { metadata: { name: 'p', labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'x', command: ['sleep', '1'] }], volumes: [] }, status: { phase: 'Running' } };
  const paths = [...ownedPaths(pod)].map((p) => p.join(' '));
  assert.deepEqual(paths.sort(), [
    'f:metadata f:labels f:app',
    'f:spec f:containers k:{"name":"a"} .',
    'f:spec f:containers k:{"name":"a"} f:command',
    'f:spec f:containers k:{"name":"a"} f:image',
    'f:spec f:containers k:{"name":"a"} f:name',
    'f:spec f:volumes',
  ]);
  const set = ownedPaths(pod);
  assert.deepEqual(set.toFieldsV1(), {
    'f:metadata': { 'f:labels': { 'f:app': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:command': {}, 'f:image': {}, 'f:name': {} } }, 'f:volumes': {} },
  });
  assert.ok(FieldSet.fromFieldsV1(set.toFieldsV1()).equals(set));
  assert.equal(valueAt(pod, ['f:spec', 'f:containers', 'k:{"name":"a"}', 'f:image']), 'x');
  assert.equal(pathString(['f:spec', 'f:containers', 'k:{"name":"a"}', 'f:image']), '.spec.containers[name="a"].image');
  assert.equal(leafPaths({ ports: [{ containerPort: 80 }] }).has(['f:ports', 'k:{"containerPort":80}', '.']), true);
});

test('removePath drops a field, a list item, and objects it leaves empty', () => {
  const o: Obj = { metadata: { name: 'x', labels: { a: '1' } }, spec: { containers: [{ name: 'a' }, { name: 'b' }] } };
  removePath(o, ['f:metadata', 'f:labels', 'f:a']);
  removePath(o, ['f:spec', 'f:containers', 'k:{"name":"a"}', '.']);
  assert.deepEqual(o, { metadata: { name: 'x' }, spec: { containers: [{ name: 'b' }] } });
});

test('a second apply without a label removes it; the applier owns exactly what it applied', () => {
  const first = apply(undefined, cm({ app: 'web', tier: 'front' }, { a: '1', b: '2' }), 'kubectl');
  assert.deepEqual(managers(first), ['kubectl/Apply']);
  const second = apply(first, cm({ app: 'web' }, { a: '1' }), 'kubectl', false, T + 5000);
  assert.deepEqual((second['metadata'] as Obj)['labels'], { app: 'web' });
  assert.deepEqual(second['data'], { a: '1' });
  const entry = ((second['metadata'] as Obj)['managedFields'] as ManagedFieldsEntry[])[0];
  assert.deepEqual(entry, {
    manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: '2026-01-01T00:00:05Z', fieldsType: 'FieldsV1',
    fieldsV1: { 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } },
  });
  // The same apply again changes nothing, not even the time.
  const third = apply(second, cm({ app: 'web' }, { a: '1' }), 'kubectl', false, T + 9000);
  assert.deepEqual(third, second);
});

test('another manager: equal values are shared, different ones conflict unless forced; shared fields stay when one lets go', () => {
  const base = apply(undefined, cm({ app: 'web' }, { a: '1' }), 'kubectl');
  assert.throws(() => apply(base, cm({ app: 'other' }, {}), 'ci'), (e: unknown) => e instanceof ApplyConflictError
    && e.message === 'Apply failed with 1 conflict: conflict with "kubectl": .metadata.labels.app');
  assert.throws(() => apply(base, cm({ app: 'x' }, { a: '2' }), 'ci'), (e: unknown) => e instanceof ApplyConflictError
    && e.message === 'Apply failed with 2 conflicts: conflicts with "kubectl":\n- .data.a\n- .metadata.labels.app');
  const forced = apply(base, cm({ app: 'other' }, {}), 'ci', true);
  assert.deepEqual((forced['metadata'] as Obj)['labels'], { app: 'other' });
  assert.deepEqual(managers(forced), ['ci/Apply', 'kubectl/Apply']);
  const shared = apply(base, cm({ app: 'web' }, {}), 'ci');
  const dropped = apply(shared, cm({}, { a: '1' }), 'kubectl');
  assert.deepEqual((dropped['metadata'] as Obj)['labels'], { app: 'web' }, 'still ci\'s');
});

test('updates take over the fields they change and conflict with an apply that differs', () => {
  const created: Obj = cm({ app: 'web' }, { a: '1' });
  (created['metadata'] as Obj)['managedFields'] = recordUpdate([], 'kubectl-create', undefined, created, T);
  assert.deepEqual(managers(created), ['kubectl-create/Update']);
  assert.throws(() => apply(created, cm({ app: 'web' }, { a: '2' }), 'kubectl'),
    { message: 'Apply failed with 1 conflict: conflict with "kubectl-create" using v1: .data.a' });
  const edited = cm({ app: 'web' }, { a: '1', b: '2' });
  const entries = recordUpdate(decodeOwners((created['metadata'] as Obj)['managedFields']), 'kubectl-edit', created, edited, T + 1000);
  assert.deepEqual(entries.map((e) => [e.manager, e.fieldsV1]), [
    ['kubectl-create', { 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } }],
    ['kubectl-edit', { 'f:data': { 'f:b': {} } }],
  ]);
});

test('JSON patch: add, remove, replace, move, copy, test; errors tell malformed from not applicable', () => {
  const doc = { metadata: { resourceVersion: '5', labels: { 'a/b': '1' } }, list: [1, 2] };
  assert.deepEqual(applyJsonPatch(doc, [
    { op: 'test', path: '/metadata/resourceVersion', value: '5' },
    { op: 'add', path: '/list/-', value: 3 },
    { op: 'remove', path: '/list/0' },
    { op: 'replace', path: '/metadata/labels/a~1b', value: '2' },
    { op: 'copy', from: '/list', path: '/copy' },
    { op: 'move', from: '/copy', path: '/moved' },
  ]), { metadata: { resourceVersion: '5', labels: { 'a/b': '2' } }, list: [2, 3], moved: [2, 3] });
  assert.deepEqual(doc.list, [1, 2], 'the input is left alone');
  assert.throws(() => applyJsonPatch(doc, [{ op: 'test', path: '/metadata/resourceVersion', value: '4' }]),
    (e: unknown) => e instanceof JsonPatchError && !e.malformed && /test failed/.test(e.message));
  assert.throws(() => applyJsonPatch(doc, [{ op: 'replace', path: '/nope/x', value: 1 }]), /doc is missing path/);
  assert.throws(() => applyJsonPatch(doc, [{ op: 'add', path: '/a' }]), (e: unknown) => e instanceof JsonPatchError && e.malformed);
  assert.throws(() => applyJsonPatch(doc, { op: 'add' }), (e: unknown) => e instanceof JsonPatchError && e.malformed);
});
