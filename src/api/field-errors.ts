// Field errors rendered byte-for-byte like apimachinery's field.Error.Error(), and the two error
// classes the API layer throws (Invalid and BadRequest), so that the CLI and the HTTP server can print
// exactly what a real apiserver would.

export type FieldErrorType =
  | 'NotFound'
  | 'Required'
  | 'Duplicate'
  | 'Invalid'
  | 'NotSupported'
  | 'Forbidden'
  | 'TooLong'
  | 'TooMany'
  | 'Internal';

export interface FieldError {
  readonly type: FieldErrorType;
  /** Path such as `spec.containers[0].name`. */
  readonly field: string;
  readonly badValue: unknown;
  readonly detail: string;
}

/**
 * A bad value Go would print with its String() method, i.e. without quotes (resource names and
 * quantities are fmt.Stringers in Kubernetes, so `Invalid value: 500m: must be an integer`).
 */
export class Unquoted {
  constructor(readonly text: string) {}
}

export function required(field: string, detail = ''): FieldError {
  return { type: 'Required', field, badValue: '', detail };
}
export function forbidden(field: string, detail: string): FieldError {
  return { type: 'Forbidden', field, badValue: '', detail };
}
export function duplicate(field: string, value: unknown): FieldError {
  return { type: 'Duplicate', field, badValue: value, detail: '' };
}
export function invalid(field: string, value: unknown, detail: string): FieldError {
  return { type: 'Invalid', field, badValue: value, detail };
}
export function notFound(field: string, value: unknown): FieldError {
  return { type: 'NotFound', field, badValue: value, detail: '' };
}
export function notSupported(field: string, value: unknown, validValues: readonly string[]): FieldError {
  const detail = validValues.length > 0 ? 'supported values: ' + validValues.map(goQuote).join(', ') : '';
  return { type: 'NotSupported', field, badValue: value, detail };
}
export function tooLong(field: string, maxBytes: number): FieldError {
  return { type: 'TooLong', field, badValue: '', detail: `must have at most ${maxBytes} bytes` };
}
export function tooMany(field: string, actual: number, max: number): FieldError {
  return { type: 'TooMany', field, badValue: actual, detail: `must have at most ${max} items` };
}
export function internalError(field: string, detail: string): FieldError {
  return { type: 'Internal', field, badValue: null, detail };
}

const typeText: Record<FieldErrorType, string> = {
  NotFound: 'Not found',
  Required: 'Required value',
  Duplicate: 'Duplicate value',
  Invalid: 'Invalid value',
  NotSupported: 'Unsupported value',
  Forbidden: 'Forbidden',
  TooLong: 'Too long',
  TooMany: 'Too many',
  Internal: 'Internal error',
};

/** metav1.CauseType of a field error, for Status.details.causes[].reason. */
export function causeType(e: FieldError): string {
  return e.type === 'Internal' ? 'InternalError' : `FieldValue${e.type}`;
}

/** The message without the field path (field.Error.ErrorBody). */
export function fieldErrorBody(e: FieldError): string {
  let s = typeText[e.type];
  const valueless = e.type === 'Required' || e.type === 'Forbidden' || e.type === 'TooLong' || e.type === 'Internal';
  if (!valueless) s += ': ' + formatBadValue(e.badValue);
  if (e.detail.length > 0) s += ': ' + e.detail;
  return s;
}

export function renderFieldError(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

function formatBadValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof Unquoted) return v.text;
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
    return `[]string{${v.map(goQuote).join(', ')}}`;
  }
  return JSON.stringify(v) ?? String(v);
}

/** strconv.Quote for the characters manifests contain in practice. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

/** Like utilerrors.NewAggregate(...).Error(): duplicates dropped, one message bare, several in brackets. */
export function aggregateMessage(errors: readonly FieldError[]): string {
  const msgs = [...new Set(errors.map(renderFieldError))];
  return msgs.length === 1 ? (msgs[0] ?? '') : `[${msgs.join(', ')}]`;
}

export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

/** apierrors.NewInvalid: HTTP 422, reason Invalid. */
export class InvalidError extends Error {
  readonly code = 'Invalid' as const;
  readonly kind: string;
  // Shadows Error#name on purpose: it is the object's name, as in Status.details.name.
  override readonly name: string;
  readonly errors: readonly FieldError[];

  constructor(kind: string, name: string, errors: readonly FieldError[]) {
    super(errors.length === 0 ? `${kind} ${goQuote(name)} is invalid` : `${kind} ${goQuote(name)} is invalid: ${aggregateMessage(errors)}`);
    this.kind = kind;
    this.name = name;
    this.errors = errors;
  }

  causes(): StatusCause[] {
    return this.errors.map((e) => ({ reason: causeType(e), message: fieldErrorBody(e), field: e.field }));
  }
}

/** A manifest that cannot be turned into an object at all (HTTP 400, reason BadRequest). */
export class DecodeError extends Error {
  readonly code = 'BadRequest' as const;
  override readonly name = 'DecodeError';
  /** 1-based index of the YAML document at fault, when known. */
  readonly document: number | undefined;

  constructor(message: string, document?: number) {
    super(message);
    this.document = document;
  }
}
