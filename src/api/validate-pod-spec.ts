// Pod-level parts of ValidatePodSpec that are not about one container or volume.
import { duplicate, invalid, notSupported, required } from './field-errors.js';
import type { FieldError } from './field-errors.js';
import {
  INVALID_IP_MSG, inclusiveRangeError, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidGroupID,
  isValidIP, isValidLabelValue, isValidUserID,
} from './formats.js';
import { validateSeccompProfile } from './validate-paths.js';
import type { PodSpec } from './types.js';

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const MAX_INT32 = 2147483647;

/** ValidateLabels (also used for nodeSelector): every key a qualified name, every value a label value. */
export function validateLabels(labels: Readonly<Record<string, string>> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...isQualifiedName(k).map((m) => invalid(path, k, m)));
    errs.push(...isValidLabelValue(v).map((m) => invalid(path, v, m)));
  }
  return errs;
}

export function validateRestartPolicy(policy: string | undefined, path: string): FieldError[] {
  const p = policy ?? '';
  if (p === '') return [required(path)];
  return RESTART_POLICIES.includes(p) ? [] : [notSupported(path, p, RESTART_POLICIES)];
}

export function validateDNSPolicy(policy: string | undefined, path: string): FieldError[] {
  const p = policy ?? '';
  if (p === '') return [required(path)];
  return DNS_POLICIES.includes(p) ? [] : [notSupported(path, p, DNS_POLICIES)];
}

/** validatePodHostNetworkDeps: with the host's network, a host port is the container port. */
export function validateHostNetworkPorts(spec: PodSpec, path: string): FieldError[] {
  if (spec.hostNetwork !== true) return [];
  const errs: FieldError[] = [];
  (spec.containers ?? []).forEach((c, i) => {
    (c.ports ?? []).forEach((port, j) => {
      const hostPort = port.hostPort ?? 0;
      if (hostPort !== (port.containerPort ?? 0)) {
        errs.push(invalid(`${path}.containers[${i}].ports[${j}].hostPort`, hostPort, 'must match `containerPort` when `hostNetwork` is true'));
      }
    });
  });
  return errs;
}

