// One error taxonomy for the whole project (containerd's errdefs): callers branch on
// `code`, never on message text; the HTTP layer maps codes to statuses.

export type ErrorCode =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'FailedPrecondition'
  | 'Unavailable'
  | 'Internal';

export class PoddError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PoddError';
    this.code = code;
  }
}

export function isPoddError(err: unknown, code?: ErrorCode): err is PoddError {
  return err instanceof PoddError && (code === undefined || err.code === code);
}

/** The code of any thrown value; foreign errors count as Internal. */
export function errorCode(err: unknown): ErrorCode {
  return err instanceof PoddError ? err.code : 'Internal';
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : String(err);
}

/**
 * Adds context ("failed to start container \"app\"") in front of an error while keeping its
 * code, so a NotFound deep down is still a NotFound at the API. The original is the `cause`.
 */
export function wrap(err: unknown, context: string): PoddError {
  return new PoddError(errorCode(err), `${context}: ${messageOf(err)}`, { cause: err });
}
