// JSON patch (RFC 6902, `application/json-patch+json`): `kubectl patch --type=json`, and kubectl's own
// migration of client-side-apply ownership to server-side apply (a `test` of resourceVersion, then a `replace`
// of metadata.managedFields). Errors are JsonPatchError: malformed operations are the client's 400, operations
// that do not apply to the object a 422, as the apiserver answers.

type Json = unknown;

export class JsonPatchError extends Error {
  constructor(message: string, readonly malformed: boolean) {
    super(message);
  }
}

interface Op {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPatchError(`JSON pointer must be empty or start with a "/": ${JSON.stringify(pointer)}`, true);
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function isContainer(v: Json): v is Record<string, Json> | Json[] {
  return typeof v === 'object' && v !== null;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function index(list: Json[], token: string, forAdd: boolean): number {
  if (forAdd && token === '-') return list.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new JsonPatchError(`invalid array index ${JSON.stringify(token)}`, false);
  const i = Number(token);
  if (i > list.length || (!forAdd && i === list.length)) throw new JsonPatchError(`array index ${i} out of bounds`, false);
  return i;
}

/** The container holding the pointer's last token, and that token. */
function parentOf(doc: Json, pointer: string): { parent: Record<string, Json> | Json[]; key: string } {
  const tokens = parsePointer(pointer);
  const key = tokens.pop();
  if (key === undefined) throw new JsonPatchError('the root cannot be the target of this operation', false);
  let node = doc;
  for (const t of tokens) {
    if (Array.isArray(node)) node = node[index(node, t, false)];
    else if (isContainer(node) && Object.hasOwn(node, t)) node = (node as Record<string, Json>)[t];
    else throw new JsonPatchError(`doc is missing path: ${JSON.stringify(pointer)}`, false);
  }
  if (!isContainer(node)) throw new JsonPatchError(`doc is missing path: ${JSON.stringify(pointer)}`, false);
  return { parent: node, key };
}

function get(doc: Json, pointer: string): Json {
  if (pointer === '') return doc;
  const { parent, key } = parentOf(doc, pointer);
  if (Array.isArray(parent)) return parent[index(parent, key, false)];
  if (!Object.hasOwn(parent, key)) throw new JsonPatchError(`doc is missing path: ${JSON.stringify(pointer)}`, false);
  return parent[key];
}

function add(doc: Json, pointer: string, value: Json): Json {
  if (pointer === '') return value;
  const { parent, key } = parentOf(doc, pointer);
  if (Array.isArray(parent)) parent.splice(index(parent, key, true), 0, value);
  else parent[key] = value;
  return doc;
}

function remove(doc: Json, pointer: string): Json {
  const { parent, key } = parentOf(doc, pointer);
  if (Array.isArray(parent)) parent.splice(index(parent, key, false), 1);
  else if (Object.hasOwn(parent, key)) delete parent[key];
  else throw new JsonPatchError(`Unable to remove nonexistent key: ${key}: missing value`, false);
  return doc;
}

function equal(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (!isContainer(a) || !isContainer(b) || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && equal((a as Record<string, Json>)[k], (b as Record<string, Json>)[k]));
}

function parseOps(patch: Json): Op[] {
  if (!Array.isArray(patch)) throw new JsonPatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch', true);
  return patch.map((raw) => {
    const o = (isContainer(raw) && !Array.isArray(raw) ? raw : {}) as Record<string, Json>;
    if (typeof o['op'] !== 'string' || typeof o['path'] !== 'string') throw new JsonPatchError('an operation needs a string "op" and "path"', true);
    const op: Op = { op: o['op'], path: o['path'] };
    if ('value' in o) op.value = o['value'];
    if (typeof o['from'] === 'string') op.from = o['from'];
    if (['add', 'replace', 'test'].includes(op.op) && !('value' in o)) throw new JsonPatchError(`missing value for ${op.op} operation`, true);
    if (['move', 'copy'].includes(op.op) && op.from === undefined) throw new JsonPatchError(`missing from for ${op.op} operation`, true);
    return op;
  });
}

/** `doc` with `patch` applied; `doc` itself is left alone. */
export function applyJsonPatch(doc: Json, patch: Json): Json {
  let out = clone(doc);
  for (const op of parseOps(patch)) {
    switch (op.op) {
      case 'add': out = add(out, op.path, clone(op.value)); break;
      case 'remove': out = remove(out, op.path); break;
      case 'replace': get(out, op.path); out = op.path === '' ? clone(op.value) : add(remove(out, op.path), op.path, clone(op.value)); break;
      case 'move': { const v = get(out, op.from ?? ''); out = add(remove(out, op.from ?? ''), op.path, v); break; }
      case 'copy': out = add(out, op.path, clone(get(out, op.from ?? ''))); break;
      case 'test':
        if (!equal(get(out, op.path), op.value)) throw new JsonPatchError(`testing value ${op.path} failed: test failed`, false);
        break;
      default: throw new JsonPatchError(`Unexpected kind: ${op.op}`, true);
    }
  }
  return out;
}
