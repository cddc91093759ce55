// The service CIDR ClusterIPs come from, as the apiserver's ipallocator sees it: IPv4 only (podd's proxy programs
// iptables, not ip6tables), the network and broadcast addresses never handed out, the first address kept for the
// `kubernetes` Service, and dynamic allocation drawing from the upper part of the range first so addresses users
// pick by hand from the lower part rarely collide (ServiceIPStaticSubrange).

export const DEFAULT_SERVICE_CIDR = '10.87.0.0/16';

export interface ServiceRange {
  /** As written, e.g. 10.87.0.0/16. */
  cidr: string;
  /** The network address as a 32-bit number. */
  base: number;
  prefix: number;
  /** Addresses in the block, network and broadcast included. */
  size: number;
}

export type RangeCheck = { ok: true; range: ServiceRange } | { ok: false; message: string };

/** A dotted quad to its 32-bit value; undefined for anything else (no leading zeros, as netip parses). */
export function ipv4ToInt(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** IPv4, host bits zero, from /12 (the apiserver's largest) to /28 (room for the reserved address and a few more). */
export function parseServiceCidr(text: string): RangeCheck {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return { ok: false, message: `"${text}" is not in CIDR notation (address/prefix)` };
  const base = ipv4ToInt(m[1] ?? '');
  const prefix = Number(m[2]);
  if (base === undefined) return { ok: false, message: `"${m[1] ?? ''}" is not an IPv4 address (podd's service proxy is IPv4 only)` };
  if (prefix < 12 || prefix > 28) return { ok: false, message: `prefix /${prefix} must be between /12 and /28` };
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) return { ok: false, message: `"${text}" has host bits set; use the network address` };
  return { ok: true, range: { cidr: text, base, prefix, size } };
}

/** Whether two IPv4 CIDRs share any address (a service range over the pod network would hijack pod traffic). */
export function cidrsOverlap(a: string, b: string): boolean {
  const span = (c: string): [number, number] | undefined => {
    const [ip = '', p = ''] = c.split('/');
    const start = ipv4ToInt(ip);
    const prefix = Number(p);
    if (start === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
    const size = 2 ** (32 - prefix);
    const first = start - (start % size);
    return [first, first + size - 1];
  };
  const x = span(a);
  const y = span(b);
  return x !== undefined && y !== undefined && x[0] <= y[1] && y[0] <= x[1];
}

/** Whether `ip` may be allocated from the range: inside it, and neither its network nor its broadcast address. */
export function inRange(range: ServiceRange, ip: string): boolean {
  const n = ipv4ToInt(ip);
  return n !== undefined && n > range.base && n < range.base + range.size - 1;
}

/** The address the apiserver gives the `kubernetes` Service: the first usable one. */
export function firstAddress(range: ServiceRange): string {
  return intToIpv4(range.base + 1);
}

/** ipallocator's ErrNotInRange text. */
export function notInRangeMessage(ip: string, range: ServiceRange): string {
  return `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${range.cidr}`;
}
export const ALREADY_ALLOCATED_MESSAGE = 'provided IP is already allocated';
export const RANGE_FULL_MESSAGE = 'range is full';

/** calculateRangeOffset: the size of the lower band dynamic allocation only uses once the upper one is full. */
export function staticBandSize(range: ServiceRange): number {
  if (range.size <= 16) return 0;
  return Math.min(256, Math.max(16, range.size / 16));
}

/**
 * A free address for a Service that asked for none, or undefined when the range is full. `random` (in [0, 1))
 * picks where the scan of the upper band starts; the first address is never handed out dynamically.
 */
export function allocateNext(range: ServiceRange, taken: ReadonlySet<string>, random: () => number): string | undefined {
  // Offsets 0..max-1 are the usable addresses base+1..base+size-2; offset 0 is the reserved first address.
  const max = range.size - 2;
  const offset = Math.max(1, staticBandSize(range));
  const free = (o: number): string | undefined => {
    const ip = intToIpv4(range.base + 1 + o);
    return taken.has(ip) ? undefined : ip;
  };
  const upper = max - offset;
  const start = Math.floor(random() * upper);
  for (let i = 0; i < upper; i++) {
    const ip = free(offset + ((start + i) % upper));
    if (ip !== undefined) return ip;
  }
  for (let o = 1; o < offset; o++) {
    const ip = free(o);
    if (ip !== undefined) return ip;
  }
  return undefined;
}
