// `podd events`: kubectl events over podd's API. Printed client-side from the EventList as kubectl events does
// (LAST SEEN, TYPE, REASON, OBJECT as Kind/name, MESSAGE; oldest first), and -w prints new events as they come.

import { humanDuration } from '../../core/status/human-duration.js';
import { parseRfc3339 } from '../../core/time.js';
import { bool, connect, parseFlags, str } from './args.js';
import { ApiError, UsageError } from './errors.js';
import { asList, toJson, toYaml } from './printers.js';
import { resourceByName, resourcePath } from './resources.js';
import { GET_TABWRITER, tabwrite } from './tabwriter.js';

export const EVENTS_USAGE = 'events [-n NS | -A] [--for TYPE/NAME] [--types Normal,Warning] [-w] [-o json|yaml]';

export interface Event {
  metadata: { name?: string; namespace?: string; resourceVersion?: string };
  involvedObject: { kind?: string; name?: string; namespace?: string; uid?: string };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingController?: string;
}

function ms(t: string | null | undefined): number | undefined {
  return t === undefined || t === null || t === '' ? undefined : parseRfc3339(t);
}

/** translateTimestampSince: `<unknown>` for no time. */
export function since(t: string | null | undefined, now: number): string {
  const at = ms(t);
  return at === undefined ? '<unknown>' : humanDuration(now - at);
}

/** kubectl's event interval: `5s`, or `5s (x3 over 2m)` for a repeated event. */
export function eventInterval(e: Event, now: number): string {
  const first = ms(e.eventTime) !== undefined ? since(e.eventTime, now) : since(e.firstTimestamp, now);
  if (e.series !== undefined) return `${since(e.series.lastObservedTime, now)} (x${e.series.count ?? 0} over ${first})`;
  if ((e.count ?? 0) > 1) return `${since(e.lastTimestamp, now)} (x${e.count ?? 0} over ${first})`;
  return first;
}

/** Oldest first by the event's last occurrence; events of one second keep the order they were recorded in. */
export function sortEvents<T extends Event>(events: readonly T[]): T[] {
  const time = (e: Event): number => ms(e.series?.lastObservedTime) ?? ms(e.lastTimestamp) ?? ms(e.eventTime) ?? 0;
  const rv = (e: Event): number => Number(e.metadata.resourceVersion ?? 0) || 0;
  return [...events].sort((a, b) => time(a) - time(b) || rv(a) - rv(b));
}

function line(e: Event, now: number, allNamespaces: boolean): string {
  const cells = [eventInterval(e, now), e.type ?? '', e.reason ?? '', `${e.involvedObject.kind ?? ''}/${e.involvedObject.name ?? ''}`, (e.message ?? '').trim()];
  if (allNamespaces) cells.unshift(e.metadata.namespace ?? '');
  return cells.join('\t');
}

function header(allNamespaces: boolean): string {
  return `${allNamespaces ? 'NAMESPACE\t' : ''}LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE`;
}

/** The whole listing kubectl events prints (header and rows, aligned), '' for no events. */
export function formatEvents(events: readonly Event[], now: number, allNamespaces: boolean, widths?: number[]): string {
  if (events.length === 0) return '';
  const lines = [header(allNamespaces), ...sortEvents(events).map((e) => line(e, now, allNamespaces))];
  return tabwrite(lines.join('\n') + '\n', GET_TABWRITER, widths);
}

export async function eventsCommand(args: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    'all-namespaces': { type: 'boolean', short: 'A' },
    for: { type: 'string' },
    types: { type: 'string' },
    watch: { type: 'boolean', short: 'w' },
    output: { type: 'string', short: 'o' },
  });
  if (bool(values, 'help')) {
    out.write(`usage: podd ${EVENTS_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}": use --for TYPE/NAME`);
  const output = str(values, 'output') ?? '';
  if (!['', 'json', 'yaml'].includes(output)) throw new UsageError(`--output must be json or yaml, not "${output}"`);
  const fieldSelector: string[] = [];
  const forArg = str(values, 'for');
  if (forArg !== undefined) {
    const [type = '', name = ''] = forArg.split('/');
    if (name === '') throw new UsageError('--for must be in resource/name form');
    fieldSelector.push(`involvedObject.kind=${resourceByName(type).kind}`, `involvedObject.name=${name}`);
  }
  const types = (str(values, 'types') ?? '').split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== '');
  const wanted = (e: Event): boolean => types.length === 0 || types.includes((e.type ?? '').toLowerCase());
  const allNamespaces = bool(values, 'all-namespaces');
  const { client, namespace } = connect(values);
  const path = resourcePath(resourceByName('events'), allNamespaces ? undefined : namespace);
  const query = { fieldSelector: fieldSelector.length === 0 ? undefined : fieldSelector.join(',') };
  const widths: number[] = [];
  try {
    const list = await client.get<{ metadata?: { resourceVersion?: string }; items?: Event[] }>(path, query);
    const items = sortEvents((list.items ?? []).filter(wanted));
    if (output !== '') {
      out.write(output === 'json' ? toJson(asList(items)) : toYaml(asList(items)));
    } else if (items.length > 0) {
      out.write(formatEvents(items, Date.now(), allNamespaces, widths));
    } else if (!bool(values, 'watch')) {
      err.write(allNamespaces ? 'No events found.\n' : `No events found in ${namespace} namespace.\n`);
    }
    if (!bool(values, 'watch')) return 0;
    let headerPrinted = items.length > 0;
    await client.watch<Event>(path, { ...query, resourceVersion: list.metadata?.resourceVersion }, (e) => {
      if (e.type === 'ERROR') throw new ApiError(e.object as unknown as ApiError['status']);
      if ((e.type !== 'ADDED' && e.type !== 'MODIFIED') || !wanted(e.object)) return;
      if (output !== '') {
        out.write(output === 'json' ? toJson(e.object) : `---\n${toYaml(e.object)}`);
        return;
      }
      const lines = [line(e.object, Date.now(), allNamespaces)];
      if (!headerPrinted) lines.unshift(header(allNamespaces));
      headerPrinted = true;
      out.write(tabwrite(lines.join('\n') + '\n', GET_TABWRITER, widths));
    });
    return 0;
  } finally {
    client.close();
  }
}
