// resourceVersions are opaque strings to clients but a decimal integer sequence here: one counter for the whole
// store, bumped once per create/update/delete, so "after X" is a plain integer comparison.

import { PoddError } from '../core/errors.js';

/**
 * The integer behind a client-supplied resourceVersion; undefined for "none given" ('' or undefined).
 * Invalid for anything but a non-negative decimal integer (the apiserver rejects those with 400 too).
 */
export function parseResourceVersion(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === '') return undefined;
  if (!/^\d{1,15}$/.test(rv)) throw new PoddError('Invalid', `invalid resource version "${rv}": must be a decimal integer`);
  return Number(rv);
}

export function formatResourceVersion(rv: number): string {
  return String(rv);
}
