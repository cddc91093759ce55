import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError, InvalidError, duplicate, forbidden, invalid, notFound, notSupported, required } from '../../api/field-errors.js';
import { PoddError } from '../../core/errors.js';
import type { ErrorCode } from '../../core/errors.js';
import {
  alreadyExistsStatus, badRequestStatus, conflictStatus, deleteSuccessStatus, execExitStatus, goneStatus, internalErrorStatus,
  methodNotSupportedStatus, notFoundStatus, OBJECT_MODIFIED, requestEntityTooLargeStatus, statusForError,
  tooOldResourceVersionStatus, unauthorizedStatus,
} from './status.js';
import type { Status } from './status.js';

const pods = { resource: 'pods', name: 'web' };
const fail = (code: number, reason: string, message: string, details?: Status['details']): Status =>
  ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });

const shapes: { name: string; got: Status; want: Status }[] = [
  { name: 'NotFound', got: notFoundStatus(pods), want: fail(404, 'NotFound', 'pods "web" not found', { name: 'web', kind: 'pods' }) },
  { name: 'AlreadyExists', got: alreadyExistsStatus(pods), want: fail(409, 'AlreadyExists', 'pods "web" already exists', { name: 'web', kind: 'pods' }) },
  {
    name: 'Conflict', got: conflictStatus(pods, OBJECT_MODIFIED),
    want: fail(409, 'Conflict', `Operation cannot be fulfilled on pods "web": ${OBJECT_MODIFIED}`, { name: 'web', kind: 'pods' }),
  },
  {
    name: 'NotFound in a named group', got: notFoundStatus({ resource: 'leases', group: 'coordination.k8s.io', name: 'x' }),
    want: fail(404, 'NotFound', 'leases.coordination.k8s.io "x" not found', { name: 'x', group: 'coordination.k8s.io', kind: 'leases' }),
  },
  { name: 'BadRequest', got: badRequestStatus('bad'), want: fail(400, 'BadRequest', 'bad') },
  { name: 'Unauthorized', got: unauthorizedStatus(), want: fail(401, 'Unauthorized', 'Unauthorized') },
  { name: 'Gone', got: tooOldResourceVersionStatus(5, 20), want: fail(410, 'Expired', 'too old resource version: 5 (20)') },
  { name: 'Gone (message)', got: goneStatus('x'), want: fail(410, 'Expired', 'x') },
  {
    name: 'MethodNotSupported', got: methodNotSupportedStatus({ resource: 'nodes' }, 'create'),
    want: fail(405, 'MethodNotAllowed', 'create is not supported on resources of kind "nodes"', { kind: 'nodes' }),
  },
  { name: 'RequestEntityTooLarge', got: requestEntityTooLargeStatus('limit is 3145728'), want: fail(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728') },
  {
    name: 'InternalError', got: internalErrorStatus('boom'),
    want: fail(500, 'InternalError', 'Internal error occurred: boom', { causes: [{ message: 'boom' }] }),
  },
  {
    name: 'delete Success', got: deleteSuccessStatus({ resource: 'pods', name: 'w1', uid: 'u1' }),
    want: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'w1', kind: 'pods', uid: 'u1' } },
  },
];

for (const c of shapes) {
  test(`status shape: ${c.name}`, () => {
    assert.deepEqual(c.got, c.want);
  });
}

