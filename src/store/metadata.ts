// The metadata the store owns (the apiserver's "system fields"): uid, creationTimestamp, resourceVersion and
// generation. Callers never set these reliably, so the store stamps them on every write.

import { PoddError } from '../core/errors.js';
import { formatRfc3339 } from '../core/time.js';
import type { StoredObject } from './types.js';

/** The apiserver's alphabet for generateName suffixes: no vowels (no accidental words), no look-alike digits. */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const SUFFIX_LENGTH = 5;
const MAX_NAME_LENGTH = 63;

export function generateName(prefix: string, random: () => number): string {
  // The apiserver trims the prefix so prefix + suffix still fits a 63-character name.
  const base = prefix.length > MAX_NAME_LENGTH - SUFFIX_LENGTH ? prefix.slice(0, MAX_NAME_LENGTH - SUFFIX_LENGTH) : prefix;
  let suffix = '';
  for (let i = 0; i < SUFFIX_LENGTH; i++) {
    suffix += SUFFIX_ALPHABET[Math.floor(random() * SUFFIX_ALPHABET.length)] ?? 'x';
  }
  return base + suffix;
}

/** The (namespace, name) key of an object about to be created; Invalid when it has no name to go by. */
export function keyOf(object: StoredObject): { namespace: string; name: string } {
  const meta = object.metadata as StoredObject['metadata'] | undefined;
  if (meta === undefined || typeof meta !== 'object') throw new PoddError('Invalid', 'metadata: Required value');
  return { namespace: meta.namespace ?? '', name: meta.name ?? '' };
}

export interface CreateStamp {
  rv: number;
  nowMs: number;
  uid: string;
}

/** A copy of `object` as first stored. */
export function stampCreate<T extends StoredObject>(object: T, name: string, stamp: CreateStamp): T {
  if (object.metadata.resourceVersion !== undefined && object.metadata.resourceVersion !== '') {
    // The apiserver refuses rather than silently dropping it: a set resourceVersion means the caller thinks
    // it is updating an existing object.
    throw new PoddError('Invalid', 'resourceVersion should not be set on objects to be created');
  }
  // A JSON round trip, not structuredClone: what create returns must equal what a later get parses.
  const copy = JSON.parse(JSON.stringify(object)) as T;
  copy.metadata.name = name;
  if (copy.metadata.uid === undefined || copy.metadata.uid === '') copy.metadata.uid = stamp.uid;
  copy.metadata.creationTimestamp = formatRfc3339(stamp.nowMs);
  copy.metadata.resourceVersion = String(stamp.rv);
  copy.metadata.generation = 1;
  return copy;
}

/**
 * `next` made a valid successor of `current`: identity and creation time kept, generation bumped when the
 * desired state (spec) changes or graceful deletion starts, as the apiserver's strategies do. The
 * resourceVersion is left as current's; the caller stamps a new one only if something else changed.
 */
export function carryOver<T extends StoredObject>(resource: string, current: T, next: T): T {
  const meta = next.metadata as StoredObject['metadata'] | undefined;
  if (meta === undefined || typeof meta !== 'object') throw new PoddError('Invalid', 'metadata: Required value');
  const cur = current.metadata;
  const immutable = (field: string, value: string | undefined): PoddError => {
    const kind = (current as { kind?: unknown }).kind;
    const what = typeof kind === 'string' && kind !== '' ? kind : resource;
    return new PoddError('Invalid',
      `${what} "${cur.name ?? ''}" is invalid: metadata.${field}: Invalid value: "${value ?? ''}": field is immutable`);
  };
  if ((meta.name ?? '') !== (cur.name ?? '')) throw immutable('name', meta.name);
  if ((meta.namespace ?? '') !== (cur.namespace ?? '')) throw immutable('namespace', meta.namespace);
  if (meta.uid !== undefined && meta.uid !== '' && meta.uid !== cur.uid) throw immutable('uid', meta.uid);
  if (cur.uid !== undefined) meta.uid = cur.uid;
  if (cur.creationTimestamp !== undefined) meta.creationTimestamp = cur.creationTimestamp;
  if (cur.resourceVersion !== undefined) meta.resourceVersion = cur.resourceVersion;
  const generation = cur.generation ?? 1;
  const specChanged = !jsonEqual((next as { spec?: unknown }).spec, (current as { spec?: unknown }).spec);
  const deletionStarted = cur.deletionTimestamp === undefined && meta.deletionTimestamp !== undefined;
  meta.generation = specChanged || deletionStarted ? generation + 1 : generation;
  return next;
}

/** Deep equality of JSON values, blind to object key order (a rebuilt spec with reordered keys is the same spec). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  // undefined-valued keys vanish in JSON, so they do not count.
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(rb, k) && jsonEqual(ra[k], rb[k]));
}
