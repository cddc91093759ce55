import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderFieldError } from './field-errors.js';
import type { PodSpec } from './types.js';
import { validateActiveDeadlineUpdate } from './validate-pod-update.js';

const spec = (ads?: number): PodSpec => ({ containers: [{ name: 'app', image: 'busybox' }], ...(ads === undefined ? {} : { activeDeadlineSeconds: ads }) });

test('activeDeadlineSeconds on update: set or shortened, never lengthened or removed', () => {
  const cases: { name: string; old?: number; next?: number; want: string[] }[] = [
    { name: 'unchanged', old: 60, next: 60, want: [] },
    { name: 'shortened', old: 60, next: 1, want: [] },
    { name: 'set where there was none', next: 30, want: [] },
    { name: 'neither before nor after', want: [] },
    { name: 'lengthened', old: 60, next: 61, want: ['spec.activeDeadlineSeconds: Invalid value: 61: must be less than or equal to previous value'] },
    { name: 'removed', old: 60, want: ['spec.activeDeadlineSeconds: Invalid value: "null": must not update from a positive integer to nil value'] },
    { name: 'negative', old: 60, next: -1, want: ['spec.activeDeadlineSeconds: Invalid value: -1: must be between 0 and 2147483647, inclusive'] },
    { name: 'beyond int32', next: 2147483648, want: ['spec.activeDeadlineSeconds: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive'] },
  ];
  for (const c of cases) assert.deepEqual(validateActiveDeadlineUpdate(spec(c.old), spec(c.next)).map(renderFieldError), c.want, c.name);
});