test('status JSON keeps apimachinery field order', () => {
  assert.equal(JSON.stringify(notFoundStatus({ resource: 'pods', name: 'nope' })),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","kind":"pods"},"code":404}');
});

const mapped: { name: string; err: unknown; code: number; reason: string; message: string }[] = [
  { name: 'NotFound', err: new PoddError('NotFound', 'no such pod'), code: 404, reason: 'NotFound', message: 'pods "web" not found' },
  { name: 'AlreadyExists', err: new PoddError('AlreadyExists', 'exists'), code: 409, reason: 'AlreadyExists', message: 'pods "web" already exists' },
  { name: 'Conflict', err: new PoddError('Conflict', OBJECT_MODIFIED), code: 409, reason: 'Conflict', message: `Operation cannot be fulfilled on pods "web": ${OBJECT_MODIFIED}` },
  { name: 'Invalid (plain)', err: new PoddError('Invalid', 'Pod "web" is invalid: x'), code: 422, reason: 'Invalid', message: 'Pod "web" is invalid: x' },
  { name: 'FailedPrecondition', err: new PoddError('FailedPrecondition', 'container "app" in pod "web" is waiting to start: ContainerCreating'), code: 400, reason: 'BadRequest', message: 'container "app" in pod "web" is waiting to start: ContainerCreating' },
  { name: 'Unavailable', err: new PoddError('Unavailable', 'store closed'), code: 503, reason: 'ServiceUnavailable', message: 'store closed' },
  { name: 'Internal', err: new PoddError('Internal', 'disk'), code: 500, reason: 'InternalError', message: 'Internal error occurred: disk' },
  { name: 'foreign Error', err: new TypeError('x is undefined'), code: 500, reason: 'InternalError', message: 'Internal error occurred: x is undefined' },
  { name: 'thrown string', err: 'oops', code: 500, reason: 'InternalError', message: 'Internal error occurred: oops' },
  { name: 'DecodeError', err: new DecodeError('json: cannot unmarshal string into Go value of type v1.Pod'), code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal string into Go value of type v1.Pod' },
];

for (const c of mapped) {
  test(`statusForError: ${c.name}`, () => {
    const { code, body } = statusForError(c.err, { resource: 'pods', name: 'web', kind: 'Pod' });
    assert.equal(code, c.code);
    assert.equal(body.code, c.code);
    assert.equal(body.status, 'Failure');
    assert.equal(body.reason, c.reason);
    assert.equal(body.message, c.message);
  });
}

test('statusForError: every PoddError code maps to an HTTP status', () => {
  const codes: ErrorCode[] = ['NotFound', 'AlreadyExists', 'Conflict', 'Invalid', 'FailedPrecondition', 'Unavailable', 'Internal'];
  for (const c of codes) assert.ok(statusForError(new PoddError(c, 'm'), { resource: 'pods' }).code >= 400);
});

test('statusForError: NotFound without a name keeps the error message', () => {
  const { body } = statusForError(new PoddError('NotFound', 'namespace "x" not found'), { resource: 'pods' });
  assert.equal(body.message, 'namespace "x" not found');
  assert.deepEqual(body.details, { kind: 'pods' });
});

test('statusForError: InvalidError → 422 with one cause per field error', () => {
  const err = new InvalidError('Pod', 'web', [
    required('spec.containers[0].image'),
    invalid('metadata.name', 'Web', 'a lowercase RFC 1123 subdomain'),
    forbidden('spec', 'pod updates may not change fields other than `spec.containers[*].image`'),
    duplicate('spec.containers[1].name', 'app'),
    notSupported('spec.restartPolicy', 'Sometimes', ['Always', 'OnFailure', 'Never']),
    notFound('spec.volumes[0].name', 'data'),
  ]);
  const { code, body } = statusForError(err, { resource: 'pods', name: 'web' });
  assert.equal(code, 422);
  assert.deepEqual(body, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: err.message, reason: 'Invalid',
    details: {
      name: 'web', kind: 'Pod',
      causes: [
        { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' },
        { reason: 'FieldValueInvalid', message: 'Invalid value: "Web": a lowercase RFC 1123 subdomain', field: 'metadata.name' },
        { reason: 'FieldValueForbidden', message: 'Forbidden: pod updates may not change fields other than `spec.containers[*].image`', field: 'spec' },
        { reason: 'FieldValueDuplicate', message: 'Duplicate value: "app"', field: 'spec.containers[1].name' },
        { reason: 'FieldValueNotSupported', message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"', field: 'spec.restartPolicy' },
        { reason: 'FieldValueNotFound', message: 'Not found: "data"', field: 'spec.volumes[0].name' },
      ],
    },
    code: 422,
  });
  assert.ok(body.message?.startsWith('Pod "web" is invalid: ['));
});

test('exec exit status (channel 3)', () => {
  assert.deepEqual(execExitStatus(0, ['true']), { metadata: {}, status: 'Success' });
  const s = execExitStatus(3, ['sh', '-c', 'exit 3']);
  assert.equal(s.reason, 'NonZeroExitCode');
  assert.deepEqual(s.details, { causes: [{ reason: 'ExitCode', message: '3' }] });
});
