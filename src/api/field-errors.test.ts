import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  causeType, DecodeError, duplicate, fieldErrorBody, forbidden, internalError, invalid, InvalidError, notFound, notSupported,
  renderFieldError, required, tooLong, tooMany, Unquoted,
} from './field-errors.js';
import type { FieldError } from './field-errors.js';

test('field errors render like field.Error.Error()', () => {
  const cases: [FieldError, string][] = [
    [required('spec.containers'), 'spec.containers: Required value'],
    [required('metadata.name', 'name or generateName is required'), 'metadata.name: Required value: name or generateName is required'],
    [forbidden('spec.containers[0].restartPolicy', 'may not be set for non-init containers'), 'spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers'],
    [duplicate('spec.containers[1].name', 'app'), 'spec.containers[1].name: Duplicate value: "app"'],
    [invalid('spec.containers[0].livenessProbe.successThreshold', 2, 'must be 1'), 'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'],
    [invalid('spec.securityContext.shareProcessNamespace', true, 'x'), 'spec.securityContext.shareProcessNamespace: Invalid value: true: x'],
    [invalid('a', 'say "hi"\n', 'quoted like Go'), 'a: Invalid value: "say \\"hi\\"\\n": quoted like Go'],
    [invalid('a', new Unquoted('500m'), 'must be an integer'), 'a: Invalid value: 500m: must be an integer'],
    [invalid('a', null, 'no value'), 'a: Invalid value: null: no value'],
    [invalid('a', ['x', 'y'], 'list'), 'a: Invalid value: []string{"x", "y"}: list'],
    [notSupported('spec.restartPolicy', 'X', ['Always', 'OnFailure', 'Never']), 'spec.restartPolicy: Unsupported value: "X": supported values: "Always", "OnFailure", "Never"'],
    [notFound('spec.containers[0].volumeMounts[0].name', 'x'), 'spec.containers[0].volumeMounts[0].name: Not found: "x"'],
    [tooLong('data', 1048576), 'data: Too long: must have at most 1048576 bytes'],
    [tooMany('items', 5, 3), 'items: Too many: 5: must have at most 3 items'],
    [internalError('spec', 'boom'), 'spec: Internal error: boom'],
  ];
  for (const [e, want] of cases) assert.equal(renderFieldError(e), want);
});

test('InvalidError reads like apierrors.NewInvalid', () => {
  const one = new InvalidError('Pod', 'web', [required('spec.containers')]);
  assert.equal(one.message, 'Pod "web" is invalid: spec.containers: Required value');
  assert.equal(one.code, 'Invalid');
  assert.equal(one.kind, 'Pod');
  assert.equal(one.name, 'web');
  assert.ok(one instanceof Error);

  const errs = [required('spec.containers'), duplicate('spec.initContainers[0].name', 'app'), required('spec.containers')];
  const several = new InvalidError('Pod', 'web', errs);
  assert.equal(several.message, 'Pod "web" is invalid: [spec.containers: Required value, spec.initContainers[0].name: Duplicate value: "app"]');
  assert.equal(several.errors.length, 3, 'all errors kept; only the message drops repeats');
  assert.deepEqual(several.causes()[1], { reason: 'FieldValueDuplicate', message: 'Duplicate value: "app"', field: 'spec.initContainers[0].name' });
  assert.equal(new InvalidError('Pod', 'x', []).message, 'Pod "x" is invalid');
});

test('cause types and bodies', () => {
  assert.equal(causeType(notSupported('a', 'b', [])), 'FieldValueNotSupported');
  assert.equal(causeType(internalError('a', 'b')), 'InternalError');
  assert.equal(fieldErrorBody(forbidden('a', 'nope')), 'Forbidden: nope');
});

test('DecodeError is a BadRequest', () => {
  const e = new DecodeError('no kind "Foo" is registered for version "v1"', 2);
  assert.equal(e.code, 'BadRequest');
  assert.equal(e.document, 2);
  assert.equal(e.name, 'DecodeError');
  assert.ok(e instanceof Error);
});
