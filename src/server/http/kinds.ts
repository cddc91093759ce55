// Per-resource admission: strict decoding (fieldValidation), defaulting, validation, and the Table printer.
// Pods, Secrets and ConfigMaps use src/api; Services, Endpoints and EndpointSlices service-kinds.ts; Namespaces
// have a small decoder here; Nodes and Events are read-only.

import { decodeObject } from '../../api/decode.js';
import { defaultConfigMap, defaultPod, defaultSecret } from '../../api/defaults.js';
import { DecodeError, InvalidError, goQuote, invalid, required } from '../../api/field-errors.js';
import type { FieldError } from '../../api/field-errors.js';
import { configMapSchema, podSchema, secretSchema } from '../../api/schema.js';
import type { ObjectSchema } from '../../api/schema.js';
import { decodeStrict, isPlainObject } from '../../api/strict-decode.js';
import type { ConfigMap, Pod, Secret } from '../../api/types.js';
import { validateConfigMap, validatePod, validateSecret } from '../../api/validate.js';
import type { StoredObject } from '../../store/types.js';
import type { EndpointSlice, Endpoints, Service } from '../../api/service-types.js';
import { podTable } from '../wire/pod-table.js';
import { endpointSliceColumns, endpointsColumns, serviceColumns } from '../wire/service-table.js';
import { leaseColumns, type LeaseLike } from '../wire/lease-table.js';
import { endpointSliceKind, endpointsKind, serviceKind } from './service-kinds.js';
import type { AdmissionContext } from './service-kinds.js';
import { configMapColumns, eventColumns, metadataTable, namespaceColumns, nodeColumns, secretColumns } from '../wire/table.js';
import type { EventLike, NamespaceLike, NodeLike, SecretLike, ConfigMapLike, Table, TableOptions } from '../wire/table.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface Admitted {
  object: StoredObject;
  /** Unknown fields dropped under Warn, for the `Warning` header. */
  warnings: string[];
}

export interface KindHandler {
  kind: string;
  /** Decodes and defaults a write body; DecodeError (400) for bad input. Undefined when the kind is read-only. */
  admit?(raw: unknown, mode: FieldValidation): Admitted;
  /** Throws InvalidError (422). */
  validate?(obj: StoredObject): void;
  /** Update validation that compares with the stored object (immutable fields); runs instead of validate. */
  validateUpdate?(next: StoredObject, old: StoredObject): void;
  /** Create-time steps that read the store (ClusterIP allocation), after admit and before validate. */
  prepareCreate?(obj: StoredObject, ctx: AdmissionContext): StoredObject;
  /** The same for updates, given the stored object. */
  prepareUpdate?(next: StoredObject, old: StoredObject, ctx: AdmissionContext): StoredObject;
  table(objects: readonly StoredObject[], opts: TableOptions): Table;
}

const SCHEMAS: Readonly<Record<string, ObjectSchema>> = { Pod: podSchema, Secret: secretSchema, ConfigMap: configMapSchema };

function decodeKind(raw: unknown, kind: string, mode: FieldValidation): Admitted {
  if (isPlainObject(raw) && typeof raw['kind'] === 'string' && raw['kind'] !== kind && raw['kind'] !== '') {
    throw new DecodeError(`${String(raw['kind'])} in version ${goQuote(String(raw['apiVersion'] ?? ''))} cannot be handled as a ${kind}: the kind does not match the resource`);
  }
  try {
    return { object: decodeObject(raw) as StoredObject, warnings: [] };
  } catch (err) {
    const schema = SCHEMAS[kind];
    if (mode === 'Strict' || !(err instanceof DecodeError) || !err.message.includes('strict decoding error') || !isPlainObject(raw) || !schema) throw err;
    const { value, unknownFields } = decodeStrict(raw, schema);
    return { object: value as unknown as StoredObject, warnings: mode === 'Warn' ? unknownFields.map((f) => `unknown field ${goQuote(f)}`) : [] };
  }
}

