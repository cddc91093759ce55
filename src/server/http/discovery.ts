// Discovery documents for core/v1: aggregated (APIGroupDiscoveryList, what kubectl asks for first), legacy
// (APIVersions, APIGroupList, APIResourceList), `/version`, and the minimal OpenAPI v3 that makes kubectl's
// field-validation check pass for create and apply (a PATCH operation per kind with a fieldValidation parameter,
// no strategic-merge requestBody; see kubectl-wire-protocol.md section 1).

export interface ResourceInfo {
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

export const RESOURCES: readonly ResourceInfo[] = [
  { name: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'], verbs: ALL },
  { name: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], verbs: ['get', 'list', 'watch'] },
  { name: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
  { name: 'nodes', singular: 'node', kind: 'Node', namespaced: false, shortNames: ['no'], verbs: ['get', 'list', 'watch'] },
  { name: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], verbs: ALL, categories: ['all'],
    subresources: [
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'status', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    ] },
  { name: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true, shortNames: [], verbs: ALL },
];

export function resourceInfo(name: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.name === name);
}

export function versionInfo(v: { major: string; minor: string; gitVersion: string }): Record<string, string> {
  return {
    major: v.major, minor: v.minor, gitVersion: v.gitVersion, gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean', buildDate: '2024-12-11T00:00:00Z', goVersion: 'go1.23.4', compiler: 'gc', platform: 'linux/amd64',
  };
}

export function aggregatedCore(version: 'v2' | 'v2beta1'): unknown {
  const resources = RESOURCES.map((r) => {
    const entry: Record<string, unknown> = {
      resource: r.name, responseKind: { group: '', version: 'v1', kind: r.kind },
      scope: r.namespaced ? 'Namespaced' : 'Cluster', singularResource: r.singular, verbs: r.verbs,
    };
    if (r.shortNames.length > 0) entry['shortNames'] = r.shortNames;
    if (r.categories) entry['categories'] = r.categories;
    if (r.subresources) {
      entry['subresources'] = r.subresources.map((s) => ({
        subresource: s.name, responseKind: { group: '', version: 'v1', kind: s.kind }, verbs: s.verbs,
      }));
    }
    return entry;
  });
  return {
    kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {},
    items: [{ metadata: { creationTimestamp: null }, versions: [{ version: 'v1', freshness: 'Current', resources }] }],
  };
}

export function aggregatedGroups(version: 'v2' | 'v2beta1'): unknown {
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items: [] };
}

export function apiVersions(serverAddress: string): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function apiGroupList(): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [] };
}

export function apiResourceList(): unknown {
  const resources: Record<string, unknown>[] = [];
  for (const r of RESOURCES) {
    const entry: Record<string, unknown> = { name: r.name, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames.length > 0) entry['shortNames'] = r.shortNames;
    if (r.categories) entry['categories'] = r.categories;
    resources.push(entry);
    for (const s of r.subresources ?? []) {
      resources.push({ name: `${r.name}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs });
    }
  }
  return { kind: 'APIResourceList', groupVersion: 'v1', resources };
}

/** Changes whenever the document below changes, so kubectl's cache keyed by it stays right. */
export const OPENAPI_HASH = 'PODD0001';

export function openApiRoot(): unknown {
  return { paths: { 'api/v1': { serverRelativeURL: `/openapi/v3/api/v1?hash=${OPENAPI_HASH}` } } };
}

export function openApiCoreV1(gitVersion: string): unknown {
  const paths: Record<string, unknown> = {};
  for (const r of RESOURCES) {
    const path = r.namespaced ? `/api/v1/namespaces/{namespace}/${r.name}/{name}` : `/api/v1/${r.name}/{name}`;
    paths[path] = {
      patch: {
        'x-kubernetes-group-version-kind': { group: '', version: 'v1', kind: r.kind },
        parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }],
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: gitVersion }, paths };
}
