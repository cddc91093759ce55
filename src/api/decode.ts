// Manifest text (multi-document YAML or JSON) -> typed objects, with the apiserver's decoding
// errors: YAML syntax, missing/unknown apiVersion+kind, type errors, strict unknown fields.
// YAML is read with 1.1 rules, as Kubernetes' go-yaml does: `0644` is octal and `yes` is a bool.
import { isScalar, parseAllDocuments } from 'yaml';
import type { Document, ParseOptions, DocumentOptions, SchemaOptions } from 'yaml';
import { DecodeError, goQuote } from './field-errors.js';
import { configMapSchema, podSchema, secretSchema } from './schema.js';
import type { ObjectSchema } from './schema.js';
import { decodeStrict, isPlainObject, WireTypeError } from './strict-decode.js';
import type { KubeObject } from './types.js';

const SCHEMAS: Readonly<Record<string, ObjectSchema>> = { Pod: podSchema, Secret: secretSchema, ConfigMap: configMapSchema };

type YamlTag = { tag: string; format?: string };

// Sexagesimal numbers and timestamps are YAML 1.1 features go-yaml never implemented: keep them strings.
const yamlOptions: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  uniqueKeys: true,
  customTags: (tags) => tags.filter((t) => {
    const tag = t as YamlTag;
    return tag.format !== 'TIME' && !['timestamp', 'binary', 'omap', 'pairs', 'set'].some((n) => tag.tag.endsWith(`:${n}`));
  }),
};

/** Parses every document of the text; empty documents are skipped. Throws DecodeError. */
export function decodeManifests(text: string): KubeObject[] {
  const docs = parseAllDocuments(text, yamlOptions);
  const list = Array.isArray(docs) ? docs : [docs];
  // Only name the document when there is more than one object to confuse it with.
  const multi = list.filter((d) => !isEmptyDocument(d)).length > 1;
  const out: KubeObject[] = [];
  list.forEach((doc, i) => {
    const n = i + 1;
    const fail = (message: string): never => {
      throw new DecodeError(multi ? `document ${n}: ${message}` : message, n);
    };
    const raw = documentValue(doc, text, fail);
    if (raw === null || raw === undefined) return;
    for (const item of expandList(raw, fail)) out.push(decodeObject(item, fail));
  });
  return out;
}

/** Decodes one already-parsed JSON object (e.g. an HTTP request body). Throws DecodeError. */
export function decodeObject(raw: unknown, fail: (message: string) => never = (m) => { throw new DecodeError(m); }): KubeObject {
  if (!isPlainObject(raw)) return fail(`expected a Kubernetes object (a YAML mapping), got ${describe(raw)}`);
  const apiVersion = raw['apiVersion'];
  const kind = raw['kind'];
  if (typeof kind !== 'string' || kind === '') return fail(`Object 'Kind' is missing in '${snippet(raw)}'`);
  if (typeof apiVersion !== 'string' || apiVersion === '') return fail(`Object 'apiVersion' is missing in '${snippet(raw)}'`);
  const schema = SCHEMAS[kind];
  if (apiVersion !== 'v1' || schema === undefined) {
    return fail(`no kind ${goQuote(kind)} is registered for version ${goQuote(apiVersion)}`);
  }
  const prefix = `${kind} in version "v1" cannot be handled as a ${kind}: `;
  let decoded;
  try {
    decoded = decodeStrict(raw, schema);
  } catch (e) {
    if (e instanceof WireTypeError) return fail(prefix + e.message);
    throw e;
  }
  if (decoded.unknownFields.length > 0) {
    return fail(prefix + 'strict decoding error: ' + decoded.unknownFields.map((f) => `unknown field ${goQuote(f)}`).join(', '));
  }
  return decoded.value as unknown as KubeObject;
}

function isEmptyDocument(doc: Document.Parsed): boolean {
  return doc.errors.length === 0 && (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null));
}

function documentValue(doc: Document.Parsed, text: string, fail: (message: string) => never): unknown {
  const err = doc.errors[0];
  if (err !== undefined) {
    const line = err.linePos?.[0].line;
    const where = line === undefined ? '' : `line ${line}: `;
    if (err.code === 'DUPLICATE_KEY') {
      return fail(`error converting YAML to JSON: yaml: ${where}mapping key ${goQuote(keyAt(text, err.pos[0]))} already defined`);
    }
    if (err.code === 'TAB_AS_INDENT') {
      // go-yaml's words, which kubectl and the apiserver print for a tab in the indentation
      return fail(`error converting YAML to JSON: yaml: ${where}found character that cannot start any token`);
    }
    const first = (err.message.split('\n')[0] ?? err.message).replace(/ at line \d+, column \d+:?$/, '');
    return fail(`error converting YAML to JSON: yaml: ${where}${first}`);
  }
  if (doc.contents === null) return null;
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // Alias bombs and unresolved aliases surface here rather than as parse errors.
    return fail(`error converting YAML to JSON: yaml: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// The offending key's text, read from the source at the error position.
function keyAt(text: string, pos: number): string {
  const rest = text.slice(pos);
  const quoted = /^(["'])(.*?)\1/.exec(rest);
  if (quoted) return quoted[2] ?? '';
  return (/^[^:\s,{}[\]]+/.exec(rest) ?? [''])[0];
}

// A v1 List (what `kubectl get -o yaml` prints for several objects) carries its objects in items.
function expandList(raw: unknown, fail: (message: string) => never): unknown[] {
  if (!isPlainObject(raw) || raw['kind'] !== 'List' || raw['apiVersion'] !== 'v1') return [raw];
  const unknown = Object.keys(raw).filter((k) => !['apiVersion', 'kind', 'metadata', 'items'].includes(k));
  if (unknown.length > 0) {
    return fail('List in version "v1" cannot be handled as a List: strict decoding error: ' + unknown.map((f) => `unknown field ${goQuote(f)}`).join(', '));
  }
  const items = raw['items'] ?? [];
  if (!Array.isArray(items)) return fail('List in version "v1" cannot be handled as a List: json: cannot unmarshal ' + describe(items) + ' into Go struct field List.items of type []runtime.RawExtension');
  return items;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function snippet(v: unknown): string {
  const s = JSON.stringify(v) ?? '';
  return s.length > 200 ? s.slice(0, 200) + '...' : s;
}
