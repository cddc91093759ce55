// Sets of field paths, the unit of server-side apply's ownership: the leaf paths an object sets, in the
// structured-merge-diff path syntax managedFields uses (`f:<field or map key>`, `k:<key JSON>` for an item of a
// list keyed by its merge key, `.` for such an item itself). Lists without a merge key are atomic leaves.

import { jsonEqual } from '../../store/metadata.js';
import { mergeKeysForKind } from './patch.js';

export type Path = readonly string[];
type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A set of paths; members are keyed by their JSON so equal paths are one member. */
export class FieldSet {
  private readonly paths = new Map<string, Path>();

  constructor(paths: Iterable<Path> = []) {
    for (const p of paths) this.add(p);
  }

  add(p: Path): void {
    this.paths.set(JSON.stringify(p), p);
  }

  has(p: Path): boolean {
    return this.paths.has(JSON.stringify(p));
  }

  delete(p: Path): void {
    this.paths.delete(JSON.stringify(p));
  }

  get size(): number {
    return this.paths.size;
  }

  [Symbol.iterator](): IterableIterator<Path> {
    return this.paths.values();
  }

  equals(other: FieldSet): boolean {
    return this.size === other.size && [...this].every((p) => other.has(p));
  }

  /** The FieldsV1 tree: nested objects keyed by path elements, `{}` at every leaf, keys sorted. */
  toFieldsV1(): Json {
    const root: Json = {};
    for (const p of this) {
      let node = root;
      for (const el of p) {
        if (!isObject(node[el])) node[el] = {};
        node = node[el] as Json;
      }
    }
    return sortTree(root);
  }

  static fromFieldsV1(tree: unknown): FieldSet {
    const out = new FieldSet();
    const walk = (node: unknown, path: string[]): void => {
      if (!isObject(node)) throw new Error('fieldsV1 must be an object of objects');
      const keys = Object.keys(node);
      if (keys.length === 0 && path.length > 0) out.add(path);
      for (const k of keys) walk(node[k], [...path, k]);
    };
    walk(tree, []);
    return out;
  }
}

function sortTree(node: Json): Json {
  const out: Json = {};
  for (const k of Object.keys(node).sort()) out[k] = sortTree(node[k] as Json);
  return out;
}

type MergeKeys = Readonly<Record<string, string>>;

function itemKey(field: string, item: unknown, keys: MergeKeys): string | undefined {
  const key = keys[field];
  if (key === undefined || !isObject(item) || item[key] === undefined || item[key] === null) return undefined;
  return `k:${JSON.stringify({ [key]: item[key] })}`;
}

/** The leaf paths `value` sets, under `path`; list items by the merge keys of `mergeKeys` (the object's kind's). */
export function leafPaths(value: unknown, path: string[] = [], out = new FieldSet(), mergeKeys?: MergeKeys): FieldSet {
  const mk = mergeKeys ?? mergeKeysForKind(isObject(value) ? value['kind'] : undefined);
  if (isObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined && value[k] !== null);
    if (keys.length === 0 && path.length > 0) out.add(path);
    for (const k of keys) leafPaths(value[k], [...path, `f:${k}`], out, mk);
    return out;
  }
  const field = path[path.length - 1]?.slice(2) ?? '';
  if (Array.isArray(value) && value.length > 0 && value.every((item) => itemKey(field, item, mk) !== undefined)) {
    for (const item of value) {
      const itemPath = [...path, itemKey(field, item, mk) ?? ''];
      out.add([...itemPath, '.']);
      leafPaths(item, itemPath, out, mk);
    }
    return out;
  }
  if (path.length > 0) out.add(path);
  return out;
}

const TRACKED_METADATA = ['labels', 'annotations', 'ownerReferences', 'finalizers'];

/** The paths of an object that managers own: metadata's labels, annotations, owners and finalizers, and everything
 * but status (the agent reports status; who writes it is not tracked). */
export function ownedPaths(obj: unknown): FieldSet {
  if (!isObject(obj)) return new FieldSet();
  const tracked: Json = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
    if (k !== 'metadata') tracked[k] = v;
    else if (isObject(v)) {
      const meta: Json = {};
      for (const m of TRACKED_METADATA) if (v[m] !== undefined) meta[m] = v[m];
      if (Object.keys(meta).length > 0) tracked['metadata'] = meta;
    }
  }
  return leafPaths(tracked, [], new FieldSet(), mergeKeysForKind(obj['kind']));
}

function child(node: unknown, el: string): unknown {
  if (el.startsWith('f:')) return isObject(node) ? node[el.slice(2)] : undefined;
  if (el.startsWith('k:') && Array.isArray(node)) {
    const key = JSON.parse(el.slice(2)) as Json;
    return node.find((item) => isObject(item) && Object.entries(key).every(([k, v]) => jsonEqual(item[k], v)));
  }
  return undefined;
}

/** The value at `p` in `obj` (for a `.` path, the list item), or undefined. */
export function valueAt(obj: unknown, p: Path): unknown {
  let node = obj;
  for (const el of p) {
    if (el === '.') return node;
    node = child(node, el);
    if (node === undefined) return undefined;
  }
  return node;
}

/** Removes what `p` names from `obj` (a field, a map entry, or for `.` the list item); objects left empty by it go too. */
export function removePath(obj: Json, p: Path): void {
  const target = p[p.length - 1] === '.' ? p.slice(0, -1) : p;
  const last = target[target.length - 1];
  if (last === undefined) return;
  const parent = valueAt(obj, target.slice(0, -1));
  if (last.startsWith('f:') && isObject(parent)) delete parent[last.slice(2)];
  else if (last.startsWith('k:') && Array.isArray(parent)) {
    const item = child(parent, last);
    const i = parent.indexOf(item);
    if (i >= 0) parent.splice(i, 1);
  }
  // Prune the emptied objects above, up to (not including) the root or a list item.
  for (let depth = target.length - 1; depth > 0; depth--) {
    const here = target.slice(0, depth);
    const el = here[here.length - 1] ?? '';
    const node = valueAt(obj, here);
    if (!el.startsWith('f:') || !isObject(node) || Object.keys(node).length > 0) break;
    const up = valueAt(obj, here.slice(0, -1));
    if (isObject(up)) delete up[el.slice(2)];
  }
}

/** `.metadata.labels.app`, `.spec.containers[name="web"].image`: how the apiserver prints a path in conflicts. */
export function pathString(p: Path): string {
  let out = '';
  for (const el of p) {
    if (el.startsWith('f:')) out += `.${el.slice(2)}`;
    else if (el.startsWith('k:')) {
      const key = JSON.parse(el.slice(2)) as Json;
      out += `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    }
  }
  return out;
}
