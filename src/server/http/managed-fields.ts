// metadata.managedFields: which manager set which fields, per (manager, operation, subresource), as the
// apiserver's field manager records it. Updates (create, PUT, merge and strategic patches) take over every field
// they change; applies are in server-side-apply.ts. An entry whose set goes empty is dropped; entries keep their
// time unless their manager changed something.

import { formatRfc3339 } from '../../core/time.js';
import { jsonEqual } from '../../store/metadata.js';
import { FieldSet, ownedPaths, valueAt } from './field-set.js';
import type { Path } from './field-set.js';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export interface Owner {
  manager: string;
  operation: 'Apply' | 'Update';
  subresource: string;
  time: string | undefined;
  set: FieldSet;
}

/** The owners in a stored or client-sent managedFields; anything malformed counts as no tracking (the apiserver resets it). */
export function decodeOwners(managedFields: unknown): Owner[] {
  if (!Array.isArray(managedFields)) return [];
  const owners: Owner[] = [];
  for (const e of managedFields as Partial<ManagedFieldsEntry>[]) {
    if (typeof e !== 'object' || e === null || typeof e.manager !== 'string' || (e.operation !== 'Apply' && e.operation !== 'Update')) return [];
    try {
      owners.push({
        manager: e.manager, operation: e.operation, subresource: e.subresource ?? '', time: e.time,
        set: FieldSet.fromFieldsV1(e.fieldsV1 ?? {}),
      });
    } catch {
      return [];
    }
  }
  return owners;
}

export function encodeOwners(owners: readonly Owner[]): ManagedFieldsEntry[] {
  const kept = owners.filter((o) => o.set.size > 0);
  // The apiserver's order: Apply before Update, then by time, manager and subresource.
  kept.sort((a, b) => (a.operation !== b.operation ? (a.operation < b.operation ? -1 : 1)
    : (a.time ?? '') !== (b.time ?? '') ? ((a.time ?? '') < (b.time ?? '') ? -1 : 1)
      : a.manager !== b.manager ? (a.manager < b.manager ? -1 : 1)
        : a.subresource < b.subresource ? -1 : a.subresource > b.subresource ? 1 : 0));
  return kept.map((o) => {
    const e: ManagedFieldsEntry = { manager: o.manager, operation: o.operation, apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: o.set.toFieldsV1() };
    if (o.time !== undefined) e.time = o.time;
    if (o.subresource !== '') e.subresource = o.subresource;
    // Key order as the apiserver prints them.
    return { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, ...(e.time === undefined ? {} : { time: e.time }),
      fieldsType: e.fieldsType, fieldsV1: e.fieldsV1, ...(e.subresource === undefined ? {} : { subresource: e.subresource }) };
  });
}

export function ownerOf(owners: Owner[], manager: string, operation: Owner['operation'], subresource = ''): Owner {
  let o = owners.find((x) => x.manager === manager && x.operation === operation && x.subresource === subresource);
  if (o === undefined) {
    o = { manager, operation, subresource, time: undefined, set: new FieldSet() };
    owners.push(o);
  }
  return o;
}

/** `.` paths (a list item's existence) change only by appearing; other paths whenever their value differs. */
export function changedPaths(before: unknown, after: unknown, paths: Iterable<Path>): FieldSet {
  const out = new FieldSet();
  for (const p of paths) {
    const was = valueAt(before, p);
    if (was === undefined || (p[p.length - 1] !== '.' && !jsonEqual(was, valueAt(after, p)))) out.add(p);
  }
  return out;
}

/** The managedFields after `manager` updated `before` (undefined on create) to `after`. */
export function recordUpdate(owners: Owner[], manager: string, before: unknown, after: unknown, nowMs: number): ManagedFieldsEntry[] {
  const now = ownedPaths(after);
  const changed = changedPaths(before, after, now);
  // Fields gone are nobody's; fields this update changed are its manager's alone.
  for (const o of owners) {
    const self = o.manager === manager && o.operation === 'Update' && o.subresource === '';
    for (const p of o.set) if (!now.has(p) || (changed.has(p) && !self)) o.set.delete(p);
  }
  if (changed.size > 0) {
    const me = ownerOf(owners, manager, 'Update');
    for (const p of changed) me.set.add(p);
    me.time = formatRfc3339(nowMs);
  }
  return encodeOwners(owners);
}

/** Who a non-apply write is on behalf of: `?fieldManager=`, else the client's User-Agent up to its first `/`. */
export function updateManager(query: URLSearchParams, userAgent: string | undefined): string {
  const given = query.get('fieldManager');
  if (given !== null && given !== '') return given;
  const prefix = (userAgent ?? '').split('/')[0]?.trim() ?? '';
  return prefix === '' ? 'unknown' : prefix;
}

export function managedFieldsOf(obj: { metadata: object }): unknown {
  return (obj.metadata as Record<string, unknown>)['managedFields'];
}

export function setManagedFields(obj: { metadata: object }, entries: readonly ManagedFieldsEntry[]): void {
  const meta = obj.metadata as Record<string, unknown>;
  if (entries.length > 0) meta['managedFields'] = entries;
  else delete meta['managedFields'];
}

/** The owners to go on from: the stored ones, unless the client sent different managedFields (they replace them). */
export function currentOwners(current: { metadata: object }, sent: unknown): Owner[] {
  const stored = managedFieldsOf(current);
  return decodeOwners(sent !== undefined && !jsonEqual(sent, stored) ? sent : stored);
}
