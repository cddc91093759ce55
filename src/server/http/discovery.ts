// Discovery documents for core/v1 and the named groups (discovery.k8s.io/v1 for EndpointSlices, coordination.k8s.io/v1
// for the node's Lease): aggregated
// (APIGroupDiscoveryList, what kubectl asks for first), legacy (APIVersions, APIGroupList, APIGroup,
// APIResourceList), `/version`, and the minimal OpenAPI v3 that makes kubectl's field-validation check pass for
// create and apply (a PATCH operation per kind with a fieldValidation parameter, no strategic-merge requestBody;
// see kubectl-wire-protocol.md section 1), one document per group version.

export interface ResourceInfo {
  /** '' for core/v1. */
  group: string;
  name: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  verbs: string[];
  categories?: string[];
  subresources?: { name: string; kind: string; verbs: string[] }[];
}

const ALL = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const CORE = (r: Omit<ResourceInfo, 'group'>): ResourceInfo => ({ group: '', ...r });
export const DISCOVERY_GROUP = 'discovery.k8s.io';
export const COORDINATION_GROUP = 'coordination.k8s.io';

export const RESOURCES: readonly ResourceInfo[] = [
  CORE({ name: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'], verbs: ALL }),
  CORE({ name: 'endpoints', singular: 'endpoints', kind: 'Endpoints', namespaced: true, shortNames: ['ep'], verbs: ALL }),
  CORE({ name: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], verbs: ['get', 'list', 'watch'] }),
  CORE({ name: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }),
  CORE({ name: 'nodes', singular: 'node', kind: 'Node', namespaced: false, shortNames: ['no'], verbs: ['get', 'list', 'watch'] }),
  CORE({ name: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], verbs: ALL, categories: ['all'],
    subresources: [
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'status', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    ] }),
  CORE({ name: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true, shortNames: [], verbs: ALL }),
  // The apiserver's services have no deletecollection.
  CORE({ name: 'services', singular: 'service', kind: 'Service', namespaced: true, shortNames: ['svc'], categories: ['all'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [{ name: 'status', kind: 'Service', verbs: ['get', 'patch', 'update'] }] }),
  { group: DISCOVERY_GROUP, name: 'endpointslices', singular: 'endpointslice', kind: 'EndpointSlice', namespaced: true, shortNames: [], verbs: ALL },
  // The node's heartbeat (kube-node-lease/<node>), written by podd itself: read-only through the API.
  { group: COORDINATION_GROUP, name: 'leases', singular: 'lease', kind: 'Lease', namespaced: true, shortNames: [], verbs: ['get', 'list', 'watch'] },
];

/** The named groups podd serves, each with its one version. */
export const GROUPS: readonly { name: string; version: string }[] = [{ name: DISCOVERY_GROUP, version: 'v1' }, { name: COORDINATION_GROUP, version: 'v1' }];

/** `v1` for core, `group/v1` otherwise: the objects' apiVersion. */
export function apiVersionOf(info: Pick<ResourceInfo, 'group'>): string {
  return info.group === '' ? 'v1' : `${info.group}/v1`;
}

export function resourceInfo(name: string, group = ''): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.name === name && r.group === group);
}

export function versionInfo(v: { major: string; minor: string; gitVersion: string }): Record<string, string> {
  return {
    major: v.major, minor: v.minor, gitVersion: v.gitVersion, gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean', buildDate: '2024-12-11T00:00:00Z', goVersion: 'go1.23.4', compiler: 'gc', platform: 'linux/amd64',
  };
}

function aggregatedResources(group: string): unknown[] {
  return RESOURCES.filter((r) => r.group === group).map((r) => {
    const entry: Record<string, unknown> = {
      resource: r.name, responseKind: { group, version: 'v1', kind: r.kind },
      scope: r.namespaced ? 'Namespaced' : 'Cluster', singularResource: r.singular, verbs: r.verbs,
    };
    if (r.shortNames.length > 0) entry['shortNames'] = r.shortNames;
    if (r.categories) entry['categories'] = r.categories;
    if (r.subresources) {
      entry['subresources'] = r.subresources.map((s) => ({
        subresource: s.name, responseKind: { group, version: 'v1', kind: s.kind }, verbs: s.verbs,
      }));
    }
    return entry;
  });
}

export function aggregatedCore(version: 'v2' | 'v2beta1'): unknown {
  return {
    kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {},
    items: [{ metadata: { creationTimestamp: null }, versions: [{ version: 'v1', freshness: 'Current', resources: aggregatedResources('') }] }],
  };
}

export function aggregatedGroups(version: 'v2' | 'v2beta1'): unknown {
  const items = GROUPS.map((g) => ({
    metadata: { name: g.name, creationTimestamp: null },
    versions: [{ version: g.version, freshness: 'Current', resources: aggregatedResources(g.name) }],
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

export function apiVersions(serverAddress: string): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(g: { name: string; version: string }): Record<string, unknown> {
  const v = { groupVersion: `${g.name}/${g.version}`, version: g.version };
  return { name: g.name, versions: [v], preferredVersion: v };
}

export function apiGroupList(): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: GROUPS.map(apiGroup) };
}

/** `/apis/<group>`; undefined for a group podd does not serve. */
export function apiGroupDocument(name: string): unknown {
  const g = GROUPS.find((x) => x.name === name);
  return g === undefined ? undefined : { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) };
}

export function apiResourceList(group = ''): unknown {
  const resources: Record<string, unknown>[] = [];
  for (const r of RESOURCES.filter((x) => x.group === group)) {
    const entry: Record<string, unknown> = { name: r.name, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames.length > 0) entry['shortNames'] = r.shortNames;
    if (r.categories) entry['categories'] = r.categories;
    resources.push(entry);
    for (const s of r.subresources ?? []) {
      resources.push({ name: `${r.name}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs });
    }
  }
  return { kind: 'APIResourceList', groupVersion: apiVersionOf({ group }), resources };
}

/** Changes whenever the documents below change, so kubectl's cache keyed by it stays right. */
export const OPENAPI_HASH = 'PODD0003';

export function openApiRoot(): unknown {
  const paths: Record<string, unknown> = { 'api/v1': { serverRelativeURL: `/openapi/v3/api/v1?hash=${OPENAPI_HASH}` } };
  for (const g of GROUPS) paths[`apis/${g.name}/${g.version}`] = { serverRelativeURL: `/openapi/v3/apis/${g.name}/${g.version}?hash=${OPENAPI_HASH}` };
  return { paths };
}

/** The OpenAPI v3 document of one group version ('' for core/v1). */
export function openApiGroupVersion(group: string, gitVersion: string): unknown {
  const paths: Record<string, unknown> = {};
  const prefix = group === '' ? '/api/v1' : `/apis/${group}/v1`;
  for (const r of RESOURCES.filter((x) => x.group === group)) {
    const path = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.name}/{name}` : `${prefix}/${r.name}/{name}`;
    paths[path] = {
      patch: {
        'x-kubernetes-group-version-kind': { group, version: 'v1', kind: r.kind },
        parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }],
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: gitVersion }, paths };
}

export function openApiCoreV1(gitVersion: string): unknown {
  return openApiGroupVersion('', gitVersion);
}
