// Kubernetes resource.Quantity parsing, reduced to what resource arithmetic needs: the exact value.
// Values are kept as BigInt counts of nano-units so that sums and maxima are exact ("100m" + "200m" is 300m, not
// 0.30000000000000004); callers convert to a float once, at the end. A private copy until src/api/quantity.ts lands.
//
// Grammar (k8s.io/apimachinery/pkg/api/resource):
//   quantity ::= signedNumber suffix
//   suffix   ::= binarySI (Ki Mi Gi Ti Pi Ei) | decimalSI (n u m "" k M G T P E) | ("e" | "E") signedInteger

import type { Quantity } from '../../api/types.js';

const NANO_DIGITS = 9;

/** Power of ten for each decimal SI suffix. */
const DECIMAL_SI: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
/** Power of two for each binary SI suffix. */
const BINARY_SI: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/;
const EXPONENT = /^[eE]([+-]?\d+)$/;
/** Far beyond any real resource; bounds the BigInt work an absurd exponent could cause. */
const MAX_EXPONENT = 64;

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** The exact value in nano-units (1e-9), rounded up to the next nano-unit like Quantity's scaled values; undefined if malformed. */
export function parseQuantityNano(q: Quantity): bigint | undefined {
  let text: string;
  if (typeof q === 'number') {
    if (!Number.isFinite(q)) return undefined;
    text = String(q); // yields forms like "0.5" or "1e+21", both inside the grammar
  } else {
    text = q.trim() === q ? q : '';
  }
  const m = NUMBER.exec(text);
  if (!m) return undefined;
  const [, sign = '', whole = '', fraction = '', suffix = ''] = m;
  if (whole === '' && fraction === '') return undefined;
  if (whole === '' && m[3] === undefined) return undefined;

  let power10: number;
  let power2 = 0;
  const binary = BINARY_SI[suffix];
  const decimal = DECIMAL_SI[suffix];
  if (binary !== undefined) {
    power10 = 0;
    power2 = binary;
  } else if (decimal !== undefined) {
    power10 = decimal;
  } else {
    const e = EXPONENT.exec(suffix);
    if (!e) return undefined;
    power10 = Number(e[1]);
    if (Math.abs(power10) > MAX_EXPONENT) return undefined;
  }

  // value = digits * 10^(power10 - fraction.length) * 2^power2, scaled by 10^9 to count nano-units
  const digits = BigInt(`${whole}${fraction}` || '0');
  const scale = power10 - fraction.length + NANO_DIGITS;
  let magnitude = digits * (1n << BigInt(power2));
  magnitude = scale >= 0 ? magnitude * 10n ** BigInt(scale) : ceilDiv(magnitude, 10n ** BigInt(-scale));
  return sign === '-' ? -magnitude : magnitude;
}

/** A nano-unit count as a float in base units (cores, bytes), exact whenever the value is a whole number. */
export function nanoToNumber(nano: bigint): number {
  const unit = 10n ** BigInt(NANO_DIGITS);
  if (nano % unit === 0n) return Number(nano / unit);
  return Number(nano) / 1e9;
}

/** The value in base units: cpu in cores ("250m" is 0.25), memory in bytes ("1Gi" is 1073741824). */
export function parseQuantity(q: Quantity): number | undefined {
  const nano = parseQuantityNano(q);
  return nano === undefined ? undefined : nanoToNumber(nano);
}
