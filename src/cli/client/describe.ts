// `podd describe pod`: the pod, plus its events (by involvedObject name, namespace and uid, as kubectl asks), printed
// by describe-pod.ts. A name that matches no pod describes the pods whose names start with it, as kubectl does.

import type { Pod } from '../../api/types.js';
import type { ApiClient } from './api.js';
import { bool, connect, parseFlags, str } from './args.js';
import { ApiError, ClientError, describeError } from './errors.js';
import { describePod } from './describe-pod.js';
import type { Event } from './events.js';
import { parseRefs, resourceByName, resourcePath } from './resources.js';

export const DESCRIBE_USAGE = 'describe pod [NAME...] | pod/NAME [-n NS | -A] [-l SELECTOR]';

async function eventsFor(client: ApiClient, pod: Pod): Promise<Event[] | undefined> {
  const m = pod.metadata;
  const fieldSelector = `involvedObject.name=${m.name ?? ''},involvedObject.namespace=${m.namespace ?? ''},involvedObject.uid=${m.uid ?? ''}`;
  try {
    const list = await client.get<{ items?: Event[] }>(resourcePath(resourceByName('events'), m.namespace ?? ''), { fieldSelector });
    return list.items ?? [];
  } catch (e) {
    if (e instanceof ApiError) return undefined;
    throw e;
  }
}

export async function describeCommand(args: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    'all-namespaces': { type: 'boolean', short: 'A' },
    selector: { type: 'string', short: 'l' },
  });
  if (bool(values, 'help')) {
    out.write(`usage: podd ${DESCRIBE_USAGE}\n`);
    return 0;
  }
  const refs = parseRefs(positionals);
  const pods = resourceByName('pods');
  const other = refs.find((r) => r.resource !== pods);
  if (other !== undefined) throw new ClientError(`podd describe knows pods only; use: podd get ${other.resource.name} ${other.name ?? ''} -o yaml`.trimEnd());
  const { client, namespace } = connect(values);
  const found: Pod[] = [];
  let failed = false;
  let matchedPrefix = false;
  try {
    const all = bool(values, 'all-namespaces') ? undefined : namespace;
    const list = async (): Promise<Pod[]> => (await client.get<{ items?: Pod[] }>(resourcePath(pods, all), { labelSelector: str(values, 'selector') })).items ?? [];
    for (const ref of refs) {
      if (ref.name === undefined) {
        found.push(...await list());
        continue;
      }
      try {
        found.push(await client.get<Pod>(resourcePath(pods, namespace, ref.name)));
      } catch (e) {
        if (!(e instanceof ApiError) || e.code !== 404) throw e;
        // kubectl looks for a name prefix only when it was given exactly one name, and prints each match with a
        // newline after it rather than between them.
        const byPrefix = refs.length === 1 ? (await list()).filter((p) => (p.metadata.name ?? '').startsWith(ref.name ?? '')) : [];
        for (const pod of byPrefix) out.write(`${describePod(pod, await eventsFor(client, pod), Date.now())}\n`);
        if (byPrefix.length === 0) {
          failed = true;
          err.write(`${describeError(e)}\n`);
        }
        matchedPrefix = byPrefix.length > 0;
      }
    }
    const texts: string[] = [];
    for (const pod of found) texts.push(describePod(pod, await eventsFor(client, pod), Date.now()));
    out.write(texts.join('\n\n'));
    if (found.length === 0 && !failed && !matchedPrefix) err.write(all === undefined ? 'No resources found\n' : `No resources found in ${all} namespace.\n`);
  } finally {
    client.close();
  }
  return failed ? 1 : 0;
}
