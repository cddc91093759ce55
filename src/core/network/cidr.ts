// Just enough address parsing to validate a pod CIDR before it reaches host-local, whose errors surface only at the
// first pod start and name nothing podd's user typed.

export interface Cidr {
  family: 4 | 6;
  /** The network address as written (host bits zero). */
  address: string;
  prefix: number;
}

function ipv4Bytes(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((p) => (/^(0|[1-9]\d{0,2})$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : undefined;
}

function ipv6Bytes(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out = s.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN));
    return out.some(Number.isNaN) ? undefined : out;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const words = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

/** Parses an IP address into bytes (4 or 16), or undefined. */
export function parseIp(text: string): number[] | undefined {
  return text.includes(':') ? ipv6Bytes(text) : ipv4Bytes(text);
}

function hostBitsZero(bytes: readonly number[], prefix: number): boolean {
  return bytes.every((b, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return (b & (0xff >> keep)) === 0;
  });
}

export type CidrCheck = { ok: true; cidr: Cidr } | { ok: false; message: string };

/**
 * A network to allocate pod addresses from: the network address itself (10.86.0.0/24, not 10.86.0.7/24), and room
 * for at least a gateway and two pods.
 */
export function parsePodCidr(text: string): CidrCheck {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return { ok: false, message: `"${text}" is not in CIDR notation (address/prefix)` };
  const address = m[1] ?? '';
  const prefix = Number(m[2]);
  const bytes = parseIp(address);
  if (!bytes) return { ok: false, message: `"${address}" is not an IP address` };
  const family = bytes.length === 4 ? 4 : 6;
  const maxPrefix = family === 4 ? 29 : 125;
  if (prefix > maxPrefix || prefix < 8) return { ok: false, message: `prefix /${prefix} must be between /8 and /${maxPrefix}` };
  if (!hostBitsZero(bytes, prefix)) return { ok: false, message: `"${text}" has host bits set; use the network address` };
  return { ok: true, cidr: { family, address, prefix } };
}

/** The address without its /prefix, as pod IPs are reported. */
export function stripPrefix(address: string): string {
  const slash = address.indexOf('/');
  return slash < 0 ? address : address.slice(0, slash);
}
