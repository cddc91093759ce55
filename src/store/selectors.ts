// One matching rule for list and watch, so a watch started from a list's resourceVersion sees the same objects.

import type { ListOptions, StoredObject } from './types.js';

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

export function hasSelectors(options: ListOptions<StoredObject>): boolean {
  return options.labelSelector !== undefined || options.fieldSelector !== undefined;
}

export function matchesSelectors(object: StoredObject, options: ListOptions<StoredObject>): boolean {
  if (options.labelSelector && !options.labelSelector(object.metadata.labels ?? NO_LABELS)) return false;
  return !options.fieldSelector || options.fieldSelector(object);
}
