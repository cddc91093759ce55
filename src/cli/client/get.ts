// `podd get`: kubectl get over podd's API. Human output is the server's Table (as kubectl 1.32 has no printers of
// its own for core types); -o json|yaml|name ask for the objects; -w lists, then prints each watch event's rows.

import { TABLE_ACCEPT } from './api.js';
import { bool, connect, parseFlags, str } from './args.js';
import type { Session } from './args.js';
import { ApiError, ClientError, describeError, UsageError } from './errors.js';
import { asList, formatTable, headerLine, isTable, rowLine, toJson, toYaml } from './printers.js';
import type { Table, TableColumn, TableOptions } from './printers.js';
import { parseRefs, resourcePath, singular } from './resources.js';
import type { Ref, Resource } from './resources.js';
import { GET_TABWRITER, tabwrite } from './tabwriter.js';

export const GET_USAGE = 'get TYPE[,TYPE] [NAME...] | TYPE/NAME... [-n NS | -A] [-o wide|json|yaml|name] [-l SELECTOR] [--show-labels] [-w]';
const OUTPUTS = ['', 'wide', 'json', 'yaml', 'name'];

interface Obj {
  kind?: string;
  apiVersion?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  items?: Obj[];
}

interface GetPlan {
  session: Session;
  output: string;
  table: TableOptions;
  query: Record<string, string | undefined>;
  allNamespaces: boolean;
  managedFields: boolean;
}

export async function getCommand(args: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    output: { type: 'string', short: 'o' },
    selector: { type: 'string', short: 'l' },
    'field-selector': { type: 'string' },
    'all-namespaces': { type: 'boolean', short: 'A' },
    watch: { type: 'boolean', short: 'w' },
    'show-labels': { type: 'boolean' },
    'no-headers': { type: 'boolean' },
    'show-managed-fields': { type: 'boolean' },
  });
  if (bool(values, 'help')) {
    out.write(`usage: podd ${GET_USAGE}\n`);
    return 0;
  }
  const output = str(values, 'output') ?? '';
  if (!OUTPUTS.includes(output)) throw new UsageError(`unable to match a printer suitable for the output format "${output}", allowed formats are: json,name,wide,yaml`);
  const refs = parseRefs(positionals);
  const allNamespaces = bool(values, 'all-namespaces');
  if (allNamespaces && refs.some((r) => r.name !== undefined && r.resource.namespaced)) {
    throw new ClientError('a resource cannot be retrieved by name across all namespaces');
  }
  const plan: GetPlan = {
    session: connect(values),
    output,
    allNamespaces,
    managedFields: bool(values, 'show-managed-fields'),
    table: { wide: output === 'wide', withNamespace: false, showLabels: bool(values, 'show-labels'), noHeaders: bool(values, 'no-headers') },
    query: { labelSelector: str(values, 'selector'), fieldSelector: str(values, 'field-selector') },
  };
  try {
    if (bool(values, 'watch')) {
      const [ref, ...more] = refs;
      if (ref === undefined || more.length > 0) throw new UsageError('you may only specify a single resource type or a single name to watch');
      return await watchCommand(plan, ref, out);
    }
    return await getRefs(plan, refs, out, err);
  } finally {
    plan.session.client.close();
  }
}

function namespaceOf(plan: GetPlan, r: Resource): string | undefined {
  return plan.allNamespaces && r.namespaced ? undefined : plan.session.namespace;
}

function listQuery(plan: GetPlan, ref: Ref): Record<string, string | undefined> {
  if (ref.name === undefined) return plan.query;
  const byName = `metadata.name=${ref.name}`;
  return { ...plan.query, fieldSelector: plan.query.fieldSelector === undefined ? byName : `${plan.query.fieldSelector},${byName}` };
}

/** kubectl hides metadata.managedFields in -o json|yaml unless --show-managed-fields. */
function withoutManagedFields(o: Obj): Obj {
  if (o.metadata === undefined || !('managedFields' in o.metadata)) return o;
  const { managedFields: _hidden, ...metadata } = o.metadata as Obj['metadata'] & { managedFields?: unknown };
  return { ...o, metadata };
}

/** Groups consecutive refs of one type: each group is one table, as kubectl prints one per resource type. */
function groups(refs: readonly Ref[]): Ref[][] {
  const out: Ref[][] = [];
  for (const r of refs) {
    const last = out[out.length - 1];
    if (last !== undefined && last[0]?.resource === r.resource) last.push(r);
    else out.push([r]);
  }
  return out;
}

