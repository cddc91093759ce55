// Paged lists (`limit` and `continue`), as etcd gives them to the apiserver: every page of one list reads the
// snapshot its first page saw. SQLite only holds the latest state, so an older snapshot is rebuilt by undoing
// the change log's entries after it: an object ADDED since did not exist yet; one MODIFIED or DELETED since
// looked like the state the first of those changes replaced.

import { matchesSelectors } from './selectors.js';
import type { ChangeRow } from './statements.js';
import type { ListContinue, ListResult, PageOptions, StoredObject } from './types.js';

function keyOf(o: StoredObject): ListContinue {
  return { namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '' };
}

/** Namespace, then name: the order of the store's list statements (ASCII names sort the same way in both). */
export function compareKeys(a: ListContinue, b: ListContinue): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return 0;
}

/** `current` (the latest state, in key order) as it was before `changes` (all changes after the snapshot, by rv). */
export function rewind<T extends StoredObject>(current: readonly T[], changes: readonly ChangeRow[]): T[] {
  const byKey = new Map<string, T | undefined>();
  const id = (namespace: string, name: string): string => `${namespace}/${name}`;
  for (const o of current) {
    const k = keyOf(o);
    byKey.set(id(k.namespace, k.name), o);
  }
  const undone = new Set<string>();
  for (const c of changes) {
    const k = id(c.namespace, c.name);
    if (undone.has(k)) continue;
    undone.add(k);
    // A DELETED change logged before prev was kept for deletions carries the last state in data.
    byKey.set(k, c.type === 'ADDED' ? undefined : JSON.parse(c.prev ?? c.data) as T);
  }
  const out: T[] = [];
  for (const o of byKey.values()) if (o !== undefined) out.push(o);
  return out.sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
}

/** One page of `objects` (in key order) at resourceVersion `rv`. */
export function pageOf<T extends StoredObject>(objects: readonly T[], rv: number, options: PageOptions<T>): ListResult<T> {
  const after = options.continue;
  let start = 0;
  if (after !== undefined) {
    while (start < objects.length && compareKeys(keyOf(objects[start] as T), after) <= 0) start++;
  }
  const limit = options.limit !== undefined && options.limit > 0 ? options.limit : Infinity;
  const selectors = options as PageOptions;
  const items: T[] = [];
  let i = start;
  for (; i < objects.length && items.length < limit; i++) {
    const o = objects[i] as T;
    if (matchesSelectors(o, selectors)) items.push(o);
  }
  const result: ListResult<T> = { items, resourceVersion: String(rv) };
  const rest = objects.slice(i);
  if (items.length > 0 && rest.some((o) => matchesSelectors(o, selectors))) {
    result.continue = { ...keyOf(items[items.length - 1] as T), resourceVersion: rv };
    if (selectors.labelSelector === undefined && selectors.fieldSelector === undefined) result.remainingItemCount = rest.length;
  }
  return result;
}
