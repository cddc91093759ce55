// core/v1 verbs over the object store: get, list, create, update (PUT), patch and delete, for the main resource
// and pods/status. Errors are thrown (PoddError, InvalidError, DecodeError, HttpError) and mapped by the caller.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pod } from '../../api/types.js';
import { InvalidError, required } from '../../api/field-errors.js';
import { PoddError } from '../../core/errors.js';
import type { ObjectStore, StoredObject } from '../../store/types.js';
import { negotiateObject, ACCEPTED_MEDIA_TYPES } from '../wire/accept.js';
import type { ObjectRendering } from '../wire/accept.js';
import {
  applyConflictStatus, badRequestStatus, deleteSuccessStatus, forbiddenStatus, methodNotSupportedStatus, notAcceptableStatus, unsupportedMediaTypeStatus,
} from '../wire/status.js';
import { apiVersionOf } from './discovery.js';
import type { ResourceInfo } from './discovery.js';
import { KINDS } from './kinds.js';
import type { KindHandler } from './kinds.js';
import type { AdmissionContext } from './service-kinds.js';
import type { ServiceRange } from '../../core/service/ip-range.js';
import { clearSystemMeta, fieldValidation, isRecord, list, parseJsonBody, renderTable, withKind } from './objects.js';
import type { ListMore, Obj } from './objects.js';
import { listPage } from './list-page.js';
import { mediaType, readObjectBody } from './body.js';
import { currentOwners, recordUpdate, setManagedFields, updateManager } from './managed-fields.js';
import type { ManagedFieldsEntry } from './managed-fields.js';
import { APPLY_PATCH, PATCH_TYPES, applyPatch, parsePatchBody } from './patch-body.js';
import { ApplyConflictError, planApply } from './server-side-apply.js';
import type { ApplyPlan } from './server-side-apply.js';
import { checkPodUpdate } from './pod-update.js';
import { HttpError, readBody, sendJson } from './respond.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';

export interface Target {
  info: ResourceInfo;
  /** '' for cluster-scoped; undefined for a namespaced list across all namespaces. */
  namespace: string | undefined;
  name?: string;
  subresource?: string;
}

export interface HandlerDeps {
  store: ObjectStore;
  now: () => number;
  nodeName: string;
  maxBodyBytes: number;
  /** Where ClusterIPs come from. */
  serviceRange: ServiceRange;
  /** Picks where dynamic ClusterIP allocation starts; injectable for tests. */
  random: () => number;
}

function admission(deps: HandlerDeps): AdmissionContext {
  return { store: deps.store, serviceRange: deps.serviceRange, random: deps.random };
}

export const PROTECTED_NAMESPACES = ['default', 'kube-system'];

export function rendering(req: IncomingMessage): ObjectRendering {
  const r = negotiateObject(req.headers.accept);
  if (r === undefined) throw new HttpError(406, notAcceptableStatus(ACCEPTED_MEDIA_TYPES));
  return r;
}

export function listOptions(info: ResourceInfo, query: URLSearchParams): { labelSelector?: (l: Readonly<Record<string, string>>) => boolean; fieldSelector?: (o: StoredObject) => boolean } {
  const opts: { labelSelector?: (l: Readonly<Record<string, string>>) => boolean; fieldSelector?: (o: StoredObject) => boolean } = {};
  const labels = parseLabelSelector(query.get('labelSelector'));
  const fields = parseFieldSelector(info.name, query.get('fieldSelector'));
  if (labels) opts.labelSelector = labels;
  if (fields) opts.fieldSelector = fields;
  return opts;
}

function writable(t: Target, verb: string): KindHandler & Required<Pick<KindHandler, 'admit' | 'validate'>> {
  const k = KINDS[t.info.name];
  if (k?.admit === undefined || k.validate === undefined) throw new HttpError(405, methodNotSupportedStatus({ resource: t.info.name }, verb));
  return k as KindHandler & Required<Pick<KindHandler, 'admit' | 'validate'>>;
}

function sendObject(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, t: Target, code: number, obj: StoredObject, query: URLSearchParams, warnings: string[] = []): void {
  const r = rendering(req);
  const extra: Record<string, string> = {};
  if (warnings.length > 0) extra['Warning'] = warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ');
  if (r.table) sendJson(res, code, renderTable(t.info, [obj], r, query, deps.now(), obj.metadata.resourceVersion ?? ''), r.contentType, extra);
  else sendJson(res, code, withKind(obj, t.info.kind, apiVersionOf(t.info)), 'application/json', extra);
}

