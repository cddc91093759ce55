// env and envFrom (ValidateEnv, validateEnvVarValueFrom, ValidateEnvFrom).
import { formatQuantity, parseQuantityExact } from './quantity.js';
import { invalid, notSupported, required } from './field-errors.js';
import type { FieldError } from './field-errors.js';
import { isConfigMapKey, isQualifiedName, isRelaxedEnvVarName, nameIsDNSSubdomain } from './formats.js';
import type { EnvFromSource, EnvVar, KeySelector, ObjectFieldSelector, ResourceFieldSelector } from './types.js';

const ENV_FIELD_PATHS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];
// Labels ConvertDownwardAPIFieldLabel knows for v1 pods.
const CONVERTIBLE_FIELD_PATHS = new Set([
  'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName',
  'spec.restartPolicy', 'spec.serviceAccountName', 'spec.schedulerName', 'status.phase', 'status.hostIP',
  'status.hostIPs', 'status.podIP', 'status.podIPs',
]);
const RESOURCE_FIELD_PATHS = [
  'limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory',
];
const HUGEPAGES_PREFIXES = ['limits.hugepages-', 'requests.hugepages-'];
const BYTE_DIVISORS = new Set(['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei']);
const BYTE_DIVISOR_TEXT = 'only divisor\'s values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the';

/** fieldpath.SplitMaybeSubscriptedPath: "metadata.labels['app']" -> ["metadata.labels", "app"]. */
export function splitSubscriptedPath(fieldPath: string): [string, string] | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const inner = fieldPath.slice(0, -2);
  const at = inner.indexOf("['");
  if (at <= 0) return undefined;
  return [inner.slice(0, at), inner.slice(at + 2)];
}

