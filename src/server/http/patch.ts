// The PATCH bodies kubectl sends: JSON merge patch (RFC 7386) and strategic merge patch, which merges the
// lists Kubernetes marks with a patch merge key (containers by name, ports by containerPort, ...) and honours
// the directives kubectl emits: null deletes, `$patch: delete|replace`, `$setElementOrder/<list>`,
// `$deleteFromPrimitiveList/<list>` and `$retainKeys`.

type Json = unknown;
type JsonObject = Record<string, Json>;

function isObject(v: Json): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386: objects merge recursively, null deletes, everything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** The patchMergeKey of core/v1 list fields, by field name. */
export const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name', initContainers: 'name', ephemeralContainers: 'name', volumes: 'name', env: 'name',
  imagePullSecrets: 'name', ports: 'containerPort', volumeMounts: 'mountPath', volumeDevices: 'devicePath',
  conditions: 'type', hostAliases: 'ip', containerStatuses: 'name', initContainerStatuses: 'name',
  resourceClaims: 'name', podIPs: 'ip', hostIPs: 'ip',
};

type MergeKeys = Readonly<Record<string, string>>;

/**
 * The merge keys of the object kind being patched: `ports` is a container's list (by containerPort) in Pods, a
 * Service's (by port) in Services, and atomic (replaced whole) in Endpoints subsets and EndpointSlices.
 */
export function mergeKeysForKind(kind: unknown): MergeKeys {
  if (kind === 'Service') return { ...MERGE_KEYS, ports: 'port' };
  if (kind === 'EndpointSlice' || kind === 'Endpoints') {
    const { ports: _ports, ...rest } = MERGE_KEYS;
    return rest;
  }
  return MERGE_KEYS;
}

/** Strategic merge patch over core/v1 objects; the merge keys follow the kind of the target (or of the patch). */
export function strategicMergePatch(target: Json, patch: Json, keys?: MergeKeys): Json {
  if (!isObject(patch)) return patch;
  const k8sKind = isObject(target) && target['kind'] !== undefined ? target['kind'] : patch['kind'];
  const mergeKeys = keys ?? mergeKeysForKind(k8sKind);
  if (patch['$patch'] === 'replace') return withoutDirectives(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  const orders: [string, Json[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) {
      if (Array.isArray(v)) orders.push([k.slice('$setElementOrder/'.length), v]);
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = out[field];
      if (Array.isArray(cur) && Array.isArray(v)) out[field] = cur.filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    if (isObject(v) && v['$patch'] === 'delete') {
      delete out[k];
      continue;
    }
    const cur = out[k];
    const mergeKey = mergeKeys[k];
    if (Array.isArray(v) && mergeKey !== undefined) out[k] = mergeList(Array.isArray(cur) ? cur : [], v, mergeKey, mergeKeys);
    else if (isObject(v)) out[k] = strategicMergePatch(cur, v, mergeKeys);
    else out[k] = v;
  }
  for (const [field, order] of orders) {
    const cur = out[field];
    const mergeKey = mergeKeys[field];
    if (mergeKey !== undefined && Array.isArray(cur)) out[field] = applyOrder(cur, order, mergeKey);
  }
  return out;
}

function withoutDirectives(o: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (!k.startsWith('$')) out[k] = v;
  return out;
}

function sameKey(a: Json, b: Json, key: string): boolean {
  return isObject(a) && isObject(b) && a[key] !== undefined && a[key] === b[key];
}

function mergeList(current: Json[], patch: Json[], key: string, keys: MergeKeys): Json[] {
  if (patch.some((p) => isObject(p) && p['$patch'] === 'replace')) {
    return patch.filter((p) => !(isObject(p) && p['$patch'] === 'replace')).map((p) => (isObject(p) ? withoutDirectives(p) : p));
  }
  let out = [...current];
  for (const item of patch) {
    if (!isObject(item)) {
      out.push(item);
      continue;
    }
    if (item['$patch'] === 'delete') {
      out = out.filter((c) => !sameKey(c, item, key));
      continue;
    }
    const i = out.findIndex((c) => sameKey(c, item, key));
    if (i >= 0) out[i] = strategicMergePatch(out[i], item, keys);
    else out.push(strategicMergePatch(undefined, item, keys));
  }
  return out;
}

/** Items named in `order` come first in that order; the rest keep their relative order after them. */
function applyOrder(list: Json[], order: Json[], key: string): Json[] {
  const rank = (x: Json): number => {
    const i = order.findIndex((o) => sameKey(o, x, key));
    return i < 0 ? order.length : i;
  };
  return list.map((x, i) => ({ x, i })).sort((a, b) => rank(a.x) - rank(b.x) || a.i - b.i).map(({ x }) => x);
}