export function handleGet(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, t: Target, query: URLSearchParams): void {
  const obj = deps.store.get(t.info.name, t.namespace ?? '', t.name ?? '');
  sendObject(deps, req, res, t, 200, obj, query);
}

export function handleList(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, t: Target, query: URLSearchParams): void {
  const r = rendering(req);
  const { result, continueToken } = listPage(deps, t, query, listOptions(t.info, query));
  const more: ListMore = { continue: continueToken };
  if (result.remainingItemCount !== undefined) more.remainingItemCount = result.remainingItemCount;
  if (r.table) sendJson(res, 200, renderTable(t.info, result.items, r, query, deps.now(), result.resourceVersion, false, more), r.contentType);
  else sendJson(res, 200, list(t.info, result.items, result.resourceVersion, more));
}

/** Decodes, defaults and validates a body for `t`, forcing the URL's namespace (and name, when given). */
function admit(deps: HandlerDeps, t: Target, raw: unknown, query: URLSearchParams, verb: string): { object: Obj; warnings: string[]; managedFields: unknown } {
  const k = writable(t, verb);
  if (!isRecord(raw)) throw new HttpError(400, badRequestStatus('the body of the request was empty or not a JSON object'));
  const meta = isRecord(raw['metadata']) ? { ...raw['metadata'] } : {};
  // The field manager's, not the decoder's: the caller decides what the result's managedFields are.
  const managedFields = meta['managedFields'];
  delete meta['managedFields'];
  if (t.info.namespaced) {
    const ns = meta['namespace'];
    if (ns !== undefined && ns !== '' && ns !== t.namespace) {
      throw new HttpError(400, badRequestStatus('the namespace of the provided object does not match the namespace sent on the request'));
    }
    meta['namespace'] = t.namespace;
  }
  if (t.name !== undefined && meta['name'] !== undefined && meta['name'] !== t.name) {
    throw new HttpError(400, badRequestStatus(`the name of the object (${String(meta['name'])}) does not match the name on the URL (${t.name})`));
  }
  if (t.name !== undefined) meta['name'] = t.name;
  const admitted = k.admit({ ...raw, metadata: meta }, fieldValidation(query));
  return { object: admitted.object as Obj, warnings: admitted.warnings, managedFields };
}

/** The managedFields of a write's result; `current` is undefined on create, `sent` what the body carried. */
type Tracker = (current: Obj | undefined, next: Obj, sent: unknown) => ManagedFieldsEntry[];

/** Create, PUT and non-apply patches: the writer takes over the fields it changed. */
function updateTracker(deps: HandlerDeps, req: IncomingMessage, query: URLSearchParams): Tracker {
  const manager = updateManager(query, req.headers['user-agent']);
  return (current, next, sent) => recordUpdate(current === undefined ? [] : currentOwners(current, sent), manager, current, next, deps.now());
}

function createObject(deps: HandlerDeps, t: Target, raw: unknown, query: URLSearchParams, track: Tracker): { object: StoredObject; warnings: string[] } {
  const { object, warnings } = admit(deps, t, raw, query, 'create');
  clearSystemMeta(object);
  if (t.info.name === 'pods') {
    const pod = object as unknown as Pod;
    if (!pod.spec.nodeName) pod.spec.nodeName = deps.nodeName;
    pod.status = { phase: 'Pending' };
  }
  const k = KINDS[t.info.name];
  // Allocation first, as the apiserver's beginCreate hook runs before validation.
  const prepared = (k?.prepareCreate?.(object, admission(deps)) ?? object) as Obj;
  k?.validate?.(prepared);
  if (t.info.namespaced && deps.store.tryGet('namespaces', '', t.namespace ?? '') === undefined) {
    throw new PoddError('NotFound', `namespaces "${t.namespace ?? ''}" not found`);
  }
  setManagedFields(prepared, track(undefined, prepared, undefined));
  return { object: deps.store.create(t.info.name, prepared), warnings };
}

export async function handleCreate(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, t: Target, query: URLSearchParams): Promise<void> {
  const raw = await readObjectBody(req, deps.maxBodyBytes);
  const { object, warnings } = createObject(deps, t, raw, query, updateTracker(deps, req, query));
  sendObject(deps, req, res, t, 201, object, query, warnings);
}

