// Kubernetes `Status` objects exactly as apimachinery's apierrors builds them (k8s.io/apimachinery/pkg/api/errors),
// and `statusForError`: the one place where podd's error codes become HTTP status codes. Pure: no I/O, no clock.

import { DecodeError, InvalidError } from '../../api/field-errors.js';
import { PoddError } from '../../core/errors.js';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** metav1.StatusDetails; `kind` is the resource ("pods") except for Invalid, where it is the Kind ("Pod"). */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { resourceVersion?: string; continue?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  /** Omitted on the Success Status a registry delete returns. */
  code?: number;
}

/** What a status is about: the resource (plural, "pods"), its API group ("" for core) and the object's name. */
export interface StatusTarget {
  resource: string;
  name?: string;
  group?: string;
}

function failure(code: number, reason: string, message: string, details?: StatusDetails): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason };
  if (details !== undefined) s.details = details;
  s.code = code;
  return s;
}

/** Details in metav1 field order (name, group, kind, uid, causes), dropping empties like Go's omitempty. */
function details(d: StatusDetails): StatusDetails {
  const out: StatusDetails = {};
  if (d.name) out.name = d.name;
  if (d.group) out.group = d.group;
  if (d.kind) out.kind = d.kind;
  if (d.uid) out.uid = d.uid;
  if (d.causes && d.causes.length > 0) out.causes = d.causes;
  if (d.retryAfterSeconds) out.retryAfterSeconds = d.retryAfterSeconds;
  return out;
}

/** schema.GroupResource.String(): `pods`, or `deployments.apps` outside the core group. */
function qualified(t: StatusTarget): string {
  return t.group ? `${t.resource}.${t.group}` : t.resource;
}

/** Go's %q for the names that appear in messages. */
function q(s: string): string {
  return JSON.stringify(s);
}

function targetDetails(t: StatusTarget): StatusDetails {
  return details({ name: t.name ?? '', group: t.group ?? '', kind: t.resource });
}

/** apierrors.NewNotFound: 404 `pods "web" not found`. */
export function notFoundStatus(t: StatusTarget): Status {
  return failure(404, 'NotFound', `${qualified(t)} ${q(t.name ?? '')} not found`, targetDetails(t));
}

/** apierrors.NewAlreadyExists: 409 `pods "web" already exists`. */
export function alreadyExistsStatus(t: StatusTarget): Status {
  return failure(409, 'AlreadyExists', `${qualified(t)} ${q(t.name ?? '')} already exists`, targetDetails(t));
}

/** apierrors.NewConflict: 409 `Operation cannot be fulfilled on pods "web": <why>`. */
export function conflictStatus(t: StatusTarget, why: string): Status {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(t)} ${q(t.name ?? '')}: ${why}`, targetDetails(t));
}

/** apierrors.NewApplyConflict: 409 Conflict, one FieldManagerConflict cause per contested field. */
export function applyConflictStatus(conflicts: readonly { manager: string; path: string }[], message: string): Status {
  return failure(409, 'Conflict', message, {
    causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.manager}`, field: c.path })),
  });
}

/** A patch that does not apply to the object (the apiserver's generic 422 for JSON patch errors). */
export function patchNotApplicableStatus(message: string): Status {
  return failure(422, 'Invalid', message, {});
}

/** The optimistic-concurrency message of a stale resourceVersion on update. */
export const OBJECT_MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

/** apierrors.NewInvalid from an InvalidError: 422, details.kind is the Kind ("Pod"), one cause per field error. */
export function invalidStatus(err: InvalidError, group = ''): Status {
  return failure(422, 'Invalid', err.message, details({ name: err.name, group, kind: err.kind, causes: err.causes() }));
}

/** apierrors.NewBadRequest: 400 with the reason as the message and no details. */
export function badRequestStatus(message: string): Status {
  return failure(400, 'BadRequest', message);
}

/** apierrors.NewUnauthorized as the authentication filter sends it: 401 `Unauthorized`. */
export function unauthorizedStatus(message = 'Unauthorized'): Status {
  return failure(401, 'Unauthorized', message);
}

/** apierrors.NewForbidden: 403 `pods "web" is forbidden: <why>`. */
export function forbiddenStatus(t: StatusTarget, why: string): Status {
  return failure(403, 'Forbidden', `${qualified(t)} ${q(t.name ?? '')} is forbidden: ${why}`, targetDetails(t));
}

/** apierrors.NewResourceExpired: 410, reason Expired. */
export function goneStatus(message: string): Status {
  return failure(410, 'Expired', message);
}

/** The watch cache's message for a resourceVersion older than what it still holds: `too old resource version: 5 (20)`. */
export function tooOldResourceVersionStatus(requested: string | number, oldest: string | number): Status {
  return goneStatus(`too old resource version: ${requested} (${oldest})`);
}

