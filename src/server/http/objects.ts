// Object-level helpers shared by the handlers: kind stamping, lists, Table rendering and request options.

import type { StoredObject } from '../../store/types.js';
import { parseIncludeObject } from '../wire/accept.js';
import type { ObjectRendering } from '../wire/accept.js';
import { badRequestStatus } from '../wire/status.js';
import type { Table } from '../wire/table.js';
import { apiVersionOf } from './discovery.js';
import type { ResourceInfo } from './discovery.js';
import { KINDS } from './kinds.js';
import type { FieldValidation } from './kinds.js';
import { HttpError } from './respond.js';

export type Obj = StoredObject & Record<string, unknown>;

/** The object as the API returns it: apiVersion and kind first (core/v1 unless `apiVersion` says otherwise). */
export function withKind<T extends StoredObject>(obj: T, kind: string, apiVersion = 'v1'): T {
  return { apiVersion, kind, ...obj } as T;
}

/** A list's metadata beyond its resourceVersion: where the next page starts, and how much is left. */
export interface ListMore {
  continue?: string;
  remainingItemCount?: number;
}

export function list(info: ResourceInfo, items: readonly StoredObject[], resourceVersion: string, more: ListMore = {}): unknown {
  const metadata: ListMore & { resourceVersion: string } = { resourceVersion };
  if (more.continue) metadata.continue = more.continue;
  if (more.remainingItemCount !== undefined) metadata.remainingItemCount = more.remainingItemCount;
  const apiVersion = apiVersionOf(info);
  return { kind: `${info.kind}List`, apiVersion, metadata, items: items.map((o) => withKind(o, info.kind, apiVersion)) };
}

export function renderTable(info: ResourceInfo, objs: readonly StoredObject[], rendering: ObjectRendering, query: URLSearchParams,
  now: number, resourceVersion: string, omitColumns = false, more: ListMore = {}): Table {
  const includeObject = parseIncludeObject(query.get('includeObject'));
  if (includeObject === undefined) throw new HttpError(400, badRequestStatus(`unsupported includeObject value: ${query.get('includeObject') ?? ''}`));
  const handler = KINDS[info.name];
  if (handler === undefined) throw new HttpError(400, badRequestStatus(`no table printer for ${info.name}`));
  return handler.table(objs.map((o) => withKind(o, info.kind, apiVersionOf(info))), {
    now, includeObject, resourceVersion, version: rendering.version ?? 'v1', omitColumns, ...more,
  });
}

export function fieldValidation(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation');
  if (v === null || v === '' || v === 'Warn') return 'Warn';
  if (v === 'Strict' || v === 'Ignore') return v;
  throw new HttpError(400, badRequestStatus(`fieldValidation parameter unsupported: ${v}`));
}

export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(400, badRequestStatus(`couldn't get version/kind; json parse error: ${err instanceof Error ? err.message : String(err)}`));
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Strips what clients may not set on create (the store sets them). */
export function clearSystemMeta(obj: Obj): void {
  const m = obj.metadata;
  delete m.uid;
  delete m.resourceVersion;
  delete m.creationTimestamp;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.generation;
}
