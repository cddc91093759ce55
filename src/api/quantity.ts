// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource), exact to the nano unit.
// The scanner, the rounding (up, away from zero, to 1n) and the canonical String() form follow
// apimachinery, because validation messages print quantities in that canonical form.
import type { Quantity } from './types.js';

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface ParsedQuantity {
  /** The value times 10^9, rounded away from zero. */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
  /** The input string when apimachinery would keep it verbatim as String(). */
  readonly cached?: string;
  /** Power of ten of the exact int64 form, when the parse took apimachinery's fast path. */
  readonly scale?: number;
}

export const QUANTITY_REGEX = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const ERR_FORMAT_WRONG = `quantities must match the regular expression '${QUANTITY_REGEX}'`;
export const ERR_NUMERIC = 'unable to parse numeric part of quantity';
export const ERR_SUFFIX = "unable to parse quantity's suffix";

const NANO = 1_000_000_000n;
const MAX_EXPONENT = 1000;
const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const SUFFIX_CHARS = 'eEinumkKMGTP';

type Scan = { positive: boolean; num: string; denom: string; suffix: string };

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** parseQuantityString: a permissive scanner; the suffix is checked afterwards. */
function scan(str: string): Scan | undefined {
  let pos = 0;
  let positive = true;
  if (str[0] === '-') { positive = false; pos++; } else if (str[0] === '+') pos++;
  while (pos < str.length && str[pos] === '0') pos++;
  if (pos >= str.length) return { positive, num: '0', denom: '', suffix: '' };
  let i = pos;
  while (isDigit(str[i])) i++;
  const num = str.slice(pos, i) || '0';
  pos = i;
  let denom = '';
  if (str[pos] === '.') {
    i = ++pos;
    while (isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    pos = i;
  }
  const suffixStart = pos;
  while (pos < str.length && SUFFIX_CHARS.includes(str[pos] ?? '')) pos++;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (isDigit(str[pos])) pos++;
  if (pos < str.length) return undefined;
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

function interpret(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } | undefined {
  const dec = DECIMAL_SUFFIXES[suffix];
  if (dec !== undefined) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = BINARY_SUFFIXES[suffix];
  if (bin !== undefined) return { base: 2, exponent: bin, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[-+]?[0-9]+$/.test(suffix.slice(1))) {
    return { base: 10, exponent: Number(suffix.slice(1)), format: 'DecimalExponent' };
  }
  return undefined;
}

/** Division rounding away from zero. */
function divUp(a: bigint, b: bigint): bigint {
  const q = a / b;
  if (q * b === a) return q;
  return a < 0n ? q - 1n : q + 1n;
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

export type QuantityParse = { ok: true; value: ParsedQuantity } | { ok: false; error: string };

/** resource.ParseQuantity, reporting apimachinery's error text on failure. */
export function parseQuantityExact(input: Quantity): QuantityParse {
  const str = typeof input === 'number' ? numberToQuantityString(input) : input.trim();
  if (str.length === 0) return { ok: false, error: ERR_FORMAT_WRONG };
  if (str === '0') return { ok: true, value: { nanos: 0n, format: 'DecimalSI', cached: '0', scale: 0 } };
  const s = scan(str);
  if (s === undefined) return { ok: false, error: ERR_FORMAT_WRONG };
  const suffix = interpret(s.suffix);
  if (suffix === undefined) return { ok: false, error: ERR_SUFFIX };
  // apimachinery would carry "1e999999999" symbolically; exact BigInt arithmetic cannot, so refuse it.
  if (Math.abs(suffix.exponent) > MAX_EXPONENT) return { ok: false, error: ERR_NUMERIC };
  const digits = BigInt(s.num + s.denom);
  let nanos: bigint;
  if (suffix.base === 10) {
    const scale10 = suffix.exponent - s.denom.length + 9;
    nanos = scale10 >= 0 ? digits * pow10(scale10) : divUp(digits, pow10(-scale10));
  } else {
    nanos = divUp(digits * (1n << BigInt(suffix.exponent)) * NANO, pow10(s.denom.length));
  }
  if (!s.positive) nanos = -nanos;
  let format = suffix.format;
  if (format === 'BinarySI' && nanos !== 0n && (nanos < 0n ? -nanos : nanos) < NANO) format = 'DecimalSI';
  const fast = fastPathScale(s, suffix);
  const value: ParsedQuantity = fast === undefined ? { nanos, format } : { nanos, format, scale: fast, ...cacheFor(str, s, suffix, fast) };
  return { ok: true, value };
}

// apimachinery keeps an int64 form (and maybe the input string) only when this precision test passes.
function fastPathScale(s: Scan, suffix: { base: 2 | 10; exponent: number; format: QuantityFormat }): number | undefined {
  let precision: number;
  let scale = 0;
  if (suffix.base === 10) {
    scale = suffix.exponent;
    precision = 18 - (s.num.length + s.denom.length);
  } else if (suffix.exponent >= 0 && s.denom.length === 0) {
    precision = 15 - s.num.length - Math.trunc(Math.fround(suffix.exponent * 3) / 10) - 1;
  } else {
    precision = -1;
  }
  if (precision < 0) return undefined;
  scale -= s.denom.length;
  return scale >= -9 ? scale : undefined;
}

function cacheFor(str: string, s: Scan, suffix: { exponent: number; format: QuantityFormat }, scale: number): { cached?: string } {
  const shifted = s.num + s.denom;
  if (suffix.format === 'BinarySI') {
    return suffix.exponent % 10 === 0 && (BigInt(shifted) & 7n) !== 0n ? { cached: str } : {};
  }
  return scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0' ? { cached: str } : {};
}

function numberToQuantityString(n: number): string {
  // JSON numbers reach the apiserver as their literal text; String() is the closest JS rendering.
  return Number.isFinite(n) ? String(n) : '';
}

/** Quantity.String(): the canonical form (e.g. 0.5 -> "500m", 1536Mi -> "1536Mi", 1000 -> "1k"). */
export function formatQuantity(q: ParsedQuantity): string {
  if (q.cached !== undefined) return q.cached;
  if (q.nanos === 0n) return '0';
  const abs = q.nanos < 0n ? -q.nanos : q.nanos;
  if (q.format === 'BinarySI' && abs >= 1024n * NANO && q.nanos % NANO === 0n) {
    let m = q.nanos / NANO;
    let count = 0;
    while (m % 1024n === 0n && count < 6) { m /= 1024n; count++; }
    return `${m}${['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][count] ?? ''}`;
  }
  let m = q.nanos;
  let exp = -9;
  while (m % 10n === 0n) { m /= 10n; exp++; }
  const floor3 = Math.floor(exp / 3) * 3;
  m *= pow10(exp - floor3);
  exp = floor3;
  if (q.format === 'DecimalExponent') return exp === 0 ? `${m}` : `${m}e${exp}`;
  if (exp > 18) { m *= pow10(exp - 18); exp = 18; }
  const suffix = Object.entries(DECIMAL_SUFFIXES).find(([, e]) => e === exp)?.[0] ?? '';
  return `${m}${suffix}`;
}

/** SetDefaults_ResourceList: round up (away from zero) to 1m, dropping the cached text if it changed scale. */
export function roundUpToMilli(q: ParsedQuantity): ParsedQuantity {
  if (q.scale !== undefined && q.scale >= -3) return q;
  const nanos = divUp(q.nanos, 1_000_000n) * 1_000_000n;
  return { nanos, format: q.format };
}

export function compareQuantities(a: ParsedQuantity, b: ParsedQuantity): number {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** The canonical text of a quantity, or undefined when it does not parse. */
export function canonicalQuantity(q: Quantity): string | undefined {
  const p = parseQuantityExact(q);
  return p.ok ? formatQuantity(p.value) : undefined;
}

/** The exact value in nano-units (1e-9), rounded away from zero; undefined when malformed. */
export function parseQuantityNanos(q: Quantity): bigint | undefined {
  const p = parseQuantityExact(q);
  return p.ok ? p.value.nanos : undefined;
}

/**
 * The value as a float: cores for cpu ("500m" -> 0.5), bytes for memory ("1Gi" -> 1073741824).
 * Undefined when the text is not a Kubernetes quantity.
 */
export function parseQuantity(q: Quantity): number | undefined {
  const p = parseQuantityExact(q);
  if (!p.ok) return undefined;
  const whole = p.value.nanos / NANO;
  const frac = p.value.nanos % NANO;
  return Number(whole) + Number(frac) / 1e9;
}

/** Quantity.MilliValue(): thousandths, rounded up (e.g. cpu millicores). */
export function quantityMilliValue(q: Quantity): number | undefined {
  const p = parseQuantityExact(q);
  return p.ok ? Number(divUp(p.value.nanos, 1_000_000n)) : undefined;
}

/** Quantity.Value(): whole units, rounded up (e.g. memory bytes). */
export function quantityValue(q: Quantity): number | undefined {
  const p = parseQuantityExact(q);
  return p.ok ? Number(divUp(p.value.nanos, NANO)) : undefined;
}
