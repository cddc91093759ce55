// `podd logs`: a container's log from pods/NAME/log (text/plain), streamed to stdout; -f keeps reading until the
// server ends the stream (the container stopped) or podd is interrupted.

import type { Pod } from '../../api/types.js';
import { bool, connect, int, parseFlags, str } from './args.js';
import { UsageError } from './errors.js';
import { pickContainer } from './containers.js';
import { resourceByName, resourcePath } from './resources.js';

export const LOGS_USAGE = 'logs [pod/]NAME [-c CONTAINER] [-f] [-p|--previous] [--tail N] [--timestamps] [-n NS]';

/** `NAME` or `pod/NAME` (the only kind with logs here). */
export function podName(arg: string | undefined, verb: string): string {
  if (arg === undefined || arg === '') throw new UsageError(`${verb} requires a pod name`);
  const slash = arg.indexOf('/');
  if (slash < 0) return arg;
  if (resourceByName(arg.slice(0, slash)).name !== 'pods') throw new UsageError(`cannot ${verb} a ${arg.slice(0, slash)}`);
  return arg.slice(slash + 1);
}

export async function logsCommand(args: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    container: { type: 'string', short: 'c' },
    follow: { type: 'boolean', short: 'f' },
    previous: { type: 'boolean', short: 'p' },
    tail: { type: 'string' },
    timestamps: { type: 'boolean' },
  });
  if (bool(values, 'help')) {
    out.write(`usage: podd ${LOGS_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`${LOGS_USAGE}: too many arguments`);
  const name = podName(positionals[0], 'logs');
  const tail = int(values, 'tail');
  const { client, namespace } = connect(values);
  try {
    const pods = resourceByName('pods');
    const pod = await client.get<Pod>(resourcePath(pods, namespace, name));
    const container = pickContainer(pod, str(values, 'container'), (l) => err.write(`${l}\n`));
    const query: Record<string, string> = { container };
    if (bool(values, 'follow')) query['follow'] = 'true';
    if (bool(values, 'previous')) query['previous'] = 'true';
    if (bool(values, 'timestamps')) query['timestamps'] = 'true';
    if (tail !== undefined && tail >= 0) query['tailLines'] = String(tail);
    const res = await client.stream(resourcePath(pods, namespace, name, 'log'), query, 'application/json, */*');
    await new Promise<void>((resolve, reject) => {
      res.on('data', (chunk: Buffer) => out.write(chunk));
      res.on('end', resolve);
      res.on('error', reject);
    });
    return 0;
  } finally {
    client.close();
  }
}
