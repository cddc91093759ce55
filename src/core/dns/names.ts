// Names and addresses as the cluster DNS compares them: lower case, no trailing dot; IPs by their bytes.
import { parseIp, parsePodCidr } from '../network/cidr.js';

/** Case-insensitive and trailing-dot-insensitive form of a name (the Kubernetes DNS spec compares that way). */
export function canonicalName(name: string): string {
  return name.replace(/\.+$/, '').toLowerCase();
}

/** True when `name` is `zone` or below it (both canonical). */
export function inZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/** The labels of `name` above `zone` (`a.b.cluster.local` → [a, b]); both canonical, `name` in the zone. */
export function labelsBelow(name: string, zone: string): string[] {
  if (name === zone) return [];
  return name.slice(0, name.length - zone.length - 1).split('.');
}

/** Every proper ancestor of `name` down to and including `zone`. */
export function ancestors(name: string, zone: string): string[] {
  const out: string[] = [];
  let rest = name;
  while (rest !== zone) {
    const dot = rest.indexOf('.');
    if (dot < 0) break;
    rest = rest.slice(dot + 1);
    out.push(rest);
  }
  return out;
}

/** A comparable key for an IP (10.0.0.1 and 10.0.0.01 are not both valid, but ::1 and 0::1 are the same address). */
export function ipKey(ip: string): string | undefined {
  return parseIp(ip)?.join('.');
}

export function ipFamily(ip: string): 4 | 6 | undefined {
  const bytes = parseIp(ip);
  return bytes === undefined ? undefined : bytes.length === 4 ? 4 : 6;
}

/** Bytes back to text: dotted quad, or eight uncompressed hex groups. */
export function formatIp(bytes: readonly number[]): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < bytes.length; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

/**
 * The address a reverse name stands for: `4.3.2.1.in-addr.arpa` → key of 1.2.3.4, a full nibble `ip6.arpa` name
 * likewise; undefined for a partial or malformed one.
 */
export function reverseNameIpKey(name: string): string | undefined {
  const v4 = /^((?:\d{1,3}\.){4})in-addr\.arpa$/.exec(name);
  if (v4) return ipKey((v4[1] ?? '').slice(0, -1).split('.').reverse().join('.'));
  const v6 = /^((?:[0-9a-f]\.){32})ip6\.arpa$/.exec(name);
  if (!v6) return undefined;
  const nibbles = (v6[1] ?? '').split('.').filter((n) => n !== '').reverse();
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 2) bytes.push(parseInt(`${nibbles[i] ?? '0'}${nibbles[i + 1] ?? '0'}`, 16));
  return bytes.join('.');
}

export function isReverseName(name: string): boolean {
  return inZone(name, 'in-addr.arpa') || inZone(name, 'ip6.arpa');
}

/** 10.86.0.5 → 10-86-0-5, the label CoreDNS gives an endpoint without a hostname (and the pod A record form). */
export function dashedIp(ip: string): string {
  return ip.includes(':') ? ip.replace(/:/g, '-') : ip.replace(/\./g, '-');
}

/** `10-86-0-5` → 10.86.0.5 when it is an IPv4 address in dashed form. */
export function undashIPv4(label: string): string | undefined {
  if (!/^\d{1,3}(-\d{1,3}){3}$/.test(label)) return undefined;
  const ip = label.replace(/-/g, '.');
  return parseIp(ip) === undefined ? undefined : ip;
}

/** The first host address of a pod CIDR: the gateway host-local gives the bridge (10.86.0.0/24 → 10.86.0.1). */
export function gatewayOf(podCidr: string): string | undefined {
  const parsed = parsePodCidr(podCidr);
  if (!parsed.ok) return undefined;
  const bytes = parseIp(parsed.cidr.address);
  if (bytes === undefined) return undefined;
  // the prefix leaves at least three host bits, all zero: the last byte cannot overflow
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) + 1;
  return formatIp(bytes);
}
