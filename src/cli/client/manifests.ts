// The objects of `-f` arguments, as kubectl's resource builder reads them: files (multi-document YAML or JSON),
// directories (their .yaml, .yml and .json files, sorted), `-` for stdin; a `kind: List` stands for its items.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ClientError, UsageError } from './errors.js';
import { resourceByKind } from './resources.js';
import type { Resource } from './resources.js';

export interface ManifestObject {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface SourcedObject {
  object: ManifestObject;
  /** The file it came from (`STDIN` for `-`), as kubectl names it in errors. */
  source: string;
}

function isObject(v: unknown): v is ManifestObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseManifests(text: string, source: string): SourcedObject[] {
  const out: SourcedObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new ClientError(`error parsing ${source}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isObject(value)) throw new ClientError(`error parsing ${source}: a document is not an object`);
    const items = value['kind'] === 'List' && Array.isArray(value['items']) ? (value['items'] as unknown[]) : [value];
    for (const item of items) {
      if (!isObject(item)) throw new ClientError(`error parsing ${source}: a List item is not an object`);
      out.push({ object: item, source });
    }
  }
  return out;
}

function filesOf(path: string): string[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new ClientError(`the path "${path}" does not exist`);
  }
  if (!isDir) return [path];
  return readdirSync(path).filter((f) => /\.(ya?ml|json)$/.test(f)).sort().map((f) => join(path, f));
}

export function readManifests(paths: readonly string[]): SourcedObject[] {
  if (paths.length === 0) throw new UsageError('must specify one of -f and -k');
  const out: SourcedObject[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push(...parseManifests(readFileSync(0, 'utf8'), 'STDIN'));
      continue;
    }
    for (const f of filesOf(p)) out.push(...parseManifests(readFileSync(f, 'utf8'), f));
  }
  if (out.length === 0) throw new ClientError('no objects passed to apply');
  return out;
}

export interface Located {
  resource: Resource;
  name: string;
  /** undefined for cluster-scoped kinds. */
  namespace: string | undefined;
}

/** Where a manifest object lives: its resource, name and namespace (its own, else `namespace`). */
export function locate(o: SourcedObject, namespace: string, namespaceFlag: boolean): Located {
  const { apiVersion, kind } = o.object;
  const name = o.object.metadata?.name ?? '';
  const resource = resourceByKind(apiVersion, kind);
  if (resource === undefined) {
    throw new ClientError(`resource mapping not found for name: "${name}" namespace: "${o.object.metadata?.namespace ?? ''}" from "${o.source}": `
      + `no matches for kind "${String(kind ?? '')}" in version "${String(apiVersion ?? '')}"\nensure CRDs are installed first`);
  }
  if (name === '') throw new ClientError(`error when retrieving current configuration of ${resource.kind} from "${o.source}": resource name may not be empty`);
  const own = o.object.metadata?.namespace;
  if (resource.namespaced && namespaceFlag && own !== undefined && own !== '' && own !== namespace) {
    throw new ClientError(`the namespace from the provided object "${own}" does not match the namespace "${namespace}". You must pass '--namespace=${own}' to perform this operation.`);
  }
  return { resource, name, namespace: resource.namespaced ? (own !== undefined && own !== '' ? own : namespace) : undefined };
}