/** The stored next state of `current` given a full desired object `desired` (already admitted). */
function nextState(t: Target, current: Obj, desired: Obj): Obj {
  if (t.subresource === 'status') {
    return { ...current, status: desired['status'] } as Obj;
  }
  const next: Obj = { ...desired, metadata: { ...desired.metadata } };
  const m = next.metadata;
  for (const key of ['deletionTimestamp', 'deletionGracePeriodSeconds'] as const) {
    const v = current.metadata[key];
    if (v === undefined) delete m[key];
    else (m as Record<string, unknown>)[key] = v;
  }
  if (t.info.name === 'pods') {
    const pod = next as unknown as Pod;
    const old = current as unknown as Pod;
    if (!pod.spec.nodeName && old.spec.nodeName) pod.spec.nodeName = old.spec.nodeName;
    checkPodUpdate(old, pod);
  }
  if ('status' in current) next['status'] = current['status'];
  else delete next['status'];
  return next;
}

function update(deps: HandlerDeps, t: Target, desiredOf: (current: Obj) => unknown, query: URLSearchParams, verb: string,
  track: Tracker): { object: StoredObject; warnings: string[] } {
  let warnings: string[] = [];
  const k = writable(t, verb);
  let expectedResourceVersion: string | undefined;
  const object = deps.store.update<Obj>(t.info.name, t.namespace ?? '', t.name ?? '', (current) => {
    const raw = desiredOf(current);
    if (isRecord(raw) && isRecord(raw['metadata']) && typeof raw['metadata']['resourceVersion'] === 'string') {
      expectedResourceVersion = raw['metadata']['resourceVersion'];
      if (expectedResourceVersion !== '' && expectedResourceVersion !== current.metadata.resourceVersion) {
        throw new PoddError('Conflict', `Operation cannot be fulfilled on ${t.info.name} "${t.name ?? ''}": the object has been modified; please apply your changes to the latest version and try again`);
      }
    }
    let desired: Obj;
    let sent: unknown;
    if (t.subresource === 'status') {
      desired = { ...current, status: isRecord(raw) ? raw['status'] : undefined } as Obj;
    } else {
      const a = admit(deps, t, raw, query, verb);
      desired = a.object;
      warnings = a.warnings;
      sent = a.managedFields;
    }
    let next = nextState(t, current, desired);
    if (t.subresource === undefined && k.prepareUpdate !== undefined) next = k.prepareUpdate(next, current, admission(deps)) as Obj;
    if (k.validateUpdate !== undefined) k.validateUpdate(next, current);
    else k.validate(next);
    // Status writes keep the managedFields they carry over: who reports status is not tracked.
    if (t.subresource === undefined) setManagedFields(next, track(current, next, sent));
    return next;
  });
  return { object, warnings };
}

export async function handleReplace(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, t: Target, query: URLSearchParams): Promise<void> {
  const raw = await readObjectBody(req, deps.maxBodyBytes);
  const { object, warnings } = update(deps, t, () => raw, query, 'update', updateTracker(deps, req, query));
  sendObject(deps, req, res, t, 200, object, query, warnings);
}

/** A resourceVersion the patched object still shares with the current one is no precondition; another one is. */
function dropCurrentResourceVersion(patched: unknown, current: Obj): unknown {
  if (isRecord(patched) && isRecord(patched['metadata']) && patched['metadata']['resourceVersion'] === current.metadata.resourceVersion) {
    delete patched['metadata']['resourceVersion'];
  }
  return patched;
}

export async function handlePatch(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, t: Target, query: URLSearchParams): Promise<void> {
  const type = mediaType(req);
  if (!PATCH_TYPES.includes(type)) throw new HttpError(415, unsupportedMediaTypeStatus(PATCH_TYPES));
  const patch = parsePatchBody(await readBody(req, deps.maxBodyBytes), type);
  if (type === APPLY_PATCH && t.subresource === undefined) return handleApply(deps, req, res, t, query, patch);
  const { object, warnings } = update(deps, t, (current) => {
    const base: Record<string, unknown> = { ...withKind(current, t.info.kind, apiVersionOf(t.info)) };
    if (t.subresource === undefined) delete base['status'];
    return dropCurrentResourceVersion(applyPatch(type, base, patch), current);
  }, query, 'patch', updateTracker(deps, req, query));
  sendObject(deps, req, res, t, 200, object, query, warnings);
}

