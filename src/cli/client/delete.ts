// `podd delete`: kubectl delete over podd's API. Objects come from names, -l/--all, or -f manifests; by default
// (--wait=true) it returns only once each deleted object is gone, watching it by name as kubectl does.

import { parseDuration } from '../../core/plan/duration.js';
import type { ApiClient } from './api.js';
import { bool, connect, int, parseFlags, str } from './args.js';
import { ApiError, ClientError, ConnectionError, describeError, UsageError } from './errors.js';
import { locate, readManifests } from './manifests.js';
import { parseRefs, resourcePath, singular } from './resources.js';
import type { Resource } from './resources.js';

export const DELETE_USAGE = 'delete TYPE NAME... | TYPE/NAME... | TYPE -l SEL|--all | -f FILE [--grace-period N] [--force] [--wait=false] [--timeout D]';

interface Target {
  resource: Resource;
  namespace: string | undefined;
  name: string;
  source?: string;
}

interface Meta {
  metadata?: { name?: string; uid?: string; resourceVersion?: string };
  details?: { uid?: string };
  items?: Meta[];
}

export async function deleteCommand(args: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    filename: { type: 'string', short: 'f', multiple: true },
    selector: { type: 'string', short: 'l' },
    all: { type: 'boolean' },
    'grace-period': { type: 'string' },
    force: { type: 'boolean' },
    now: { type: 'boolean' },
    wait: { type: 'boolean' },
    timeout: { type: 'string' },
    'ignore-not-found': { type: 'boolean' },
  });
  if (bool(values, 'help')) {
    out.write(`usage: podd ${DELETE_USAGE}\n`);
    return 0;
  }
  const force = bool(values, 'force');
  // kubectl's rules: --grace-period=0 alone means 1 (no accidental force); --force alone means 0; --now means 1.
  let grace = int(values, 'grace-period') ?? -1;
  if (bool(values, 'now')) grace = 1;
  if (grace === 0 && !force) grace = 1;
  if (force && grace < 0) grace = 0;
  const timeoutText = str(values, 'timeout');
  const timeoutMs = timeoutText === undefined ? undefined : parseDuration(timeoutText);
  if (timeoutMs === undefined && timeoutText !== undefined) throw new UsageError(`invalid argument "${timeoutText}" for "--timeout" flag`);
  const files = (values['filename'] as string[] | undefined) ?? [];
  if (files.length > 0 && positionals.length > 0) throw new UsageError('cannot specify both names and -f');
  const session = connect(values);
  const { client } = session;
  if (force) err.write('Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n');
  let failed = false;
  const report = (e: unknown): void => {
    if (e instanceof ConnectionError || !(e instanceof ApiError || e instanceof ClientError)) throw e;
    failed = true;
    err.write(`${describeError(e)}\n`);
  };
  try {
    const targets: Target[] = [];
    if (files.length > 0) {
      for (const o of readManifests(files)) {
        try {
          const at = locate(o, session.namespace, session.namespaceFlag);
          targets.push({ ...at, source: o.source });
        } catch (e) {
          report(e);
        }
      }
    } else {
      targets.push(...await namedTargets(client, positionals, session.namespace, str(values, 'selector'), bool(values, 'all')));
      if (targets.length === 0) err.write(`No resources found\n`);
    }
    const deleted: { t: Target; uid: string | undefined }[] = [];
    for (const t of targets) {
      try {
        const body = JSON.stringify({ propagationPolicy: 'Background', ...(grace >= 0 ? { gracePeriodSeconds: grace } : {}) });
        const answer = await client.call<Meta>('DELETE', resourcePath(t.resource, t.namespace, t.name), { body });
        out.write(`${singular(t.resource)} "${t.name}" ${grace === 0 ? 'force deleted' : 'deleted'}\n`);
        deleted.push({ t, uid: answer.metadata?.uid ?? answer.details?.uid });
      } catch (e) {
        if (e instanceof ApiError && e.code === 404 && bool(values, 'ignore-not-found')) continue;
        report(e instanceof ApiError && t.source !== undefined ? e.withSource('deleting', t.source) : e);
      }
    }
    if (bool(values, 'wait', true)) {
      const deadline = timeoutMs === undefined || timeoutMs === 0 ? undefined : Date.now() + timeoutMs;
      for (const { t, uid } of deleted) {
        if (!await waitGone(client, t, uid, deadline)) {
          report(new ClientError(`timed out waiting for the condition on ${t.resource.name}/${t.name}`));
        }
      }
    }
  } finally {
    client.close();
  }
  return failed ? 1 : 0;
}

async function namedTargets(client: ApiClient, positionals: readonly string[], namespace: string, selector: string | undefined, all: boolean): Promise<Target[]> {
  const refs = parseRefs(positionals);
  const named = refs.filter((r) => r.name !== undefined);
  if (named.length === refs.length) return named.map((r) => ({ resource: r.resource, namespace, name: r.name ?? '' }));
  if (refs.length > 1) throw new UsageError('resource(s) were provided, but no name was specified');
  const resource = refs[0]?.resource;
  if (resource === undefined || (selector === undefined && !all)) throw new UsageError('resource(s) were provided, but no name was specified');
  const list = await client.get<Meta>(resourcePath(resource, namespace), selector === undefined ? {} : { labelSelector: selector });
  return (list.items ?? []).map((o) => ({ resource, namespace, name: o.metadata?.name ?? '' }));
}

/**
 * Waits until the object `t` (with `uid`, when known) no longer exists: its name is gone or names a new object.
 * false when `deadline` passed first.
 */
async function waitGone(client: ApiClient, t: Target, uid: string | undefined, deadline: number | undefined): Promise<boolean> {
  const collection = resourcePath(t.resource, t.namespace);
  const byName = `metadata.name=${t.name}`;
  const isIt = (o: Meta | undefined): boolean => o !== undefined && (uid === undefined || o.metadata?.uid === uid);
  for (;;) {
    const list = await client.get<Meta>(collection, { fieldSelector: byName });
    if (!isIt(list.items?.[0])) return true;
    const left = deadline === undefined ? 300_000 : deadline - Date.now();
    if (left <= 0) return false;
    let gone = false;
    // A watch that ends (timeoutSeconds, or a 410 for a compacted resourceVersion) is simply started again.
    await client.watch<Meta>(collection, {
      fieldSelector: byName, resourceVersion: list.metadata?.resourceVersion, timeoutSeconds: String(Math.max(1, Math.ceil(left / 1000))),
    }, (e) => {
      gone = e.type === 'DELETED' && isIt(e.object);
      return gone || e.type === 'ERROR';
    });
    if (gone) return true;
  }
}
