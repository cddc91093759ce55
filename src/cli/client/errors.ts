// How the client verbs fail, printed as kubectl prints them (cmdutil.CheckErr): a Kubernetes Status from the
// server is `Error from server (Reason): message`, anything else `error: message`; both exit 1. Bad usage exits 2.

export interface ApiStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; causes?: { reason?: string; message?: string; field?: string }[] };
}

/** A failure the server reported; `status` is its Status object (or one made up for a non-Status answer). */
export class ApiError extends Error {
  constructor(readonly status: ApiStatus) {
    super(status.message ?? `the server responded with status code ${status.code ?? 0}`);
  }

  get code(): number {
    return this.status.code ?? 0;
  }

  get reason(): string {
    return this.status.reason ?? '';
  }

  /** The same error with kubectl's `error when <verb> "<file>": ` prefix on its message (AddSourceToErr). */
  withSource(verb: string, source: string): ApiError {
    return new ApiError({ ...this.status, message: `error when ${verb} ${JSON.stringify(source)}: ${this.message}` });
  }
}

/** A client-side failure: `error: <message>`, exit 1. */
export class ClientError extends Error {}

/** The server could not be reached; printed without the `error: ` prefix, as kubectl does. */
export class ConnectionError extends ClientError {}

/** Wrong flags or arguments: `error: <message>`, exit 2. */
export class UsageError extends Error {}

/** reason strings for codes the server answered without a Status (apierrors.NewGenericServerResponse). */
const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 406: 'NotAcceptable',
  409: 'Conflict', 410: 'Expired', 415: 'UnsupportedMediaType', 422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError',
  503: 'ServiceUnavailable', 504: 'Timeout',
};

/** The error for a non-2xx answer: its Status when the body is one, else a Status made from the code. */
export function apiErrorFromResponse(code: number, body: string): ApiError {
  try {
    const parsed = JSON.parse(body) as ApiStatus;
    if (parsed.kind === 'Status') return new ApiError({ ...parsed, code: parsed.code ?? code });
  } catch {
    // not JSON: described from the code below
  }
  const text = body.trim();
  const message = text === '' ? `the server responded with the status code ${code} but did not return more information` : text;
  return new ApiError({ kind: 'Status', status: 'Failure', code, reason: REASONS[code] ?? '', message });
}

/** The line kubectl prints for `err`. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.reason === '' ? `Error from server: ${err.message}` : `Error from server (${err.reason}): ${err.message}`;
  if (err instanceof ConnectionError) return err.message;
  const unknown = (err as { code?: unknown } | undefined)?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /option '([^']+)'/.exec(String((err as Error).message)) : null;
  if (unknown !== null) return `error: unknown flag: ${unknown[1] ?? ''}`;
  if (err instanceof Error) return `error: ${err.message}`;
  return `error: ${String(err)}`;
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return 2;
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_') ? 2 : 1;
}
