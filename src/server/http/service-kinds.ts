// Admission of Services, Endpoints and EndpointSlices: strict decoding against their schemas, v1 defaulting,
// ClusterIP allocation (which needs the store: the set of stored Services is the allocation table, so an address
// is free again as soon as its Service is deleted), and validation, create and update.
import { DecodeError, InvalidError, goQuote } from '../../api/field-errors.js';
import type { FieldError } from '../../api/field-errors.js';
import { defaultEndpointSlice, defaultEndpoints, defaultService } from '../../api/service-defaults.js';
import { endpointSliceSchema, endpointsSchema, serviceSchema } from '../../api/service-schema.js';
import type { EndpointSlice, Endpoints, Service } from '../../api/service-types.js';
import type { ObjectSchema } from '../../api/schema.js';
import { WireTypeError, decodeStrict, isPlainObject } from '../../api/strict-decode.js';
import { validateEndpointSlice, validateEndpoints } from '../../api/validate-endpoints.js';
import { validateService, validateServiceUpdate } from '../../api/validate-service.js';
import { PoddError } from '../../core/errors.js';
import { prepareServiceCreate, prepareServiceUpdate } from '../../core/service/allocate.js';
import type { AllocationContext, Prepared } from '../../core/service/allocate.js';
import type { ServiceRange } from '../../core/service/ip-range.js';
import type { ObjectStore, StoredObject } from '../../store/types.js';
import type { Admitted, FieldValidation } from './kinds.js';

/** What admission reads besides the request: the store (addresses in use) and the service range. */
export interface AdmissionContext {
  store: ObjectStore;
  serviceRange: ServiceRange;
  random: () => number;
}

/** Strict decoding of a kind with its own schema, with decode.ts's messages. */
export function decodeWithSchema(raw: unknown, kind: string, apiVersion: string, schema: ObjectSchema, mode: FieldValidation): Admitted {
  if (!isPlainObject(raw)) throw new DecodeError('expected a Kubernetes object');
  const k = raw['kind'];
  const v = raw['apiVersion'];
  if (typeof k !== 'string' || k === '') throw new DecodeError(`Object 'Kind' is missing in '${JSON.stringify(raw).slice(0, 200)}'`);
  if (k !== kind) {
    throw new DecodeError(`${k} in version ${goQuote(String(v ?? ''))} cannot be handled as a ${kind}: the kind does not match the resource`);
  }
  if (v !== apiVersion) throw new DecodeError(`no kind ${goQuote(kind)} is registered for version ${goQuote(String(v ?? ''))}`);
  const prefix = `${kind} in version ${goQuote(apiVersion.split('/').pop() ?? apiVersion)} cannot be handled as a ${kind}: `;
  let decoded;
  try {
    decoded = decodeStrict(raw, schema);
  } catch (e) {
    if (e instanceof WireTypeError) throw new DecodeError(prefix + e.message);
    throw e;
  }
  const unknown = decoded.unknownFields.map((f) => `unknown field ${goQuote(f)}`);
  if (unknown.length > 0 && mode === 'Strict') throw new DecodeError(prefix + 'strict decoding error: ' + unknown.join(', '));
  return { object: decoded.value as unknown as StoredObject, warnings: mode === 'Warn' ? unknown : [] };
}

function check(kind: string, obj: StoredObject, errs: FieldError[]): void {
  if (errs.length > 0) throw new InvalidError(kind, obj.metadata.name ?? '', errs);
}

/** The ClusterIPs of every stored Service but `except` (namespace/name). */
function takenIPs(store: ObjectStore, except: string | undefined): Set<string> {
  const taken = new Set<string>();
  for (const s of store.list<Service>('services', undefined).items) {
    if (`${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}` === except) continue;
    for (const ip of s.spec.clusterIPs ?? []) if (ip !== 'None' && ip !== '') taken.add(ip);
  }
  return taken;
}

function allocation(ctx: AdmissionContext, svc: Service): AllocationContext {
  return { range: ctx.serviceRange, taken: takenIPs(ctx.store, `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`), random: ctx.random };
}

function outcome(p: Prepared, name: string): Service {
  if (p.ok) return p.service;
  if ('errors' in p) throw new InvalidError('Service', name, p.errors);
  throw new PoddError('Internal', p.internal);
}

export const serviceKind = {
  kind: 'Service',
  admit(raw: unknown, mode: FieldValidation): Admitted {
    const a = decodeWithSchema(raw, 'Service', 'v1', serviceSchema, mode);
    return { ...a, object: defaultService(a.object as unknown as Service) as unknown as StoredObject };
  },
  prepareCreate(obj: StoredObject, ctx: AdmissionContext): StoredObject {
    const svc = obj as unknown as Service;
    return outcome(prepareServiceCreate(svc, allocation(ctx, svc)), svc.metadata.name ?? '') as unknown as StoredObject;
  },
  prepareUpdate(next: StoredObject, old: StoredObject, ctx: AdmissionContext): StoredObject {
    const svc = next as unknown as Service;
    return outcome(prepareServiceUpdate(svc, old as unknown as Service, allocation(ctx, svc)), svc.metadata.name ?? '') as unknown as StoredObject;
  },
  validate(obj: StoredObject): void {
    check('Service', obj, validateService(obj as unknown as Service));
  },
  validateUpdate(next: StoredObject, old: StoredObject): void {
    check('Service', next, validateServiceUpdate(next as unknown as Service, old as unknown as Service));
  },
};

export const endpointsKind = {
  kind: 'Endpoints',
  admit(raw: unknown, mode: FieldValidation): Admitted {
    const a = decodeWithSchema(raw, 'Endpoints', 'v1', endpointsSchema, mode);
    return { ...a, object: defaultEndpoints(a.object as unknown as Endpoints) as unknown as StoredObject };
  },
  validate(obj: StoredObject): void {
    check('Endpoints', obj, validateEndpoints(obj as unknown as Endpoints));
  },
};

export const endpointSliceKind = {
  kind: 'EndpointSlice',
  admit(raw: unknown, mode: FieldValidation): Admitted {
    const a = decodeWithSchema(raw, 'EndpointSlice', 'discovery.k8s.io/v1', endpointSliceSchema, mode);
    const slice = defaultEndpointSlice(a.object as unknown as EndpointSlice);
    // `endpoints` is required (not omitempty) in the Go type: an absent list is an empty one.
    if (slice.endpoints === undefined) slice.endpoints = [];
    return { ...a, object: slice as unknown as StoredObject };
  },
  validate(obj: StoredObject): void {
    check('EndpointSlice', obj, validateEndpointSlice(obj as unknown as EndpointSlice));
  },
};
