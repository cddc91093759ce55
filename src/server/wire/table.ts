// Server-side printing (meta.k8s.io Table), as the apiserver's TableConvertor does with kubectl's printers
// (pkg/printers/internalversion/printers.go, always generated "wide": priority-1 cells are present and kubectl
// shows them only with -o wide). kubectl prints the cells verbatim, so ages and counts are formatted here.

import type { ObjectMeta } from '../../api/types.js';
import { humanDuration } from '../../core/status/human-duration.js';
import { parseRfc3339 } from '../../core/time.js';

export interface TableColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export type TableCell = string | number | boolean;

export interface TableRowCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1';
  metadata: ObjectMeta;
}

export interface TableRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  now: number;
  includeObject: IncludeObject;
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
  /** meta.k8s.io version the client negotiated (accept.ts); v1 unless it asked for v1beta1 only. */
  version?: 'v1' | 'v1beta1';
  /** Leave columnDefinitions empty, as the apiserver does for watch events after the first. */
  omitColumns?: boolean;
}

/** A kind's printer: its column definitions and one row's cells (and conditions) for an object. */
export interface KindColumns<T> {
  columns: readonly TableColumnDefinition[];
  cells(obj: T, now: number): TableCell[];
  conditions?(obj: T): TableRowCondition[] | undefined;
}

export function column(name: string, description: string, o: { priority?: number; format?: string; type?: TableColumnDefinition['type'] } = {}): TableColumnDefinition {
  return { name, type: o.type ?? 'string', format: o.format ?? '', description, priority: o.priority ?? 0 };
}

export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const nameColumn = column('Name', NAME_DESCRIPTION, { format: 'name' });
export const ageColumn = column('Age', AGE_DESCRIPTION);

/** translateTimestampSince: `<unknown>` for a missing time, else kubectl's human duration since it. */
export function since(timestamp: string | null | undefined, now: number): string {
  if (timestamp === undefined || timestamp === null || timestamp === '') return '<unknown>';
  const t = parseRfc3339(timestamp);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}

export function age(metadata: ObjectMeta, now: number): string {
  return since(metadata.creationTimestamp, now);
}

