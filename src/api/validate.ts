// Create-time validation of Pods, Secrets and ConfigMaps, in the apiserver's order, returning every
// error at once. Objects are expected to be defaulted first (defaults.ts), as the apiserver does:
// fields that defaulting always fills (restartPolicy, imagePullPolicy, ...) are Required here.
import { invalid, required, tooLong } from './field-errors.js';
import type { FieldError } from './field-errors.js';
import { decodeBase64 } from './base64.js';
import { IS_NEGATIVE_ERROR_MSG, isConfigMapKey, isQualifiedName, nameIsDNSLabel, nameIsDNSSubdomain } from './formats.js';
import { validateContainers, validateContainersOnlyForPod, validateInitContainers } from './validate-container.js';
import {
  validateDNSConfig, validateDNSPolicy, validateHostNetworkPorts, validateLabels, validateMisc, validatePodSecurityContext,
  validateRestartPolicy,
} from './validate-pod-spec.js';
import { validateVolumes } from './validate-volume.js';
import type { ConfigMap, ObjectMeta, Pod, Secret } from './types.js';

export { parseQuantity } from './quantity.js';

const MAX_ANNOTATIONS_BYTES = 256 * 1024;
/** core.MaxSecretSize, also the ConfigMap limit. */
export const MAX_DATA_BYTES = 1024 * 1024;

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

/** ValidateObjectMeta for a namespaced object whose names are DNS subdomains. */
export function validateObjectMeta(meta: ObjectMeta | undefined, path = 'metadata'): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  const generateName = m.generateName ?? '';
  if (generateName !== '') {
    errs.push(...nameIsDNSSubdomain(generateName, true).map((msg) => invalid(`${path}.generateName`, generateName, msg)));
  }
  const name = m.name ?? '';
  if (name === '') errs.push(required(`${path}.name`, 'name or generateName is required'));
  else errs.push(...nameIsDNSSubdomain(name, false).map((msg) => invalid(`${path}.name`, name, msg)));
  const namespace = m.namespace ?? '';
  if (namespace === '') errs.push(required(`${path}.namespace`));
  else errs.push(...nameIsDNSLabel(namespace, false).map((msg) => invalid(`${path}.namespace`, namespace, msg)));
  if ((m.generation ?? 0) < 0) errs.push(invalid(`${path}.generation`, m.generation, IS_NEGATIVE_ERROR_MSG));
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  let annotationBytes = 0;
  for (const [k, v] of Object.entries(m.annotations ?? {})) {
    // Annotation keys are qualified names, case-insensitively.
    errs.push(...isQualifiedName(k.toLowerCase()).map((msg) => invalid(`${path}.annotations`, k, msg)));
    annotationBytes += utf8Length(k) + utf8Length(v);
  }
  if (annotationBytes > MAX_ANNOTATIONS_BYTES) errs.push(tooLong(`${path}.annotations`, MAX_ANNOTATIONS_BYTES));
  return errs;
}

/** ValidatePodCreate: every error, with apiserver paths and messages. */
export function validatePod(pod: Pod): FieldError[] {
  const errs = validateObjectMeta(pod.metadata);
  const spec = pod.spec ?? { containers: [] };
  if (spec.terminationGracePeriodSeconds === undefined) errs.push(required('spec.terminationGracePeriodSeconds'));
  const vols = validateVolumes(spec.volumes ?? [], 'spec.volumes');
  errs.push(...vols.errors);
  const ctx = { volumes: vols.volumes, gracePeriod: spec.terminationGracePeriodSeconds };
  const containers = spec.containers ?? [];
  errs.push(...validateContainers(containers, ctx, 'spec.containers'));
  errs.push(...validateInitContainers(spec.initContainers ?? [], containers, ctx, 'spec.initContainers'));
  errs.push(...validateHostNetworkPorts(spec, 'spec'));
  errs.push(...validateRestartPolicy(spec.restartPolicy, 'spec.restartPolicy'));
  errs.push(...validateDNSPolicy(spec.dnsPolicy, 'spec.dnsPolicy'));
  errs.push(...validateLabels(spec.nodeSelector, 'spec.nodeSelector'));
  errs.push(...validatePodSecurityContext(spec, 'spec.securityContext'));
  errs.push(...validateDNSConfig(spec, 'spec.dnsConfig'));
  errs.push(...validateMisc(spec, 'spec'));
  errs.push(...validateContainersOnlyForPod(containers, 'spec.containers'));
  errs.push(...validateContainersOnlyForPod(spec.initContainers ?? [], 'spec.initContainers'));
  return errs;
}

function keyPath(path: string, key: string): string {
  return `${path}[${key}]`;
}

export function validateSecret(secret: Secret): FieldError[] {
  const errs = validateObjectMeta(secret.metadata);
  const data = secret.data ?? {};
  let total = 0;
  const bytes = new Map<string, Uint8Array>();
  for (const [key, value] of Object.entries(data)) {
    errs.push(...isConfigMapKey(key).map((m) => invalid(keyPath('data', key), key, m)));
    const raw = decodeBase64(value) ?? new Uint8Array();
    bytes.set(key, raw);
    total += raw.length;
  }
  if (total > MAX_DATA_BYTES) errs.push(tooLong('data', MAX_DATA_BYTES));
  const need = (...keys: string[]): void => {
    for (const k of keys) if (!bytes.has(k)) errs.push(required(keyPath('data', k)));
  };
  switch (secret.type ?? '') {
    case 'kubernetes.io/service-account-token':
      if ((secret.metadata?.annotations?.['kubernetes.io/service-account.name'] ?? '') === '') {
        errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
    case 'kubernetes.io/dockercfg':
      jsonKey('.dockercfg');
      break;
    case 'kubernetes.io/dockerconfigjson':
      jsonKey('.dockerconfigjson');
      break;
    case 'kubernetes.io/basic-auth':
      if (!bytes.has('username') && !bytes.has('password')) need('username', 'password');
      break;
    case 'kubernetes.io/ssh-auth':
      if ((bytes.get('ssh-privatekey')?.length ?? 0) === 0) errs.push(required(keyPath('data', 'ssh-privatekey')));
      break;
    case 'kubernetes.io/tls':
      need('tls.crt', 'tls.key');
      break;
  }
  return errs;

  function jsonKey(key: string): void {
    const content = bytes.get(key);
    if (content === undefined) {
      need(key);
      return;
    }
    try {
      const parsed: unknown = JSON.parse(new TextDecoder().decode(content));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('json: cannot unmarshal non-object into Go value of type map[string]interface {}');
    } catch (e) {
      errs.push(invalid(keyPath('data', key), '<secret contents redacted>', e instanceof Error ? e.message : String(e)));
    }
  }
}

export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs = validateObjectMeta(cm.metadata);
  const data = cm.data ?? {};
  const binary = cm.binaryData ?? {};
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    errs.push(...isConfigMapKey(key).map((m) => invalid(keyPath('data', key), key, m)));
    if (key in binary) errs.push(invalid(keyPath('data', key), key, 'duplicate of key present in binaryData'));
    total += utf8Length(value);
  }
  for (const [key, value] of Object.entries(binary)) {
    errs.push(...isConfigMapKey(key).map((m) => invalid(keyPath('binaryData', key), key, m)));
    if (key in data) errs.push(invalid(keyPath('binaryData', key), key, 'duplicate of key present in data'));
    total += decodeBase64(value)?.length ?? 0;
  }
  // Upstream reports the size on the empty path, i.e. the whole object.
  if (total > MAX_DATA_BYTES) errs.push(tooLong('', MAX_DATA_BYTES));
  return errs;
}
