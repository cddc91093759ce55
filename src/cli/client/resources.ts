// The resource types podd serves, by every name kubectl accepts for them, and the paths of their objects.

import { UsageError } from './errors.js';

export interface Resource {
  /** Plural, as in the URL: `pods`. */
  name: string;
  kind: string;
  namespaced: boolean;
  aliases: readonly string[];
}

export const RESOURCES: readonly Resource[] = [
  { name: 'pods', kind: 'Pod', namespaced: true, aliases: ['pod', 'po'] },
  { name: 'events', kind: 'Event', namespaced: true, aliases: ['event', 'ev'] },
  { name: 'secrets', kind: 'Secret', namespaced: true, aliases: ['secret'] },
  { name: 'configmaps', kind: 'ConfigMap', namespaced: true, aliases: ['configmap', 'cm'] },
  { name: 'namespaces', kind: 'Namespace', namespaced: false, aliases: ['namespace', 'ns'] },
  { name: 'nodes', kind: 'Node', namespaced: false, aliases: ['node', 'no'] },
];

export function resourceByName(type: string): Resource {
  const t = type.toLowerCase();
  const r = RESOURCES.find((x) => x.name === t || x.aliases.includes(t) || x.kind.toLowerCase() === t);
  if (r === undefined) throw new UsageError(`the server doesn't have a resource type "${type}"`);
  return r;
}

export function resourceByKind(apiVersion: unknown, kind: unknown): Resource | undefined {
  if (apiVersion !== 'v1') return undefined;
  return RESOURCES.find((r) => r.kind === kind);
}

/** `pod`: the singular lower-case kind kubectl prints before a name (`pod/web`, `pod "web" deleted`). */
export function singular(r: Resource): string {
  return r.kind.toLowerCase();
}

/**
 * The collection path of `r` (namespace undefined: across all namespaces), or an object's path when `name` is given.
 */
export function resourcePath(r: Resource, namespace: string | undefined, name?: string, sub?: string): string {
  const ns = r.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const obj = name === undefined ? '' : `/${encodeURIComponent(name)}`;
  return `/api/v1${ns}/${r.name}${obj}${sub === undefined ? '' : `/${sub}`}`;
}

export interface Ref {
  resource: Resource;
  name?: string;
}

/**
 * kubectl's resource arguments: `TYPE[,TYPE...] [NAME...]` or `TYPE/NAME [TYPE/NAME...]`. The type must come first.
 */
export function parseRefs(args: readonly string[]): Ref[] {
  const [first, ...rest] = args;
  if (first === undefined) throw new UsageError('you must specify the type of resource');
  if (first.includes('/')) {
    return args.map((a) => {
      const [type = '', name = '', ...extra] = a.split('/');
      if (name === '' || extra.length > 0) throw new UsageError(`arguments in resource/name form must have a single resource and name; got "${a}"`);
      return { resource: resourceByName(type), name };
    });
  }
  const types = first.split(',').filter((t) => t !== '').map(resourceByName);
  if (rest.some((a) => a.includes('/'))) throw new UsageError('there is no need to specify a resource type as a separate argument when passing arguments in resource/name form');
  return types.flatMap((resource) => (rest.length === 0 ? [{ resource }] : rest.map((name) => ({ resource, name }))));
}