/** Server-side apply: creates the object when it is missing (kubectl sends no GET first). */
async function handleApply(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, t: Target, query: URLSearchParams, config: unknown): Promise<void> {
  if (!isRecord(config)) throw new HttpError(400, badRequestStatus('the patch is not a JSON object'));
  const manager = query.get('fieldManager') ?? '';
  if (manager === '') throw new InvalidError('PatchOptions.meta.k8s.io', '', [required('fieldManager', 'is required for apply patch')]);
  const force = query.get('force') === 'true';
  try {
    if (deps.store.tryGet(t.info.name, t.namespace ?? '', t.name ?? '') === undefined) {
      const plan = planApply(undefined, config, [], manager, force);
      const { object, warnings } = createObject(deps, t, plan.merged, query, (_current, next) => plan.finish(next, deps.now()));
      sendObject(deps, req, res, t, 201, object, query, warnings);
      return;
    }
    let plan: ApplyPlan | undefined;
    const { object, warnings } = update(deps, t, (current) => {
      plan = planApply(withKind(current, t.info.kind, apiVersionOf(t.info)), config, currentOwners(current, undefined), manager, force);
      return dropCurrentResourceVersion(plan.merged, current);
    }, query, 'patch', (_current, next) => plan?.finish(next, deps.now()) ?? []);
    sendObject(deps, req, res, t, 200, object, query, warnings);
  } catch (err) {
    if (err instanceof ApplyConflictError) throw new HttpError(409, applyConflictStatus(err.conflicts, err.message));
    throw err;
  }
}

function deleteOptions(body: unknown, query: URLSearchParams): { gracePeriodSeconds?: number; uid?: string; resourceVersion?: string } {
  const out: { gracePeriodSeconds?: number; uid?: string; resourceVersion?: string } = {};
  const q = query.get('gracePeriodSeconds');
  if (q !== null && q !== '') out.gracePeriodSeconds = Number(q);
  if (isRecord(body)) {
    const dryRun = body['dryRun'];
    if (Array.isArray(dryRun) && dryRun.length > 0) throw new HttpError(400, badRequestStatus('dryRun is not supported by podd'));
    if (typeof body['gracePeriodSeconds'] === 'number') out.gracePeriodSeconds = body['gracePeriodSeconds'];
    const pre = body['preconditions'];
    if (isRecord(pre)) {
      if (typeof pre['uid'] === 'string') out.uid = pre['uid'];
      if (typeof pre['resourceVersion'] === 'string') out.resourceVersion = pre['resourceVersion'];
    }
  }
  if (out.gracePeriodSeconds !== undefined && (!Number.isInteger(out.gracePeriodSeconds) || out.gracePeriodSeconds < 0)) {
    throw new HttpError(400, badRequestStatus('gracePeriodSeconds must be a non-negative integer'));
  }
  return out;
}

export async function handleDelete(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, t: Target, query: URLSearchParams): Promise<void> {
  const opts = deleteOptions(parseJsonBody(await readBody(req, deps.maxBodyBytes)), query);
  writable(t, 'delete');
  const ns = t.namespace ?? '';
  const name = t.name ?? '';
  const pre: { expectedUid?: string; expectedResourceVersion?: string } = {};
  if (opts.uid !== undefined) pre.expectedUid = opts.uid;
  if (opts.resourceVersion !== undefined) pre.expectedResourceVersion = opts.resourceVersion;
  if (t.info.name === 'namespaces' && PROTECTED_NAMESPACES.includes(name)) {
    throw new HttpError(403, forbiddenStatus({ resource: 'namespaces', name }, 'this namespace may not be deleted'));
  }
  if (t.info.name !== 'pods') {
    const gone = deps.store.delete(t.info.name, ns, name, pre);
    if (t.info.name === 'namespaces') sendObject(deps, req, res, t, 200, gone, query);
    else sendJson(res, 200, deleteSuccessStatus({ resource: t.info.name, name, uid: gone.metadata.uid ?? '' }));
    return;
  }
  const pod = deps.store.get<Pod>('pods', ns, name);
  const grace = opts.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  const phase = pod.status?.phase;
  if (grace === 0 || phase === 'Succeeded' || phase === 'Failed' || !pod.spec.nodeName) {
    sendObject(deps, req, res, t, 200, deps.store.delete('pods', ns, name, pre), query);
    return;
  }
  const updated = deps.store.update<Pod>('pods', ns, name, (cur) => {
    const m = cur.metadata;
    if (m.deletionTimestamp !== undefined && (m.deletionGracePeriodSeconds ?? 0) <= grace) return undefined;
    if (m.deletionTimestamp === undefined) m.deletionTimestamp = new Date(deps.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    m.deletionGracePeriodSeconds = grace;
    return cur;
  }, pre);
  sendObject(deps, req, res, t, 200, updated, query);
}
