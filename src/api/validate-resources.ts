// Container resource requirements (ValidateResourceRequirements and the resource-name helpers).
import { forbidden, invalid, required, Unquoted } from './field-errors.js';
import type { FieldError } from './field-errors.js';
import { IS_NEGATIVE_ERROR_MSG, isQualifiedName } from './formats.js';
import { compareQuantities, formatQuantity, parseQuantityExact } from './quantity.js';
import type { ParsedQuantity } from './quantity.js';
import type { ResourceRequirements, ResourceList } from './types.js';

// helper.IsStandardResourceName: compute resources plus the quota-only names.
const STANDARD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods', 'services', 'replicationcontrollers',
  'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims', 'requests.storage', 'storage',
  'services.nodeports', 'services.loadbalancers',
]);
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const INTEGER_RESOURCES = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers',
]);

const isHugePages = (name: string): boolean => name.startsWith('hugepages-');
const isNative = (name: string): boolean => !name.includes('/') || name.includes('kubernetes.io/');

function isExtended(name: string): boolean {
  if (isNative(name) || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

/** helper.IsOvercommitAllowed: requests may be below limits only for native, non-hugepage resources. */
export function isOvercommitAllowed(name: string): boolean {
  return isNative(name) && !isHugePages(name);
}

function validateResourceName(name: string, path: string): FieldError[] {
  const value = new Unquoted(name);
  const errs = isQualifiedName(name).map((m) => invalid(path, value, m));
  const unqualified = !name.includes('/');
  // Only the first check stops at a malformed name; the container check runs regardless, as upstream.
  if (errs.length === 0 && unqualified && !STANDARD_RESOURCES.has(name) && !isHugePages(name) && !name.startsWith('requests.hugepages-')) {
    errs.push(invalid(path, value, 'must be a standard resource type or fully qualified'));
  }
  if (unqualified) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) {
      errs.push(invalid(path, value, 'must be a standard resource for containers'));
    }
  } else if (!isNative(name) && !isExtended(name)) {
    errs.push(invalid(path, value, "doesn't follow extended resource name standard"));
  }
  return errs;
}

function validateQuantityValue(name: string, q: ParsedQuantity, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (q.nanos < 0n) errs.push(invalid(path, formatQuantity(q), IS_NEGATIVE_ERROR_MSG));
  if ((INTEGER_RESOURCES.has(name) || isExtended(name)) && q.nanos % 1_000_000_000n !== 0n) {
    errs.push(invalid(path, new Unquoted(formatQuantity(q)), 'must be an integer'));
  }
  return errs;
}

type Parsed = Map<string, ParsedQuantity>;

function checkList(list: ResourceList | undefined, path: string, errs: FieldError[]): Parsed {
  const parsed: Parsed = new Map();
  for (const [name, raw] of Object.entries(list ?? {})) {
    const at = `${path}[${name}]`;
    errs.push(...validateResourceName(name, at));
    const q = parseQuantityExact(raw);
    if (!q.ok) {
      // Decoding rejects these first; reached only for objects built in code.
      errs.push(invalid(at, String(raw), q.error));
      continue;
    }
    errs.push(...validateQuantityValue(name, q.value, at));
    parsed.set(name, q.value);
  }
  return parsed;
}

export function validateResourceRequirements(r: ResourceRequirements | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const limPath = `${path}.limits`;
  const reqPath = `${path}.requests`;
  let limCpuOrMemory = false;
  let reqCpuOrMemory = false;
  let hugePages = false;
  const limits = checkList(r?.limits, limPath, errs);
  for (const name of limits.keys()) {
    if (isHugePages(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') limCpuOrMemory = true;
  }
  const requestErrs: FieldError[] = [];
  const requests = checkList(r?.requests, reqPath, requestErrs);
  // Request checks interleave with the per-request name/value errors in the apiserver; keep its order.
  for (const [name] of Object.entries(r?.requests ?? {})) {
    const at = `${reqPath}[${name}]`;
    errs.push(...requestErrs.filter((e) => e.field === at));
    const q = requests.get(name);
    if (q === undefined) continue;
    const limit = limits.get(name);
    if (limit !== undefined) {
      const cmp = compareQuantities(q, limit);
      if (cmp !== 0 && !isOvercommitAllowed(name)) {
        errs.push(invalid(reqPath, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(limit)}`));
      } else if (cmp > 0) {
        errs.push(invalid(reqPath, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePages(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') reqCpuOrMemory = true;
  }
  if (!limCpuOrMemory && !reqCpuOrMemory && hugePages) errs.push(forbidden(path, 'HugePages require cpu or memory'));
  return errs;
}
