// ValidatePodUpdate's rule for spec.activeDeadlineSeconds (pkg/apis/core/validation/validation.go): an update may
// set it or shorten it, never lengthen or remove it. (The rest of the update rule is in server/http/pod-update.ts.)
import { invalid } from './field-errors.js';
import type { FieldError } from './field-errors.js';
import { inclusiveRangeError } from './formats.js';
import type { PodSpec } from './types.js';

const MAX_INT32 = 2147483647;

export function validateActiveDeadlineUpdate(old: PodSpec, next: PodSpec, path = 'spec.activeDeadlineSeconds'): FieldError[] {
  const n = next.activeDeadlineSeconds;
  const o = old.activeDeadlineSeconds;
  if (n !== undefined) {
    if (n < 0 || n > MAX_INT32) return [invalid(path, n, inclusiveRangeError(0, MAX_INT32))];
    if (o !== undefined && o < n) return [invalid(path, n, 'must be less than or equal to previous value')];
    return [];
  }
  // Go prints the nil *int64 as the string "null".
  return o !== undefined ? [invalid(path, 'null', 'must not update from a positive integer to nil value')] : [];
}