/** A Table of `objects` printed with `printer`; rows carry the object per includeObject. */
export function metadataTable<T extends { metadata: ObjectMeta }>(objects: readonly T[], printer: KindColumns<T>, opts: TableOptions): Table {
  const apiVersion = opts.version === 'v1beta1' ? 'meta.k8s.io/v1beta1' : 'meta.k8s.io/v1';
  const metadata: Table['metadata'] = { resourceVersion: opts.resourceVersion };
  if (opts.continue !== undefined && opts.continue !== '') metadata.continue = opts.continue;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;
  const rows = objects.map((obj): TableRow => {
    const row: TableRow = { cells: printer.cells(obj, opts.now) };
    const conditions = printer.conditions?.(obj);
    if (conditions !== undefined && conditions.length > 0) row.conditions = conditions;
    if (opts.includeObject === 'Object') row.object = obj;
    else if (opts.includeObject === 'Metadata') {
      const partial: PartialObjectMetadata = { kind: 'PartialObjectMetadata', apiVersion, metadata: obj.metadata };
      row.object = partial;
    }
    return row;
  });
  return {
    kind: 'Table', apiVersion, metadata,
    columnDefinitions: opts.omitColumns === true ? [] : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}

// ---- kinds without types in src/api: structural shapes of just what the printers read ----

export interface NamespaceLike {
  metadata: ObjectMeta;
  status?: { phase?: string };
}

export interface NodeLike {
  metadata: ObjectMeta;
  spec?: { unschedulable?: boolean };
  status?: {
    conditions?: { type: string; status: string }[];
    addresses?: { type: string; address: string }[];
    nodeInfo?: { kubeletVersion?: string; osImage?: string; kernelVersion?: string; containerRuntimeVersion?: string };
  };
}

export interface EventLike {
  metadata: ObjectMeta;
  involvedObject: { kind?: string; name?: string; fieldPath?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
}

export interface SecretLike {
  metadata: ObjectMeta;
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface ConfigMapLike {
  metadata: ObjectMeta;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

export const namespaceColumns: KindColumns<NamespaceLike> = {
  columns: [nameColumn, column('Status', 'The status of the namespace'), ageColumn],
  cells: (ns, now) => [ns.metadata.name ?? '', ns.status?.phase ?? '', age(ns.metadata, now)],
};

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

/** findNodeRoles: `node-role.kubernetes.io/<role>` label keys and the `kubernetes.io/role` value, sorted. */
export function nodeRoles(labels: Record<string, string> | undefined): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      const role = k.slice(NODE_ROLE_PREFIX.length);
      if (role !== '') roles.add(role);
    } else if (k === NODE_ROLE_LABEL && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

function nodeAddress(node: NodeLike, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
}

function orUnknown(s: string | undefined): string {
  return s === undefined || s === '' ? '<unknown>' : s;
}

export const nodeColumns: KindColumns<NodeLike> = {
  columns: [
    nameColumn,
    column('Status', 'The status of the node'),
    column('Roles', 'The roles of the node'),
    ageColumn,
    column('Version', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'List of addresses reachable to the node.', { priority: 1 }),
    column('External-IP', 'List of addresses reachable to the node.', { priority: 1 }),
    column('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', { priority: 1 }),
    column('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { priority: 1 }),
    column('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', { priority: 1 }),
  ],
  cells: (node, now) => {
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    const status = ready === undefined ? ['Unknown'] : [ready.status === 'True' ? 'Ready' : 'NotReady'];
    if (node.spec?.unschedulable === true) status.push('SchedulingDisabled');
    const roles = nodeRoles(node.metadata.labels).join(',');
    const info = node.status?.nodeInfo;
    return [
      node.metadata.name ?? '', status.join(','), roles === '' ? '<none>' : roles, age(node.metadata, now), info?.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'), nodeAddress(node, 'ExternalIP'),
      orUnknown(info?.osImage), orUnknown(info?.kernelVersion), orUnknown(info?.containerRuntimeVersion),
    ];
  },
};

function firstNonEmpty(...xs: (string | undefined)[]): string {
  return xs.find((x) => x !== undefined && x !== '') ?? '';
}

/** formatEventSource: `component, host` (falling back to reportingComponent/reportingInstance). */
export function eventSource(e: EventLike): string {
  const component = firstNonEmpty(e.source?.component, e.reportingComponent);
  const instance = firstNonEmpty(e.source?.host, e.reportingInstance);
  if (component === '') return '';
  return instance === '' ? component : `${component}, ${instance}`;
}

export const eventColumns: KindColumns<EventLike> = {
  columns: [
    column('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column('Reason', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    column('Object', 'The object that this event is about.'),
    column('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', { priority: 1 }),
    column('Source', 'The component reporting this event. Should be a short machine understandable string.', { priority: 1 }),
    column('Message', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', { priority: 1 }),
    column('Count', 'The number of times this event has occurred.', { priority: 1 }),
    column('Name', NAME_DESCRIPTION, { priority: 1, format: 'name' }),
  ],
  cells: (e, now) => {
    let first = since(e.firstTimestamp, now);
    if (e.firstTimestamp === undefined || e.firstTimestamp === null || e.firstTimestamp === '') first = since(e.eventTime, now);
    let last = e.lastTimestamp === undefined || e.lastTimestamp === null || e.lastTimestamp === '' ? first : since(e.lastTimestamp, now);
    let count = e.count ?? 0;
    if (e.series !== undefined) {
      last = since(e.series.lastObservedTime, now);
      count = e.series.count ?? 0;
    } else if (count === 0) {
      count = 1; // singleton events carry no count in the events.k8s.io API
    }
    const kind = (e.involvedObject.kind ?? '').toLowerCase();
    const target = e.involvedObject.name ? `${kind}/${e.involvedObject.name}` : kind;
    return [
      last, e.type ?? '', e.reason ?? '', target, e.involvedObject.fieldPath ?? '', eventSource(e),
      (e.message ?? '').trim(), first, count, e.metadata.name ?? '',
    ];
  },
};

export const secretColumns: KindColumns<SecretLike> = {
  columns: [
    nameColumn,
    column('Type', 'Used to facilitate programmatic handling of secret data.'),
    column('Data', 'Data contains the secret data.'),
    ageColumn,
  ],
  cells: (s, now) => {
    const keys = new Set([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})]);
    return [s.metadata.name ?? '', s.type ?? 'Opaque', keys.size, age(s.metadata, now)];
  },
};

export const configMapColumns: KindColumns<ConfigMapLike> = {
  columns: [nameColumn, column('Data', 'Data contains the configuration data.'), ageColumn],
  cells: (c, now) => [
    c.metadata.name ?? '', Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length, age(c.metadata, now),
  ],
};