// Sysctls whose namespace the pod would share with the host (utilsysctl.GetNamespace).
function sysctlNamespace(name: string): 'net' | 'ipc' | undefined {
  const n = name.replace(/\//g, '.');
  if (n.startsWith('net.')) return 'net';
  if (['kernel.shmmax', 'kernel.shmall', 'kernel.shmmni', 'kernel.shm_rmid_forced', 'kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem'].includes(n)
    || n.startsWith('fs.mqueue.')) return 'ipc';
  return undefined;
}

const SYSCTL_SEGMENT = '[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
const SYSCTL_FMT = `(${SYSCTL_SEGMENT}[\\./])*${SYSCTL_SEGMENT}`;
const sysctlName = new RegExp(`^${SYSCTL_FMT}$`);

/** validatePodSpecSecurityContext. Upstream keeps hostPID & co. in the security context, hence the paths. */
export function validatePodSecurityContext(spec: PodSpec, path: string): FieldError[] {
  const sc = spec.securityContext;
  const errs: FieldError[] = [];
  if (sc !== undefined) {
    const ids: [string, number | undefined, (n: number) => string[]][] = [
      ['fsGroup', sc.fsGroup, isValidGroupID], ['runAsUser', sc.runAsUser, isValidUserID], ['runAsGroup', sc.runAsGroup, isValidGroupID],
    ];
    for (const [field, v, check] of ids) {
      if (v !== undefined) errs.push(...check(v).map((m) => invalid(`${path}.${field}`, v, m)));
    }
    (sc.supplementalGroups ?? []).forEach((g, i) => {
      errs.push(...isValidGroupID(g).map((m) => invalid(`${path}.supplementalGroups[${i}]`, g, m)));
    });
  }
  if (spec.shareProcessNamespace === true && spec.hostPID === true) {
    errs.push(invalid(`${path}.shareProcessNamespace`, true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  }
  if (sc !== undefined) {
    const names = new Set<string>();
    (sc.sysctls ?? []).forEach((s, i) => {
      const at = `${path}.sysctls[${i}].name`;
      const name = s.name ?? '';
      if (name === '') errs.push(required(at));
      else if (name.length > 253 || !sysctlName.test(name)) errs.push(invalid(at, name, `must have at most 253 characters and match regex ^${SYSCTL_FMT}$`));
      else if (names.has(name)) errs.push(duplicate(at, name));
      const ns = sysctlNamespace(name);
      if (ns === 'net' && spec.hostNetwork === true) errs.push(invalid(at, name, "may not be specified when 'hostNetwork' is true"));
      if (ns === 'ipc' && spec.hostIPC === true) errs.push(invalid(at, name, "may not be specified when 'hostIPC' is true"));
      names.add(name);
    });
    errs.push(...validateSeccompProfile(sc.seccompProfile, `${path}.seccompProfile`));
  }
  return errs;
}

export function validateDNSConfig(spec: PodSpec, path: string): FieldError[] {
  const cfg = spec.dnsConfig;
  if (spec.dnsPolicy === 'None') {
    if (cfg === undefined) return [required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if ((cfg.nameservers ?? []).length === 0) return [required(`${path}.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (cfg === undefined) return [];
  const errs: FieldError[] = [];
  const nameservers = cfg.nameservers ?? [];
  if (nameservers.length > 3) errs.push(invalid(`${path}.nameservers`, nameservers, 'must not have more than 3 nameservers'));
  nameservers.forEach((ns, i) => { if (!isValidIP(ns)) errs.push(invalid(`${path}.nameservers[${i}]`, ns, INVALID_IP_MSG)); });
  const searches = cfg.searches ?? [];
  if (searches.length > 32) errs.push(invalid(`${path}.searches`, searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) {
    errs.push(invalid(`${path}.searches`, searches, 'must not have more than 2048 characters (including spaces) in the search list'));
  }
  searches.forEach((s, i) => {
    // AllowRelaxedDNSSearchValidation is off unless an existing pod used it: strict subdomains.
    const search = s.endsWith('.') ? s.slice(0, -1) : s;
    errs.push(...isDNS1123Subdomain(search).map((m) => invalid(`${path}.searches[${i}]`, search, m)));
  });
  (cfg.options ?? []).forEach((o, i) => {
    if ((o.name ?? '') === '') errs.push(required(`${path}.options[${i}]`, 'must not be empty'));
  });
  return errs;
}

export function validateMisc(spec: PodSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (spec.readinessGates ?? []).forEach((g, i) => {
    const t = g.conditionType ?? '';
    errs.push(...isQualifiedName(t).map((m) => invalid(`${path}.readinessGates[${i}].conditionType`, t, m)));
  });
  for (const field of ['serviceAccountName', 'nodeName'] as const) {
    const v = spec[field] ?? '';
    if (v !== '') errs.push(...isDNS1123Subdomain(v).map((m) => invalid(`${path}.${field}`, v, m)));
  }
  if (spec.activeDeadlineSeconds !== undefined) {
    const v = spec.activeDeadlineSeconds;
    if (v < 1 || v > MAX_INT32) errs.push(invalid(`${path}.activeDeadlineSeconds`, v, inclusiveRangeError(1, MAX_INT32)));
  }
  for (const field of ['hostname', 'subdomain'] as const) {
    const v = spec[field] ?? '';
    if (v !== '') errs.push(...isDNS1123Label(v).map((m) => invalid(`${path}.${field}`, v, m)));
  }
  errs.push(...validateTolerations(spec, `${path}.tolerations`));
  (spec.hostAliases ?? []).forEach((a, i) => {
    const ip = a.ip ?? '';
    if (!isValidIP(ip)) errs.push(invalid(`${path}.hostAliases[${i}].ip`, ip, INVALID_IP_MSG));
    (a.hostnames ?? []).forEach((h, j) => {
      errs.push(...isDNS1123Subdomain(h).map((m) => invalid(`${path}.hostAliases[${i}].hostnames[${j}]`, h, m)));
    });
  });
  return errs;
}

interface Toleration { key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }

function validateTolerations(spec: PodSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  ((spec.tolerations ?? []) as Toleration[]).forEach((t, i) => {
    const p = `${path}[${i}]`;
    const key = t.key ?? '';
    const operator = t.operator ?? '';
    const value = t.value ?? '';
    const effect = t.effect ?? '';
    if (key !== '') errs.push(...isQualifiedName(key).map((m) => invalid(`${p}.key`, key, m)));
    if (key === '' && operator !== 'Exists') {
      errs.push(invalid(`${p}.operator`, operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && effect !== 'NoExecute') {
      errs.push(invalid(`${p}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === 'Equal' || operator === '') {
      const msgs = isValidLabelValue(value);
      if (msgs.length > 0) errs.push(invalid(`${p}.operator`, value, msgs.join(';')));
    } else if (operator === 'Exists') {
      if (value !== '') errs.push(invalid(`${p}.operator`, value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(`${p}.operator`, operator, ['Equal', 'Exists']));
    }
    if (effect !== '' && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect)) {
      errs.push(notSupported(`${p}.effect`, effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    }
  });
  return errs;
}

