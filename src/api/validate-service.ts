// ValidateService / ValidateServiceUpdate as the apiserver runs them (pkg/apis/core/validation), in its order,
// on a defaulted and allocated Service. podd's one deviation: it proxies ClusterIP Services only, so NodePort and
// LoadBalancer types and externalIPs are refused here rather than accepted and silently not implemented.
import { Unquoted, duplicate, forbidden, invalid, notSupported, required } from './field-errors.js';
import type { FieldError } from './field-errors.js';
import { INVALID_IP_MSG, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidIP, isValidPortName, isValidPortNum, maxLenError, regexError } from './formats.js';
import type { Service, ServicePort } from './service-types.js';
import type { ObjectMeta } from './types.js';
import { validateObjectMeta } from './validate.js';
import { validateLabels } from './validate-pod-spec.js';

const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const dns1035Label = new RegExp(`^${DNS1035_LABEL_FMT}$`);

/** IsDNS1035Label: Service names become DNS labels, so they must start with a letter. */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!dns1035Label.test(value)) {
    errs.push(regexError(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
      DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  }
  return errs;
}

/** ValidateObjectMeta with ValidateServiceName (NameIsDNS1035Label) in place of the subdomain rule. */
export function validateServiceMeta(meta: ObjectMeta | undefined): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  const generateName = m.generateName ?? '';
  if (generateName !== '') {
    const prefix = generateName.length > 1 && generateName.endsWith('-') ? generateName.slice(0, -2) + 'a' : generateName;
    errs.push(...isDNS1035Label(prefix).map((msg) => invalid('metadata.generateName', generateName, msg)));
  }
  const name = m.name ?? '';
  if (name === '') errs.push(required('metadata.name', 'name or generateName is required'));
  else errs.push(...isDNS1035Label(name).map((msg) => invalid('metadata.name', name, msg)));
  // The rest of ObjectMeta (namespace, labels, annotations) is the generic check, with a name it accepts.
  const rest = validateObjectMeta({ ...m, name: 'x', generateName: '' });
  return [...errs, ...rest];
}

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
/** What podd implements; the apiserver also takes NodePort and LoadBalancer. */
const SERVICE_TYPES = ['ClusterIP', 'ExternalName'];
const INTERNAL_TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const MAX_CLIENT_IP_TIMEOUT = 86400;

export function isHeadlessService(svc: Service): boolean {
  const ips = svc.spec.clusterIPs ?? [];
  return ips.length > 0 && ips[0] === 'None';
}

/** ValidatePortNumOrName. */
export function validatePortNumOrName(port: number | string | undefined, path: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(path, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(path, port, m));
  return [];
}

function validateServicePort(sp: ServicePort, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = sp.name ?? '';
  if (requireName && name === '') errs.push(required(`${path}.name`));
  else if (name !== '') {
    errs.push(...isDNS1123Label(name).map((m) => invalid(`${path}.name`, name, m)));
    if (names.has(name)) errs.push(duplicate(`${path}.name`, name));
    else names.add(name);
  }
  errs.push(...isValidPortNum(sp.port ?? 0).map((m) => invalid(`${path}.port`, sp.port ?? 0, m)));
  const protocol = sp.protocol ?? '';
  if (protocol === '') errs.push(required(`${path}.protocol`));
  else if (!PROTOCOLS.includes(protocol)) errs.push(notSupported(`${path}.protocol`, protocol, PROTOCOLS));
  errs.push(...validatePortNumOrName(sp.targetPort, `${path}.targetPort`));
  if (sp.appProtocol !== undefined) errs.push(...isQualifiedName(sp.appProtocol).map((m) => invalid(`${path}.appProtocol`, sp.appProtocol, m)));
  return errs;
}

