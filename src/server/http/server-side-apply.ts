// Server-side apply (`application/apply-patch+yaml`), kept as simple as correct: each applier owns the set of
// paths its last applied configuration set. Applying merges the configuration into the object (lists by merge
// key, as a strategic merge); fields the applier owned before, no longer applies, and nobody else owns are
// removed. A field another manager owns with a different value is a conflict (409) unless forced, which takes
// the field from that manager.

import { formatRfc3339 } from '../../core/time.js';
import { jsonEqual } from '../../store/metadata.js';
import { FieldSet, ownedPaths, pathString, removePath, valueAt } from './field-set.js';
import type { Path } from './field-set.js';
import { encodeOwners, ownerOf } from './managed-fields.js';
import type { ManagedFieldsEntry, Owner } from './managed-fields.js';
import { strategicMergePatch } from './patch.js';

type Json = Record<string, unknown>;

export interface ApplyConflict {
  /** As the apiserver prints a manager: `"kubectl"` for an applier, `"kubectl-create" using v1` for an updater. */
  manager: string;
  path: string;
}

export class ApplyConflictError extends Error {
  constructor(readonly conflicts: ApplyConflict[]) {
    super(conflictMessage(conflicts));
  }
}

function printManager(o: Owner): string {
  const name = JSON.stringify(o.manager) + (o.subresource === '' ? '' : ` with subresource ${JSON.stringify(o.subresource)}`);
  return o.operation === 'Update' ? `${name} using v1` : name;
}

/** The apiserver's wording (managedfields/internal/conflict.go). */
function conflictMessage(conflicts: readonly ApplyConflict[]): string {
  if (conflicts.length === 1) {
    const c = conflicts[0] as ApplyConflict;
    return `Apply failed with 1 conflict: conflict with ${c.manager}: ${c.path}`;
  }
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path]);
  const lines: string[] = [];
  for (const m of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${m}:`);
    for (const p of byManager.get(m) ?? []) lines.push(`- ${p}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function withoutManagedFields(obj: Json): Json {
  const meta = isObject(obj['metadata']) ? { ...obj['metadata'] } : {};
  delete meta['managedFields'];
  return { ...obj, metadata: meta };
}

export interface ApplyPlan {
  /** The object to admit: the configuration merged in, the applier's dropped fields removed. */
  merged: Json;
  /** The managedFields for the admitted result. */
  finish(after: Json, nowMs: number): ManagedFieldsEntry[];
}

/** Plans `manager`'s apply of `config` to `current` (undefined: the object does not exist yet). */
export function planApply(current: Json | undefined, config: Json, owners: Owner[], manager: string, force: boolean): ApplyPlan {
  const applied = ownedPaths(config);
  const me = ownerOf(owners, manager, 'Apply');
  const before = new FieldSet(me.set);
  const others = owners.filter((o) => o !== me && o.subresource === '');

  const conflicts: { owner: Owner; path: Path }[] = [];
  for (const p of applied) {
    if (p[p.length - 1] === '.') continue;
    for (const o of others) {
      if (o.set.has(p) && !jsonEqual(valueAt(current, p), valueAt(config, p))) conflicts.push({ owner: o, path: p });
    }
  }
  if (conflicts.length > 0 && !force) {
    // Paths in order, as structured-merge-diff's sorted sets list them.
    const listed = conflicts.map((c) => ({ manager: printManager(c.owner), path: pathString(c.path) }));
    throw new ApplyConflictError(listed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));
  }
  for (const c of conflicts) c.owner.set.delete(c.path);

  const base = current === undefined ? {} : withoutManagedFields(current);
  delete base['status'];
  const configBody = withoutManagedFields(config);
  delete configBody['status'];
  const merged = strategicMergePatch(base, configBody) as Json;
  const ownedByOthers = (p: Path): boolean => others.some((o) => [...o.set].some((q) => q.length >= p.length - 1
    && p.slice(0, -1).every((el, i) => q[i] === el) && (p[p.length - 1] === '.' || q.length === p.length && q[p.length - 1] === p[p.length - 1])));
  // Deepest first, so an item's fields go before the item.
  const dropped = [...before].filter((p) => !applied.has(p) && !ownedByOthers(p)).sort((a, b) => b.length - a.length);
  for (const p of dropped) removePath(merged, p);

  me.set = applied;
  return {
    merged,
    finish(after, nowMs) {
      const changed = current === undefined || !jsonEqual(withoutManagedFields(current), withoutManagedFields(after));
      if (changed || !before.equals(applied)) me.time = formatRfc3339(nowMs);
      // What the apply removed (or admission dropped) is nobody's any more.
      for (const o of owners) for (const p of o.set) if (valueAt(after, p) === undefined) o.set.delete(p);
      return encodeOwners(owners);
    },
  };
}
