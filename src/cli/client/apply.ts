// `podd apply -f`: server-side apply (PATCH application/apply-patch+yaml, fieldManager=podd), which podd's server
// answers by creating a missing object (201) or merging into the existing one. The line printed says which:
// created, configured or unchanged (nothing but the status and bookkeeping differs from before).

import { bool, connect, parseFlags, str } from './args.js';
import { ApiError, apiErrorFromResponse, ClientError, ConnectionError, describeError } from './errors.js';
import { locate, readManifests } from './manifests.js';
import { sortKeys } from './printers.js';
import { resourcePath, singular } from './resources.js';

export const APPLY_USAGE = 'apply -f FILE|DIR|- [-f ...] [-n NS] [--field-manager NAME] [--force-conflicts]';

/** kubectl apply --server-side's advice after a field-ownership conflict, word for word. */
const CONFLICT_ADVICE = `Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts`;

/**
 * What apply can change: the object without its status and bookkeeping. Comparing this (not resourceVersions)
 * keeps a pod whose status moved on meanwhile `unchanged`.
 */
function applied(text: string): string {
  const o = JSON.parse(text) as Record<string, unknown> & { metadata?: Record<string, unknown> };
  const { status: _status, ...rest } = o;
  const { resourceVersion: _rv, managedFields: _mf, generation: _gen, ...metadata } = o.metadata ?? {};
  return JSON.stringify(sortKeys({ ...rest, metadata }));
}

export async function applyCommand(args: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values } = parseFlags(args, {
    filename: { type: 'string', short: 'f', multiple: true },
    'field-manager': { type: 'string' },
    'force-conflicts': { type: 'boolean' },
  });
  if (bool(values, 'help')) {
    out.write(`usage: podd ${APPLY_USAGE}\n`);
    return 0;
  }
  const files = (values['filename'] as string[] | undefined) ?? [];
  const objects = readManifests(files);
  const { client, namespace, namespaceFlag } = connect(values);
  let failed = false;
  try {
    for (const o of objects) {
      try {
        const at = locate(o, namespace, namespaceFlag);
        const path = resourcePath(at.resource, at.namespace, at.name);
        const before = await client.request('GET', path);
        if (before.status !== 200 && before.status !== 404) throw apiErrorFromResponse(before.status, before.body);
        const existed = before.status === 200;
        // The body is JSON (a subset of YAML), as kubectl sends it.
        const res = await client.request('PATCH', path, {
          query: {
            fieldManager: str(values, 'field-manager') ?? 'podd', fieldValidation: 'Strict',
            ...(bool(values, 'force-conflicts') ? { force: 'true' } : {}),
          },
          body: JSON.stringify(o.object),
          contentType: 'application/apply-patch+yaml',
        });
        if (res.status !== 200 && res.status !== 201) {
          const e = apiErrorFromResponse(res.status, res.body);
          if (e.code === 409 && e.reason === 'Conflict') throw new ClientError(`${e.message}\n${CONFLICT_ADVICE}`);
          throw e.withSource(existed ? 'patching' : 'creating', o.source);
        }
        const what = res.status === 201 ? 'created' : existed && applied(res.body) === applied(before.body) ? 'unchanged' : 'configured';
        out.write(`${singular(at.resource)}/${at.name} ${what}\n`);
      } catch (e) {
        if (e instanceof ConnectionError || !(e instanceof ApiError || e instanceof ClientError)) throw e;
        failed = true;
        err.write(`${describeError(e)}\n`);
      }
    }
  } finally {
    client.close();
  }
  return failed ? 1 : 0;
}