/** ValidateServiceClusterIPsRelatedFields (single-stack: at most one IP and one family get past allocation). */
export function validateClusterIPsRelatedFields(svc: Service): FieldError[] {
  const spec = svc.spec;
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const clusterIP = spec.clusterIP ?? '';
  const ips = spec.clusterIPs ?? [];
  if (clusterIP !== '') {
    if (ips.length === 0) errs.push(required('spec.clusterIPs'));
    else if (ips[0] !== clusterIP) errs.push(invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  } else if (ips.length !== 0) {
    errs.push(invalid('spec.clusterIPs', ips, 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (!IP_FAMILIES.includes(f)) errs.push(notSupported(`spec.ipFamilies[${i}]`, f, IP_FAMILIES));
    if (seen.has(f)) errs.push(duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  if (spec.ipFamilyPolicy !== undefined && !IP_FAMILY_POLICIES.includes(spec.ipFamilyPolicy)) {
    errs.push(notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  }
  let badIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        badIPs = true;
        errs.push(invalid('spec.clusterIPs', ips, "'None' must be the first and only value"));
      }
      return;
    }
    if (!isValidIP(ip)) {
      badIPs = true;
      errs.push(invalid(`spec.clusterIPs[${i}]`, ip, INVALID_IP_MSG));
    }
  });
  if (ips.length > 2) errs.push(invalid('spec.clusterIPs', ips, 'may only hold up to 2 values'));
  if (badIPs) return errs;
  if (ips.length > 1 && new Set(ips.map((ip) => ip.includes(':'))).size !== ips.length) {
    errs.push(invalid('spec.clusterIPs', ips, 'may specify no more than one IP for each IP family'));
  }
  if (!isHeadlessService(svc)) {
    ips.forEach((ip, i) => {
      const family = spec.ipFamilies?.[i];
      if (family === 'IPv4' && ip.includes(':')) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (family === 'IPv6' && !ip.includes(':')) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

export function validateService(svc: Service): FieldError[] {
  const errs = validateServiceMeta(svc.metadata);
  const spec = svc.spec ?? {};
  const headless = isHeadlessService(svc);
  const ports = spec.ports ?? [];
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') errs.push(required('spec.ports'));
  if (spec.type === 'ExternalName') {
    if ((spec.clusterIPs ?? []).length > 0) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if ((spec.ipFamilies ?? []).length > 0) errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy !== undefined) errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = (spec.externalName ?? '').replace(/\.$/, '');
    if (cname === '') errs.push(required('spec.externalName'));
    else errs.push(...isDNS1123Subdomain(cname).map((m) => invalid('spec.externalName', cname, m)));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, `spec.ports[${i}]`)));
  if (spec.selector !== undefined) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  const affinity = spec.sessionAffinity ?? '';
  if (affinity === '') errs.push(required('spec.sessionAffinity'));
  else if (!SESSION_AFFINITIES.includes(affinity)) errs.push(notSupported('spec.sessionAffinity', affinity, SESSION_AFFINITIES));
  if (affinity === 'ClientIP') errs.push(...validateClientIPAffinity(svc));
  else if (affinity === 'None' && spec.sessionAffinityConfig !== undefined) {
    errs.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPsRelatedFields(svc));
  if ((spec.externalIPs ?? []).length > 0) errs.push(forbidden('spec.externalIPs', 'podd does not implement externalIPs'));
  const type = spec.type ?? '';
  if (type === '') errs.push(required('spec.type'));
  else if (!SERVICE_TYPES.includes(type)) errs.push(notSupported('spec.type', type, SERVICE_TYPES));
  if (type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if ((p.nodePort ?? 0) !== 0) errs.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.protocol ?? ''}/${p.port}`;
    // The apiserver prints its map key, a core.ServicePort, with %#v.
    if (seen.has(key)) errs.push(duplicate(`spec.ports[${i}]`, new Unquoted(`core.ServicePort{Name:"", Protocol:"${p.protocol ?? ''}", AppProtocol:(*string)(nil), Port:${p.port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`)));
    seen.add(key);
  });
  if (spec.internalTrafficPolicy === undefined) {
    if (type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer') errs.push(required('spec.internalTrafficPolicy'));
  } else if (!INTERNAL_TRAFFIC_POLICIES.includes(spec.internalTrafficPolicy)) {
    errs.push(notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, INTERNAL_TRAFFIC_POLICIES));
  }
  if (spec.trafficDistribution !== undefined && spec.trafficDistribution !== 'PreferClose') {
    errs.push(notSupported('spec.trafficDistribution', spec.trafficDistribution, ['PreferClose']));
  }
  return errs;
}

function validateClientIPAffinity(svc: Service): FieldError[] {
  const cfg = svc.spec.sessionAffinityConfig;
  if (cfg === undefined) return [required('spec.sessionAffinityConfig', 'when session affinity type is ClientIP')];
  if (cfg.clientIP === undefined) return [required('spec.sessionAffinityConfig.clientIP', 'when session affinity type is ClientIP')];
  const t = cfg.clientIP.timeoutSeconds;
  if (t === undefined) return [required('spec.sessionAffinityConfig.clientIP.timeoutSeconds', 'when session affinity type is ClientIP')];
  if (t <= 0 || t > MAX_CLIENT_IP_TIMEOUT) {
    return [invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t, `must be greater than 0 and less than ${MAX_CLIENT_IP_TIMEOUT}`)];
  }
  return [];
}

/** validateUpgradeDowngradeClusterIPs / IPFamilies, single-stack: the primary address and family never change. */
export function validateServiceUpdate(next: Service, old: Service): FieldError[] {
  const errs: FieldError[] = [];
  const externalName = next.spec.type === 'ExternalName' || old.spec.type === 'ExternalName';
  if (!externalName && !(isHeadlessService(old) && isHeadlessService(next))) {
    const before = old.spec.clusterIPs ?? [];
    const after = next.spec.clusterIPs ?? [];
    if (before.length > 0 && after.length === 0) errs.push(invalid('spec.clusterIPs[0]', after, 'primary clusterIP can not be unset'));
    before.forEach((ip, i) => {
      if (i < after.length && after[i] !== ip) errs.push(invalid(`spec.clusterIPs[${i}]`, after, 'may not change once set'));
    });
    if (isHeadlessService(old) === isHeadlessService(next)) {
      const fb = old.spec.ipFamilies ?? [];
      const fa = next.spec.ipFamilies ?? [];
      if (fb.length === fa.length && fb.some((f, i) => fa[i] !== f)) errs.push(invalid('spec.ipFamilies[0]', fa, 'may not change once set'));
    }
  }
  return [...errs, ...validateService(next)];
}
