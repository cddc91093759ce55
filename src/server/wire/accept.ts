// Accept-header negotiation for the media types kubectl asks for: Table (`application/json;as=Table;v=v1;
// g=meta.k8s.io`), aggregated discovery (`...;as=APIGroupDiscoveryList;g=apidiscovery.k8s.io;v=v2`) and plain JSON.
// podd answers JSON only; protobuf ranges are skipped so kubectl's `protobuf,application/json` gets JSON.

import type { IncludeObject } from './table.js';

export interface MediaRange {
  type: string;
  subtype: string;
  /** Parameter names lower-cased, values unquoted; `q` is not among them. */
  params: Record<string, string>;
  q: number;
}

/** Media ranges in preference order: by q descending, ties kept in header order; q=0 ranges dropped. */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (header === undefined || header.trim() === '') return [{ type: '*', subtype: '*', params: {}, q: 1 }];
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [mediaType = '', ...rawParams] = part.split(';').map((s) => s.trim());
    const slash = mediaType.indexOf('/');
    if (slash <= 0 || slash === mediaType.length - 1) continue;
    const range: MediaRange = {
      type: mediaType.slice(0, slash).toLowerCase(), subtype: mediaType.slice(slash + 1).toLowerCase(), params: {}, q: 1,
    };
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq <= 0) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      let value = p.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (key === 'q') {
        const q = Number(value);
        range.q = Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 1;
      } else {
        range.params[key] = value;
      }
    }
    if (range.q > 0) ranges.push(range);
  }
  return ranges
    .map((r, i) => ({ r, i }))
    .sort((a, b) => b.r.q - a.r.q || a.i - b.i)
    .map(({ r }) => r);
}

function matchesJson(r: MediaRange): boolean {
  return (r.type === 'application' && (r.subtype === 'json' || r.subtype === '*')) || (r.type === '*' && r.subtype === '*');
}

export type TableVersion = 'v1' | 'v1beta1';

export interface ObjectRendering {
  /** Answer with a meta.k8s.io Table instead of the object or list. */
  table: boolean;
  /** meta.k8s.io version of the Table; undefined for plain JSON. */
  version: TableVersion | undefined;
  /** Content-Type of the answer. */
  contentType: string;
}

export const JSON_CONTENT_TYPE = 'application/json';
/** What podd can produce, for a 406's message. */
export const ACCEPTED_MEDIA_TYPES: readonly string[] = ['application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io'];

/**
 * The rendering for a resource GET/LIST/WATCH: the first acceptable range wins. `as=Table` ranges need
 * g=meta.k8s.io and v=v1|v1beta1; other `as=` values (PartialObjectMetadata, discovery) and non-JSON types are
 * skipped. Undefined means nothing acceptable (406).
 */
export function negotiateObject(accept: string | undefined): ObjectRendering | undefined {
  for (const r of parseAccept(accept)) {
    if (!matchesJson(r)) continue;
    const as = r.params['as'];
    if (as === undefined) return { table: false, version: undefined, contentType: JSON_CONTENT_TYPE };
    if (as === 'Table' && r.params['g'] === 'meta.k8s.io' && (r.params['v'] === 'v1' || r.params['v'] === 'v1beta1')) {
      const version = r.params['v'];
      return { table: true, version, contentType: `application/json;as=Table;v=${version};g=meta.k8s.io` };
    }
  }
  return undefined;
}

export type DiscoveryVersion = 'v2' | 'v2beta1';

export interface DiscoveryRendering {
  /** Aggregated discovery (APIGroupDiscoveryList) rather than legacy APIVersions/APIGroupList. */
  aggregated: boolean;
  version: DiscoveryVersion | undefined;
  /** kubectl decides by this header: aggregated bodies must carry the `as=APIGroupDiscoveryList` type. */
  contentType: string;
}

/** For GET /api and /apis. Undefined means nothing acceptable (406). */
export function negotiateDiscovery(accept: string | undefined): DiscoveryRendering | undefined {
  for (const r of parseAccept(accept)) {
    if (!matchesJson(r)) continue;
    const as = r.params['as'];
    if (as === undefined) return { aggregated: false, version: undefined, contentType: JSON_CONTENT_TYPE };
    const v = r.params['v'];
    if (as === 'APIGroupDiscoveryList' && r.params['g'] === 'apidiscovery.k8s.io' && (v === 'v2' || v === 'v2beta1')) {
      return { aggregated: true, version: v, contentType: `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList` };
    }
  }
  return undefined;
}

/** The `includeObject` query parameter of a Table request: Metadata by default; undefined for an unknown value. */
export function parseIncludeObject(value: string | null | undefined): IncludeObject | undefined {
  if (value === undefined || value === null || value === '') return 'Metadata';
  return value === 'None' || value === 'Metadata' || value === 'Object' ? value : undefined;
}
