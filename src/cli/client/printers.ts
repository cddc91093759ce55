// kubectl's printers for what the server sends: a meta.k8s.io Table printed as kubectl's human-readable printer
// does (upper-case headers, priority>0 columns only with -o wide, NAMESPACE with -A, LABELS with --show-labels),
// and objects as -o json / -o yaml (map keys sorted, as Go marshals them).

import { stringify } from 'yaml';
import { GET_TABWRITER, tabwrite } from './tabwriter.js';

export interface TableColumn {
  name: string;
  priority?: number;
  format?: string;
}

export interface TableRow {
  cells: unknown[];
  object?: { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } };
}

export interface Table {
  kind: 'Table';
  metadata?: { resourceVersion?: string };
  columnDefinitions: TableColumn[];
  rows: TableRow[];
}

export interface TableOptions {
  wide: boolean;
  withNamespace: boolean;
  showLabels: boolean;
  noHeaders?: boolean;
  /** `pod`: shown before each name (`pod/web`) when one command prints several resource types. */
  kind?: string;
}

export function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Table' && Array.isArray((v as { rows?: unknown }).rows);
}

/** Control characters that would drive the terminal are shown, not obeyed (printers.WriteEscaped). */
function escapeTerminal(s: string): string {
  return s.replaceAll('\x1b', '^[').replaceAll('\r', '\\r');
}

/** One cell as kubectl prints it: strings cut at the first line break, `<none>` for null. */
export function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '<none>';
  if (typeof cell === 'string') {
    const cut = cell.search(/[\f\n\r]/);
    return cut < 0 ? escapeTerminal(cell) : `${escapeTerminal(cell.slice(0, cut))}...`;
  }
  return escapeTerminal(typeof cell === 'object' ? JSON.stringify(cell) : String(cell));
}

export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels?.[k] ?? ''}`).join(',');
}

function shown(columns: readonly TableColumn[], wide: boolean): boolean[] {
  return columns.map((c) => wide || (c.priority ?? 0) === 0);
}

/** The header line (tab-separated, unaligned). */
export function headerLine(columns: readonly TableColumn[], opts: TableOptions): string {
  const names = columns.filter((_, i) => shown(columns, opts.wide)[i]).map((c) => c.name.toUpperCase());
  if (opts.withNamespace) names.unshift('NAMESPACE');
  if (opts.showLabels) names.push('LABELS');
  return names.join('\t');
}

/** One row (tab-separated, unaligned). */
export function rowLine(columns: readonly TableColumn[], row: TableRow, opts: TableOptions): string {
  const show = shown(columns, opts.wide);
  const nameAt = opts.kind === undefined ? -1 : columns.findIndex((c) => c.format === 'name');
  const cells = row.cells.slice(0, columns.length)
    .map((c, i) => (i === nameAt && typeof c === 'string' ? `${opts.kind ?? ''}/${c}` : c))
    .filter((_, i) => show[i]).map(cellText);
  if (opts.withNamespace) cells.unshift(row.object?.metadata?.namespace ?? '');
  if (opts.showLabels) cells.push(formatLabels(row.object?.metadata?.labels));
  return cells.join('\t');
}

/** A whole table, aligned; '' when there are no rows (kubectl prints no header then). */
export function formatTable(table: Table, opts: TableOptions): string {
  if (table.rows.length === 0) return '';
  const lines = table.rows.map((r) => rowLine(table.columnDefinitions, r, opts));
  if (opts.noHeaders !== true) lines.unshift(headerLine(table.columnDefinitions, opts));
  return tabwrite(lines.join('\n') + '\n', GET_TABWRITER);
}

/** Deep copy with object keys sorted, as Go's encoding/json writes a map. */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
  return out;
}

/** Go's json.MarshalIndent: 4 spaces, and <, >, & and U+2028/9 escaped (they only occur inside strings). */
export function toJson(obj: unknown): string {
  const text = JSON.stringify(sortKeys(obj), null, 4)
    .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${text}\n`;
}

/** As sigs.k8s.io/yaml writes it: YAML 1.1 quoting (`"yes"`, timestamps), block lists not indented. */
export function toYaml(obj: unknown): string {
  return stringify(sortKeys(obj), { indentSeq: false, lineWidth: 0, version: '1.1' });
}

/** What `kubectl get -o json|yaml` prints for several objects. */
export function asList(items: readonly unknown[]): unknown {
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
}