/** apierrors.NewMethodNotSupported: 405 `<verb> is not supported on resources of kind "pods"`. */
export function methodNotSupportedStatus(t: StatusTarget, verb: string): Status {
  return failure(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind ${q(qualified(t))}`,
    details({ group: t.group ?? '', kind: t.resource }));
}

/** apierrors.NewRequestEntityTooLargeError: 413 `Request entity too large: <what>`. */
export function requestEntityTooLargeStatus(message: string): Status {
  return failure(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);
}

/** apierrors.NewUnsupportedMediaType: 415. */
export function unsupportedMediaTypeStatus(accepted: readonly string[]): Status {
  return failure(415, 'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}

/** NotAcceptable (406) for an Accept header podd cannot satisfy. */
export function notAcceptableStatus(accepted: readonly string[]): Status {
  return failure(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`);
}

/** apierrors.NewServiceUnavailable: 503 with the reason as the message. */
export function serviceUnavailableStatus(message: string): Status {
  return failure(503, 'ServiceUnavailable', message);
}

/** apierrors.NewInternalError: 500 `Internal error occurred: <err>`, the bare message as the only cause. */
export function internalErrorStatus(message: string): Status {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/** apierrors.NewTimeoutError: 504. */
export function timeoutStatus(message: string, retryAfterSeconds = 0): Status {
  return failure(504, 'Timeout', `Timeout: ${message}`, details({ retryAfterSeconds }));
}

/**
 * The Success Status a registry delete returns when the object is gone at once (no code field, like the
 * generic registry): `{"status":"Success","details":{"name":"w1","kind":"pods","uid":"…"}}`. kubectl accepts
 * this or the deleted object itself.
 */
export function deleteSuccessStatus(t: StatusTarget & { uid?: string }): Status {
  return {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
    details: details({ name: t.name ?? '', group: t.group ?? '', kind: t.resource, uid: t.uid ?? '' }),
  };
}

/** The exec stream's end-of-command status (channel 3, v5.channel.k8s.io). */
export function execExitStatus(exitCode: number, argv: readonly string[]): Omit<Status, 'kind' | 'apiVersion'> {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {}, status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

export interface ErrorContext {
  /** Plural resource, as in the URL: "pods". */
  resource: string;
  name?: string;
  /** Kind for Invalid errors that are plain PoddErrors ("Pod"). */
  kind?: string;
  group?: string;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : String(err);
}

/**
 * The HTTP code and Status body for anything a handler threw. PoddError codes map as:
 * NotFound 404, AlreadyExists 409, Conflict 409, Invalid 422, FailedPrecondition 400 (what the apiserver answers
 * e.g. for logs of a container not started yet), Unavailable 503, Internal and foreign errors 500.
 * InvalidError keeps its field causes; DecodeError is a 400 BadRequest.
 */
export function statusForError(err: unknown, ctx: ErrorContext): { code: number; body: Status } {
  const body = statusBodyForError(err, ctx);
  return { code: body.code ?? 500, body };
}

function statusBodyForError(err: unknown, ctx: ErrorContext): Status {
  const target: StatusTarget = { resource: ctx.resource };
  if (ctx.name !== undefined) target.name = ctx.name;
  if (ctx.group !== undefined) target.group = ctx.group;
  if (err instanceof InvalidError) return invalidStatus(err, ctx.group);
  if (err instanceof DecodeError) return badRequestStatus(err.message);
  if (!(err instanceof PoddError)) return internalErrorStatus(messageOf(err));
  switch (err.code) {
    case 'NotFound':
      return ctx.name !== undefined ? notFoundStatus(target) : failure(404, 'NotFound', err.message, targetDetails(target));
    case 'AlreadyExists':
      return ctx.name !== undefined ? alreadyExistsStatus(target) : failure(409, 'AlreadyExists', err.message, targetDetails(target));
    case 'Conflict':
      return err.message.startsWith('Operation cannot be fulfilled')
        ? failure(409, 'Conflict', err.message, targetDetails(target))
        : conflictStatus(target, err.message);
    case 'Invalid':
      return failure(422, 'Invalid', err.message,
        details({ name: ctx.name ?? '', group: ctx.group ?? '', kind: ctx.kind ?? '' }));
    case 'FailedPrecondition':
      return badRequestStatus(err.message);
    case 'Unavailable':
      return serviceUnavailableStatus(err.message);
    case 'Internal':
      return internalErrorStatus(err.message);
  }
}

/** A watch `ERROR` event carrying a Status (e.g. 410 Expired). */
export function watchErrorEvent(status: Status): { type: 'ERROR'; object: Status } {
  return { type: 'ERROR', object: status };
}
