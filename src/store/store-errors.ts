// The store's errors, worded as the apiserver words them so the HTTP layer can pass messages through unchanged.
// Two watch failures need more than a code to map exactly, so they are subclasses with the apiserver's `reason`:
//   ExpiredError                 code FailedPrecondition, reason 'Expired'  -> HTTP 410 Gone, Status reason Expired
//   TooLargeResourceVersionError code Unavailable,        reason 'Timeout'  -> HTTP 504, Status reason Timeout

import { PoddError } from '../core/errors.js';

/** A watch asked for changes the change log has already dropped: the client must list again. */
export class ExpiredError extends PoddError {
  readonly reason = 'Expired';

  /** `requested` is the asked-for resourceVersion; `oldest` the oldest one a watch may still start from. */
  constructor(readonly requested: number, readonly oldest: number) {
    super('FailedPrecondition', `too old resource version: ${requested} (${oldest})`);
    this.name = 'ExpiredError';
  }
}

/** A watch asked for a resourceVersion this store has not reached (it came from another store or was made up). */
export class TooLargeResourceVersionError extends PoddError {
  readonly reason = 'Timeout';

  constructor(readonly requested: number, readonly current: number) {
    super('Unavailable', `Too large resource version: ${requested}, current: ${current}`);
    this.name = 'TooLargeResourceVersionError';
  }
}

export function isExpiredError(err: unknown): err is ExpiredError {
  return err instanceof ExpiredError;
}

export function notFound(resource: string, name: string): PoddError {
  return new PoddError('NotFound', `${resource} "${name}" not found`);
}

export function alreadyExists(resource: string, name: string): PoddError {
  return new PoddError('AlreadyExists', `${resource} "${name}" already exists`);
}

export function modifiedConflict(resource: string, name: string): PoddError {
  return new PoddError('Conflict', `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; `
    + 'please apply your changes to the latest version and try again');
}

/** The apiserver's words for a failed uid/resourceVersion precondition (a storage InvalidObjError as a Conflict). */
export function preconditionConflict(
  resource: string, name: string, field: 'UID' | 'ResourceVersion', expected: string, actual: string): PoddError {
  return new PoddError('Conflict', `Operation cannot be fulfilled on ${resource} "${name}": `
    + `Precondition failed: ${field} in precondition: ${expected}, ${field} in object meta: ${actual}`);
}
