// Quantities for resource arithmetic, in exact nano-units: the apiserver's parser (src/api/quantity.ts) is the one
// definition of the grammar; this adds the conversion to floats (cores, bytes) at the end of the arithmetic.
import type { Quantity } from '../../api/types.js';
import { parseQuantityNanos } from '../../api/quantity.js';

const NANO_DIGITS = 9;

/** The exact value in nano-units (1e-9); undefined if malformed. */
export function parseQuantityNano(q: Quantity): bigint | undefined {
  return parseQuantityNanos(q);
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
