// The apiserver's Service REST hooks before validation (pkg/registry/core/service/storage: beginCreate and
// beginUpdate): keep clusterIP and clusterIPs in step, fill ipFamilyPolicy and ipFamilies, and allocate a
// ClusterIP from the service range. Pure: the addresses in use and the random source are arguments; the store
// makes the outcome persistent by storing the Service (the set of stored Services is the allocation table).
import { invalid } from '../../api/field-errors.js';
import type { FieldError } from '../../api/field-errors.js';
import type { Service } from '../../api/service-types.js';
import { isHeadlessService, validateClusterIPsRelatedFields } from '../../api/validate-service.js';
import { ALREADY_ALLOCATED_MESSAGE, RANGE_FULL_MESSAGE, allocateNext, inRange, ipv4ToInt, notInRangeMessage } from './ip-range.js';
import type { ServiceRange } from './ip-range.js';

export interface AllocationContext {
  range: ServiceRange;
  /** ClusterIPs of every other stored Service. */
  taken: ReadonlySet<string>;
  random: () => number;
}

export type Prepared =
  | { ok: true; service: Service }
  /** 422 Invalid. */
  | { ok: false; errors: FieldError[] }
  /** 500: the range is full. */
  | { ok: false; internal: string };

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** NormalizeClusterIPs: an old client sets only clusterIP; a new one both. */
export function normalizeClusterIPs(next: Service, old: Service | undefined): void {
  const spec = next.spec;
  const ip = spec.clusterIP ?? '';
  const ips = spec.clusterIPs ?? [];
  if (ip !== '' && ips.length === 0) {
    spec.clusterIPs = [ip];
    return;
  }
  if (old === undefined || (ip === '' && ips.length === 0)) return;
  if (ip === '' && sameList(old.spec.clusterIPs, ips)) {
    delete spec.clusterIPs;
    return;
  }
  if (ip !== (old.spec.clusterIP ?? '') && sameList(old.spec.clusterIPs, ips)) spec.clusterIPs = [ip, ...ips.slice(1)];
}

/** initIPFamilyFields on a single-stack IPv4 cluster. */
function initIPFamilies(svc: Service, old: Service | undefined): FieldError[] {
  const spec = svc.spec;
  if (spec.type === 'ExternalName') return [];
  if (spec.ipFamilyPolicy === undefined) {
    if (old?.spec.ipFamilyPolicy !== undefined) spec.ipFamilyPolicy = old.spec.ipFamilyPolicy;
    // Headless without a selector asks for every family the cluster has.
    else if (spec.clusterIP === 'None' && Object.keys(spec.selector ?? {}).length === 0) spec.ipFamilyPolicy = 'RequireDualStack';
    else spec.ipFamilyPolicy = 'SingleStack';
  }
  const pre = validateClusterIPsRelatedFields(svc);
  if (pre.length > 0) return pre;
  const errs: FieldError[] = [];
  const ips = spec.clusterIPs ?? [];
  if (spec.ipFamilyPolicy === 'SingleStack') {
    if (ips.length === 2) errs.push(invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
    if ((spec.ipFamilies ?? []).length === 2) errs.push(invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
  }
  const families = [...(spec.ipFamilies ?? [])];
  for (let i = 0; i < ips.length; i++) {
    const ip = ips[i] ?? '';
    if (ip === 'None') break;
    if (i >= families.length) {
      if (ip.includes(':')) errs.push(invalid(`spec.clusterIPs[${i}]`, ips, 'IPv6 is not configured on this cluster'));
      else families.push('IPv4');
    }
  }
  if (errs.length > 0) return errs;
  if (spec.clusterIP === 'None' && Object.keys(spec.selector ?? {}).length === 0) {
    // The one case where a single-stack cluster keeps two families: headless and selectorless.
    if (families.length === 0) families.push('IPv4');
    if (families.length < 2 && spec.ipFamilyPolicy !== 'SingleStack') families.push(families[0] === 'IPv4' ? 'IPv6' : 'IPv4');
    spec.ipFamilies = families;
    return [];
  }
  if (spec.ipFamilyPolicy === 'RequireDualStack') {
    errs.push(invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, 'this cluster is not configured for dual-stack services'));
  }
  families.forEach((f, i) => {
    if (f !== 'IPv4') errs.push(invalid(`spec.ipFamilies[${i}]`, f, 'not configured on this cluster'));
  });
  if (errs.length > 0) return errs;
  spec.ipFamilies = families.length === 0 ? ['IPv4'] : families;
  return [];
}

/** Allocates the ClusterIP the Service asked for, or the next free one. */
function allocate(svc: Service, ctx: AllocationContext): Prepared {
  const spec = svc.spec;
  if (spec.type === 'ExternalName' || isHeadlessService(svc)) return { ok: true, service: svc };
  const wanted = spec.clusterIPs?.[0] ?? '';
  if (wanted === '') {
    const ip = allocateNext(ctx.range, ctx.taken, ctx.random);
    if (ip === undefined) return { ok: false, internal: `failed to allocate a serviceIP: ${RANGE_FULL_MESSAGE}` };
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
    return { ok: true, service: svc };
  }
  const fail = (why: string): Prepared => ({
    ok: false, errors: [invalid('spec.clusterIPs', spec.clusterIPs, `failed to allocate IP ${wanted}: ${why}`)],
  });
  if (!inRange(ctx.range, wanted)) return fail(notInRangeMessage(wanted, ctx.range));
  // The same address may be written differently (leading zeros are rejected earlier, so text compare is exact).
  if (ipv4ToInt(wanted) !== undefined && ctx.taken.has(wanted)) return fail(ALREADY_ALLOCATED_MESSAGE);
  spec.clusterIP = wanted;
  return { ok: true, service: svc };
}

/** beginCreate: normalize, init families, allocate. Mutates and returns `svc` (already a private copy). */
export function prepareServiceCreate(svc: Service, ctx: AllocationContext): Prepared {
  normalizeClusterIPs(svc, undefined);
  const errs = initIPFamilies(svc, undefined);
  if (errs.length > 0) return { ok: false, errors: errs };
  svc.status = { loadBalancer: {} };
  return allocate(svc, ctx);
}

/**
 * beginUpdate: values the client left out (a PUT or apply without clusterIP) are kept from the stored Service;
 * a type change from ExternalName allocates, one to ExternalName releases (by no longer holding the address).
 * A changed address is left for validation to refuse ("may not change once set").
 */
export function prepareServiceUpdate(next: Service, old: Service, ctx: AllocationContext): Prepared {
  const needsIP = (s: Service): boolean => s.spec.type !== 'ExternalName';
  if (needsIP(old) && needsIP(next)) {
    if ((next.spec.clusterIP ?? '') === '' && old.spec.clusterIP !== undefined) next.spec.clusterIP = old.spec.clusterIP;
    if ((next.spec.clusterIPs ?? []).length === 0 && old.spec.clusterIPs !== undefined) next.spec.clusterIPs = [...old.spec.clusterIPs];
  }
  if (needsIP(old) && !needsIP(next)) {
    // What the apiserver's strategy does for a change to ExternalName: the address fields go.
    delete next.spec.clusterIP;
    delete next.spec.clusterIPs;
    delete next.spec.ipFamilies;
    delete next.spec.ipFamilyPolicy;
    delete next.spec.internalTrafficPolicy;
  }
  normalizeClusterIPs(next, old);
  const errs = initIPFamilies(next, old);
  if (errs.length > 0) return { ok: false, errors: errs };
  if (old.spec.type === 'ExternalName' && needsIP(next)) return allocate(next, ctx);
  return { ok: true, service: next };
}