async function getRefs(plan: GetPlan, refs: readonly Ref[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { client } = plan.session;
  const errors: unknown[] = [];
  const objects: Obj[] = [];
  let printedTables = 0;
  let anyNamed = false;
  for (const group of groups(refs)) {
    const r = group[0]?.resource;
    if (r === undefined) continue;
    const ns = namespaceOf(plan, r);
    const human = plan.output === '' || plan.output === 'wide';
    const tables: Table[] = [];
    for (const ref of group) {
      try {
        if (ref.name === undefined) {
          const answer = await client.get<Table | Obj>(resourcePath(r, ns), plan.query, human ? TABLE_ACCEPT : undefined);
          if (human && isTable(answer)) tables.push(answer);
          else objects.push(...((answer as Obj).items ?? []).map((o) => ({ apiVersion: 'v1', kind: r.kind, ...o })));
        } else {
          anyNamed = true;
          const answer = await client.get<Table | Obj>(resourcePath(r, ns ?? plan.session.namespace, ref.name), {}, human ? TABLE_ACCEPT : undefined);
          if (human && isTable(answer)) tables.push(answer);
          else objects.push(answer as Obj);
        }
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        errors.push(e);
      }
    }
    if (human) {
      const columns = tables.find((t) => t.columnDefinitions.length > 0)?.columnDefinitions ?? [];
      const table: Table = { kind: 'Table', columnDefinitions: columns, rows: tables.flatMap((t) => t.rows) };
      const opts: TableOptions = { ...plan.table, withNamespace: ns === undefined && r.namespaced };
      if (new Set(refs.map((x) => x.resource)).size > 1) opts.kind = singular(r);
      const text = formatTable(table, opts);
      if (text !== '') out.write((printedTables++ > 0 ? '\n' : '') + text);
    }
  }
  if (plan.output === 'name') for (const o of objects) out.write(`${(o.kind ?? '').toLowerCase()}/${o.metadata?.name ?? ''}\n`);
  if (plan.output === 'json' || plan.output === 'yaml') {
    const shown = plan.managedFields ? objects : objects.map(withoutManagedFields);
    const doc = anyNamed && shown.length === 1 && refs.length === 1 ? shown[0] : asList(shown);
    if (objects.length > 0 || !anyNamed) out.write(plan.output === 'json' ? toJson(doc) : toYaml(doc));
  }
  const printedNothing = printedTables === 0 && objects.length === 0;
  if (printedNothing && errors.length === 0 && (plan.output === '' || plan.output === 'wide' || plan.output === 'name')) {
    const r = refs[0]?.resource;
    const ns = r === undefined ? undefined : namespaceOf(plan, r);
    err.write(r?.namespaced === true && ns !== undefined ? `No resources found in ${ns} namespace.\n` : 'No resources found\n');
  }
  for (const e of errors) err.write(`${describeError(e)}\n`);
  return errors.length > 0 ? 1 : 0;
}

/** kubectl get -w: the current state, then one line (or object) per watch event until the server ends the stream. */
async function watchCommand(plan: GetPlan, ref: Ref, out: NodeJS.WritableStream): Promise<number> {
  const { client } = plan.session;
  const r = ref.resource;
  const ns = namespaceOf(plan, r);
  const human = plan.output === '' || plan.output === 'wide';
  const opts: TableOptions = { ...plan.table, withNamespace: ns === undefined && r.namespaced };
  const path = resourcePath(r, ns);
  const query = listQuery(plan, ref);
  const first = await client.get<Table | Obj>(path, query, human ? TABLE_ACCEPT : undefined);
  let columns: TableColumn[] = [];
  let headerPrinted = false;
  const widths: number[] = [];
  const printTable = (t: Table): void => {
    if (t.columnDefinitions.length > 0) columns = t.columnDefinitions;
    if (t.rows.length === 0) return;
    const lines = t.rows.map((row) => rowLine(columns, row, opts));
    if (!headerPrinted && opts.noHeaders !== true) lines.unshift(headerLine(columns, opts));
    headerPrinted = true;
    out.write(tabwrite(lines.join('\n') + '\n', GET_TABWRITER, widths));
  };
  const printObject = (o: Obj): void => {
    const obj = { apiVersion: 'v1', kind: r.kind, ...(plan.managedFields ? o : withoutManagedFields(o)) };
    if (plan.output === 'name') out.write(`${singular(r)}/${o.metadata?.name ?? ''}\n`);
    else if (plan.output === 'json') out.write(toJson(obj));
    else out.write(`---\n${toYaml(obj)}`);
  };
  if (human && isTable(first)) printTable(first);
  else for (const o of (first as Obj).items ?? []) printObject(o);
  const rv = (first as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
  await client.watch<unknown>(path, { ...query, ...(rv === undefined || rv === '' ? {} : { resourceVersion: rv }) }, (e) => {
    if (e.type === 'ERROR') throw new ApiError(e.object as ApiError['status']);
    if (e.type === 'BOOKMARK') return;
    if (human && isTable(e.object)) printTable(e.object);
    else printObject(e.object as Obj);
  }, human ? TABLE_ACCEPT : undefined);
  return 0;
}