function check(kind: string, obj: StoredObject, errs: FieldError[]): void {
  if (errs.length > 0) throw new InvalidError(kind, obj.metadata.name ?? '', errs);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function decodeNamespace(raw: unknown, mode: FieldValidation): Admitted {
  if (!isPlainObject(raw)) throw new DecodeError('expected a Kubernetes object');
  if (raw['kind'] !== 'Namespace' || raw['apiVersion'] !== 'v1') {
    throw new DecodeError(`${String(raw['kind'] ?? '')} in version ${goQuote(String(raw['apiVersion'] ?? ''))} cannot be handled as a Namespace`);
  }
  const unknown = Object.keys(raw).filter((k) => !['apiVersion', 'kind', 'metadata', 'spec', 'status'].includes(k));
  if (unknown.length > 0 && mode === 'Strict') {
    throw new DecodeError('Namespace in version "v1" cannot be handled as a Namespace: strict decoding error: ' + unknown.map((f) => `unknown field ${goQuote(f)}`).join(', '));
  }
  const meta = isPlainObject(raw['metadata']) ? { ...raw['metadata'] } : {};
  delete meta['namespace'];
  const ns: Record<string, unknown> = { apiVersion: 'v1', kind: 'Namespace', metadata: meta, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
  return { object: ns as unknown as StoredObject, warnings: mode === 'Warn' ? unknown.map((f) => `unknown field ${goQuote(f)}`) : [] };
}

function validateNamespace(obj: StoredObject): void {
  const name = obj.metadata.name ?? '';
  const errs: FieldError[] = [];
  if (name === '') errs.push(required('metadata.name', 'name or generateName is required'));
  else if (!DNS_LABEL.test(name) || name.length > 63) {
    errs.push(invalid('metadata.name', name, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
  }
  check('Namespace', obj, errs);
}

export const KINDS: Readonly<Record<string, KindHandler>> = {
  pods: {
    kind: 'Pod',
    admit: (raw, mode) => {
      const a = decodeKind(raw, 'Pod', mode);
      return { ...a, object: defaultPod(a.object as unknown as Pod) as unknown as StoredObject };
    },
    validate: (obj) => check('Pod', obj, validatePod(obj as unknown as Pod)),
    table: (objs, opts) => podTable(objs as unknown as Pod[], opts),
  },
  secrets: {
    kind: 'Secret',
    admit: (raw, mode) => {
      const a = decodeKind(raw, 'Secret', mode);
      return { ...a, object: defaultSecret(a.object as unknown as Secret) as unknown as StoredObject };
    },
    validate: (obj) => check('Secret', obj, validateSecret(obj as unknown as Secret)),
    table: (objs, opts) => metadataTable(objs as unknown as SecretLike[], secretColumns, opts),
  },
  configmaps: {
    kind: 'ConfigMap',
    admit: (raw, mode) => {
      const a = decodeKind(raw, 'ConfigMap', mode);
      return { ...a, object: defaultConfigMap(a.object as unknown as ConfigMap) as unknown as StoredObject };
    },
    validate: (obj) => check('ConfigMap', obj, validateConfigMap(obj as unknown as ConfigMap)),
    table: (objs, opts) => metadataTable(objs as unknown as ConfigMapLike[], configMapColumns, opts),
  },
  namespaces: {
    kind: 'Namespace',
    admit: decodeNamespace,
    validate: validateNamespace,
    table: (objs, opts) => metadataTable(objs as unknown as NamespaceLike[], namespaceColumns, opts),
  },
  services: { ...serviceKind, table: (objs, opts) => metadataTable(objs as unknown as Service[], serviceColumns, opts) },
  endpoints: { ...endpointsKind, table: (objs, opts) => metadataTable(objs as unknown as Endpoints[], endpointsColumns, opts) },
  endpointslices: { ...endpointSliceKind, table: (objs, opts) => metadataTable(objs as unknown as EndpointSlice[], endpointSliceColumns, opts) },
  nodes: { kind: 'Node', table: (objs, opts) => metadataTable(objs as unknown as NodeLike[], nodeColumns, opts) },
  leases: { kind: 'Lease', table: (objs, opts) => metadataTable(objs as unknown as LeaseLike[], leaseColumns, opts) },
  events: { kind: 'Event', table: (objs, opts) => metadataTable(objs as unknown as EventLike[], eventColumns, opts) },
};