export function validateEnv(vars: readonly EnvVar[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  vars.forEach((ev, i) => {
    const p = `${path}[${i}]`;
    const name = ev.name ?? '';
    if (name === '') errs.push(required(`${p}.name`));
    else errs.push(...isRelaxedEnvVarName(name).map((m) => invalid(`${p}.name`, name, m)));
    errs.push(...validateValueFrom(ev, `${p}.valueFrom`));
  });
  return errs;
}

function validateValueFrom(ev: EnvVar, path: string): FieldError[] {
  const from = ev.valueFrom;
  if (from === undefined) return [];
  const errs: FieldError[] = [];
  let sources = 0;
  if (from.fieldRef !== undefined) { sources++; errs.push(...validateFieldRef(from.fieldRef, `${path}.fieldRef`)); }
  if (from.resourceFieldRef !== undefined) { sources++; errs.push(...validateResourceFieldRef(from.resourceFieldRef, `${path}.resourceFieldRef`)); }
  if (from.configMapKeyRef !== undefined) { sources++; errs.push(...validateKeySelector(from.configMapKeyRef, `${path}.configMapKeyRef`)); }
  if (from.secretKeyRef !== undefined) { sources++; errs.push(...validateKeySelector(from.secretKeyRef, `${path}.secretKeyRef`)); }
  if (sources === 0) {
    errs.push(invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  } else if ((ev.value ?? '') !== '') {
    errs.push(invalid(path, '', 'may not be specified when `value` is not empty'));
  } else if (sources > 1) {
    errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  }
  return errs;
}

function validateFieldRef(fs: ObjectFieldSelector, path: string): FieldError[] {
  const apiVersion = fs.apiVersion ?? '';
  const fieldPath = fs.fieldPath ?? '';
  if (apiVersion === '') return [required(`${path}.apiVersion`)];
  if (fieldPath === '') return [required(`${path}.fieldPath`)];
  const sub = splitSubscriptedPath(fieldPath);
  let conversionError: string | undefined;
  if (apiVersion !== 'v1') conversionError = `unsupported pod version: ${apiVersion}`;
  else if (sub !== undefined && sub[0] !== 'metadata.annotations' && sub[0] !== 'metadata.labels') {
    conversionError = `field label does not support subscript: ${fieldPath}`;
  } else if (sub === undefined && !CONVERTIBLE_FIELD_PATHS.has(fieldPath) && fieldPath !== 'spec.host') {
    conversionError = `field label not supported: ${fieldPath}`;
  }
  if (conversionError !== undefined) return [invalid(`${path}.fieldPath`, fieldPath, `error converting fieldPath: ${conversionError}`)];
  if (sub !== undefined) {
    const key = sub[0] === 'metadata.annotations' ? sub[1].toLowerCase() : sub[1];
    return isQualifiedName(key).map((m) => invalid(path, key, m));
  }
  const internal = fieldPath === 'spec.host' ? 'spec.nodeName' : fieldPath;
  return ENV_FIELD_PATHS.includes(internal) ? [] : [notSupported(`${path}.fieldPath`, internal, ENV_FIELD_PATHS)];
}

function validateResourceFieldRef(fs: ResourceFieldSelector, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const resource = fs.resource ?? '';
  if (resource === '') errs.push(required(`${path}.resource`));
  else if (!RESOURCE_FIELD_PATHS.includes(resource) && !HUGEPAGES_PREFIXES.some((p) => resource.startsWith(p))) {
    errs.push(notSupported(`${path}.resource`, resource, RESOURCE_FIELD_PATHS));
  }
  if (fs.divisor === undefined) return errs;
  const parsed = parseQuantityExact(fs.divisor);
  if (!parsed.ok || parsed.value.nanos === 0n) return errs;
  const divisor = formatQuantity(parsed.value);
  const at = `${path}.divisor`;
  if ((resource === 'limits.cpu' || resource === 'requests.cpu') && divisor !== '1m' && divisor !== '1') {
    errs.push(invalid(at, resource, "only divisor's values 1m and 1 are supported with the cpu resource"));
  } else if ((resource === 'limits.memory' || resource === 'requests.memory') && !BYTE_DIVISORS.has(divisor)) {
    errs.push(invalid(at, resource, `${BYTE_DIVISOR_TEXT} memory resource`));
  } else if ((resource === 'limits.ephemeral-storage' || resource === 'requests.ephemeral-storage') && !BYTE_DIVISORS.has(divisor)) {
    errs.push(invalid(at, resource, `${BYTE_DIVISOR_TEXT} local ephemeral storage resource`));
  }
  if (HUGEPAGES_PREFIXES.some((p) => resource.startsWith(p)) && !BYTE_DIVISORS.has(divisor)) {
    errs.push(invalid(at, resource, `${BYTE_DIVISOR_TEXT} hugepages resource`));
  }
  return errs;
}

function validateKeySelector(s: KeySelector, path: string): FieldError[] {
  const name = s.name ?? '';
  const errs = nameIsDNSSubdomain(name, false).map((m) => invalid(`${path}.name`, name, m));
  const key = s.key ?? '';
  if (key === '') errs.push(required(`${path}.key`));
  else errs.push(...isConfigMapKey(key).map((m) => invalid(`${path}.key`, key, m)));
  return errs;
}

export function validateEnvFrom(sources: readonly EnvFromSource[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  sources.forEach((ev, i) => {
    const p = `${path}[${i}]`;
    const prefix = ev.prefix ?? '';
    if (prefix !== '') errs.push(...isRelaxedEnvVarName(prefix).map((m) => invalid(`${p}.prefix`, prefix, m)));
    let count = 0;
    for (const [field, ref] of [['configMapRef', ev.configMapRef], ['secretRef', ev.secretRef]] as const) {
      if (ref === undefined) continue;
      count++;
      const name = ref.name ?? '';
      if (name === '') errs.push(required(`${p}.${field}.name`));
      else errs.push(...nameIsDNSSubdomain(name, true).map((m) => invalid(`${p}.${field}.name`, name, m)));
    }
    // The apiserver reports these two on the list, not the item.
    if (count === 0) errs.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (count > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}
