// ValidateEndpoints (core/v1) and ValidateEndpointSlice (discovery.k8s.io/v1), the checks that matter for what
// podd's proxy reads: addresses are valid, non-special IPs of the slice's address type; ports are valid, named
// when there are several, unique by name.
import { duplicate, invalid, notSupported, required, tooMany } from './field-errors.js';
import type { FieldError } from './field-errors.js';
import { INVALID_IP_MSG, isDNS1123Label, isDNS1123Subdomain, isValidIP, isValidPortNum } from './formats.js';
import type { EndpointAddress, EndpointPort, EndpointSlice, Endpoints, SlicePort } from './service-types.js';
import { validateObjectMeta } from './validate.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const MAX_ENDPOINTS = 1000;
const MAX_PORTS = 20000;
const MAX_SLICE_ADDRESSES = 100;

/** ValidateNonSpecialIP: endpoints may not point at loopback, link-local or unspecified addresses. */
export function nonSpecialIP(ip: string, path: string): FieldError[] {
  const v4 = ip.includes(':') ? undefined : ip.split('.').map(Number);
  const lower = ip.toLowerCase();
  if (ip === '0.0.0.0' || lower === '::') return [invalid(path, ip, 'may not be unspecified (0.0.0.0)')];
  if (v4?.[0] === 127 || lower === '::1') return [invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)')];
  if ((v4?.[0] === 169 && v4[1] === 254) || lower.startsWith('fe80:')) return [invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)')];
  if ((v4?.[0] === 224 && v4[1] === 0 && v4[2] === 0) || lower.startsWith('ff02:')) {
    return [invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)')];
  }
  return [];
}

function validateAddress(a: EndpointAddress, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isValidIP(a.ip ?? '')) errs.push(invalid(`${path}.ip`, a.ip ?? '', INVALID_IP_MSG));
  if (a.hostname !== undefined && a.hostname !== '') errs.push(...isDNS1123Label(a.hostname).map((m) => invalid(`${path}.hostname`, a.hostname, m)));
  if (a.nodeName !== undefined && a.nodeName !== '') errs.push(...isDNS1123Subdomain(a.nodeName).map((m) => invalid(`${path}.nodeName`, a.nodeName, m)));
  if (errs.length === 0) errs.push(...nonSpecialIP(a.ip, `${path}.ip`));
  return errs;
}

function validatePort(p: EndpointPort | SlicePort, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = p.name ?? '';
  if (requireName && name === '') errs.push(required(`${path}.name`));
  else if (name !== '') {
    errs.push(...isDNS1123Label(name).map((m) => invalid(`${path}.name`, name, m)));
    if (names.has(name)) errs.push(duplicate(`${path}.name`, name));
    names.add(name);
  }
  if (p.port !== undefined) errs.push(...isValidPortNum(p.port).map((m) => invalid(`${path}.port`, p.port, m)));
  const protocol = p.protocol ?? '';
  if (protocol === '') errs.push(required(`${path}.protocol`));
  else if (!PROTOCOLS.includes(protocol)) errs.push(notSupported(`${path}.protocol`, protocol, PROTOCOLS));
  return errs;
}

export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs = validateObjectMeta(ep.metadata);
  (ep.subsets ?? []).forEach((ss, i) => {
    const path = `subsets[${i}]`;
    if ((ss.addresses ?? []).length === 0 && (ss.notReadyAddresses ?? []).length === 0) {
      errs.push(required(path, 'must specify `addresses` or `notReadyAddresses`'));
    }
    (ss.addresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, `${path}.addresses[${j}]`)));
    (ss.notReadyAddresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, `${path}.notReadyAddresses[${j}]`)));
    const ports = ss.ports ?? [];
    const names = new Set<string>();
    ports.forEach((p, j) => {
      const pp = `${path}.ports[${j}]`;
      errs.push(...validatePort(p, ports.length > 1, names, pp));
      if (p.port === undefined) errs.push(...isValidPortNum(0).map((m) => invalid(`${pp}.port`, 0, m)));
    });
  });
  return errs;
}

export function validateEndpointSlice(slice: EndpointSlice): FieldError[] {
  const errs = validateObjectMeta(slice.metadata);
  const type = slice.addressType ?? '';
  if (type === '') errs.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(type)) errs.push(notSupported('addressType', type, ADDRESS_TYPES));
  const endpoints = slice.endpoints ?? [];
  if (endpoints.length > MAX_ENDPOINTS) errs.push(tooMany('endpoints', endpoints.length, MAX_ENDPOINTS));
  endpoints.forEach((e, i) => {
    const path = `endpoints[${i}]`;
    const addrs = e.addresses ?? [];
    if (addrs.length === 0) errs.push(required(`${path}.addresses`, 'must contain at least 1 address'));
    else if (addrs.length > MAX_SLICE_ADDRESSES) errs.push(tooMany(`${path}.addresses`, addrs.length, MAX_SLICE_ADDRESSES));
    addrs.forEach((a, j) => {
      const ap = `${path}.addresses[${j}]`;
      if (type === 'FQDN') errs.push(...isDNS1123Subdomain(a).map((m) => invalid(ap, a, m)));
      else if (!isValidIP(a) || (type === 'IPv4') === a.includes(':')) errs.push(invalid(ap, a, `must be a valid ${type} address`));
      else errs.push(...nonSpecialIP(a, ap));
    });
    if (e.hostname !== undefined) errs.push(...isDNS1123Label(e.hostname).map((m) => invalid(`${path}.hostname`, e.hostname, m)));
    if (e.nodeName !== undefined) errs.push(...isDNS1123Subdomain(e.nodeName).map((m) => invalid(`${path}.nodeName`, e.nodeName, m)));
  });
  const ports = slice.ports ?? [];
  if (ports.length > MAX_PORTS) errs.push(tooMany('ports', ports.length, MAX_PORTS));
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validatePort(p, false, names, `ports[${i}]`)));
  return errs;
}
