// `podd logs`: a container's log from pods/NAME/log (text/plain), streamed to stdout; -f keeps reading until the
// server ends the stream (the container stopped) or podd is interrupted. --all-containers reads every container in
// kubectl's order (init containers, then the others): one after the other, or side by side with -f.

import type { Pod } from '../../api/types.js';
import { parseDuration } from '../../core/plan/duration.js';
import type { ApiClient } from './api.js';
import { bool, connect, int, parseFlags, str } from './args.js';
import { ClientError, UsageError } from './errors.js';
import { pickContainer } from './containers.js';
import { resourceByName, resourcePath } from './resources.js';

export const LOGS_USAGE = 'logs [pod/]NAME [-c CONTAINER | --all-containers] [-f] [-p|--previous] [--tail N] [--since DURATION | --since-time TIME] [--timestamps] [--prefix] [-n NS]';

/** `NAME` or `pod/NAME` (the only kind with logs here). */
export function podName(arg: string | undefined, verb: string): string {
  if (arg === undefined || arg === '') throw new UsageError(`${verb} requires a pod name`);
  const slash = arg.indexOf('/');
  if (slash < 0) return arg;
  if (resourceByName(arg.slice(0, slash)).name !== 'pods') throw new UsageError(`cannot ${verb} a ${arg.slice(0, slash)}`);
  return arg.slice(slash + 1);
}

/** The log query kubectl sends for these flags (without the container). */
function logQuery(values: Parameters<typeof bool>[0]): Record<string, string> {
  const query: Record<string, string> = {};
  if (bool(values, 'follow')) query['follow'] = 'true';
  if (bool(values, 'previous')) query['previous'] = 'true';
  if (bool(values, 'timestamps')) query['timestamps'] = 'true';
  const tail = int(values, 'tail');
  if (tail !== undefined && tail >= 0) query['tailLines'] = String(tail);
  const since = str(values, 'since');
  const sinceTime = str(values, 'since-time');
  if (since !== undefined && sinceTime !== undefined) throw new ClientError('at most one of `sinceTime` or `sinceSeconds` may be specified');
  if (since !== undefined) {
    const ms = parseDuration(since);
    if (ms === undefined) throw new UsageError(`invalid argument "${since}" for "--since" flag: time: invalid duration "${since}"`);
    // kubectl rounds up to whole seconds.
    if (ms > 0) query['sinceSeconds'] = String(Math.ceil(ms / 1000));
  }
  if (sinceTime !== undefined) query['sinceTime'] = sinceTime;
  return query;
}

/** Copies one container's log to `out`, each line behind `prefix` when one is given. */
async function copyLog(client: ApiClient, path: string, query: Record<string, string>, out: NodeJS.WritableStream, prefix: string | undefined): Promise<void> {
  const res = await client.stream(path, query, 'application/json, */*');
  let partial = '';
  await new Promise<void>((resolve, reject) => {
    res.on('data', (chunk: Buffer) => {
      if (prefix === undefined) {
        out.write(chunk);
        return;
      }
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) out.write(`${prefix}${line}\n`);
    });
    res.on('end', () => {
      if (prefix !== undefined && partial !== '') out.write(`${prefix}${partial}\n`);
      resolve();
    });
    res.on('error', reject);
  });
}

export async function logsCommand(args: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    container: { type: 'string', short: 'c' },
    follow: { type: 'boolean', short: 'f' },
    previous: { type: 'boolean', short: 'p' },
    tail: { type: 'string' },
    timestamps: { type: 'boolean' },
    since: { type: 'string' },
    'since-time': { type: 'string' },
    'all-containers': { type: 'boolean' },
    prefix: { type: 'boolean' },
  });
  if (bool(values, 'help')) {
    out.write(`usage: podd ${LOGS_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`${LOGS_USAGE}: too many arguments`);
  const name = podName(positionals[0], 'logs');
  const all = bool(values, 'all-containers');
  const named = str(values, 'container');
  if (all && named !== undefined) throw new ClientError(`--all-containers=true should not be specified with container name ${named}`);
  const query = logQuery(values);
  const { client, namespace } = connect(values);
  try {
    const pods = resourceByName('pods');
    const pod = await client.get<Pod>(resourcePath(pods, namespace, name));
    const containers = all
      ? [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name)
      : [pickContainer(pod, named, (l) => err.write(`${l}\n`))];
    const path = resourcePath(pods, namespace, name, 'log');
    const prefixOf = (container: string): string | undefined => (bool(values, 'prefix') ? `[pod/${name}/${container}] ` : undefined);
    if (query['follow'] === 'true') {
      await Promise.all(containers.map((container) => copyLog(client, path, { ...query, container }, out, prefixOf(container))));
    } else {
      for (const container of containers) await copyLog(client, path, { ...query, container }, out, prefixOf(container));
    }
    return 0;
  } finally {
    client.close();
  }
}
