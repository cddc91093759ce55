// Decodes one plain JSON-like value against a schema the way the apiserver's strict JSON decoder
// (sigs.k8s.io/json with DisallowUnknownFields) does: the first type error aborts with
// encoding/json's wording; unknown fields are all collected, in document order, with their
// indexed paths; JSON null leaves a field unset.
import { base64ErrorOffset } from './base64.js';
import { ERR_FORMAT_WRONG, parseQuantityExact } from './quantity.js';
import { goTypeName } from './schema.js';
import type { FieldKind, ObjectSchema } from './schema.js';

export class WireTypeError extends Error {}

export interface StrictResult {
  readonly value: Record<string, unknown>;
  readonly unknownFields: readonly string[];
}

interface Where {
  /** Indexed path used in strict errors: spec.containers[0].image */
  readonly strict: string;
  /** Dotted path without indexes used by encoding/json: spec.containers.image */
  readonly dotted: string;
  /** Innermost Go struct being filled. */
  readonly struct: string;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  if (isPlainObject(v)) return 'object';
  return 'unsupported YAML value';
}

function typeError(v: unknown, k: FieldKind, at: Where, literal = false): WireTypeError {
  const what = literal ? `number ${String(v)}` : jsonKind(v);
  const field = at.dotted === '' ? at.struct : `${at.struct}.${at.dotted}`;
  return new WireTypeError(`json: cannot unmarshal ${what} into Go struct field ${field} of type ${goTypeName(k)}`);
}

const INT_RANGE = {
  int32: [-2147483648, 2147483647],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
} as const;

export function decodeStrict(input: Record<string, unknown>, schema: ObjectSchema): StrictResult {
  const unknownFields: string[] = [];
  const value = decodeObject(input, schema, { strict: '', dotted: '', struct: schema.go }, unknownFields);
  return { value, unknownFields };
}

function child(at: Where, name: string, struct: string): Where {
  return {
    strict: at.strict === '' ? name : `${at.strict}.${name}`,
    dotted: at.dotted === '' ? name : `${at.dotted}.${name}`,
    struct,
  };
}

function decodeObject(input: Record<string, unknown>, schema: ObjectSchema, at: Where, unknown: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(input)) {
    const kind = schema.fields[key];
    const where = child(at, key, schema.go);
    if (kind === undefined) {
      unknown.push(where.strict);
      continue;
    }
    if (raw === null) continue;
    out[key] = decodeValue(raw, kind, where, unknown);
  }
  return out;
}

function decodeValue(v: unknown, k: FieldKind, at: Where, unknown: string[]): unknown {
  switch (k.kind) {
    case 'string':
      if (typeof v !== 'string') throw typeError(v, k, at);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw typeError(v, k, at);
      return v;
    case 'int': {
      if (typeof v !== 'number') throw typeError(v, k, at);
      const [lo, hi] = INT_RANGE[k.go];
      if (!Number.isInteger(v) || v < lo || v > hi) throw typeError(v, k, at, true);
      return v;
    }
    case 'quantity': {
      if (typeof v !== 'string' && typeof v !== 'number') throw new WireTypeError(ERR_FORMAT_WRONG);
      const parsed = parseQuantityExact(v);
      if (!parsed.ok) throw new WireTypeError(parsed.error);
      return v;
    }
    case 'intOrString':
      if (typeof v === 'string') return v;
      if (typeof v !== 'number') throw new WireTypeError(`json: cannot unmarshal ${jsonKind(v)} into Go value of type int32`);
      if (!Number.isInteger(v) || v < INT_RANGE.int32[0] || v > INT_RANGE.int32[1]) {
        throw new WireTypeError(`json: cannot unmarshal number ${v} into Go value of type int32`);
      }
      return v;
    case 'bytes': {
      if (typeof v !== 'string') throw typeError(v, k, at);
      const bad = base64ErrorOffset(v);
      if (bad !== -1) throw new WireTypeError(`illegal base64 data at input byte ${bad}`);
      return v;
    }
    case 'object':
      if (!isPlainObject(v)) throw typeError(v, k, at);
      return decodeObject(v, k.schema, at, unknown);
    case 'array':
      if (!Array.isArray(v)) throw typeError(v, k, at);
      return v.map((item: unknown, i) => {
        const where = { ...at, strict: `${at.strict}[${i}]` };
        return item === null ? zeroValue(k.of) : decodeValue(item, k.of, where, unknown);
      });
    case 'map': {
      if (!isPlainObject(v)) throw typeError(v, k, at);
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(v)) {
        out[key] = item === null ? zeroValue(k.of) : decodeValue(item, k.of, { ...at, strict: `${at.strict}[${key}]` }, unknown);
      }
      return out;
    }
  }
}

function zeroValue(k: FieldKind): unknown {
  switch (k.kind) {
    case 'string': case 'bytes': return '';
    case 'int': case 'intOrString': return 0;
    case 'bool': return false;
    case 'quantity': return '0';
    case 'object': case 'map': return {};
    case 'array': return [];
  }
}
