// Names of podd's iptables chains. Per-service and per-endpoint chains are named by a hash, as kube-proxy does,
// because iptables chain names are limited to 28 characters and must be stable across syncs (a renamed chain
// would be a rule rewrite for every packet path). FNV-1a 64 keeps this pure (no node:crypto in core).

/** Every chain podd owns starts with this; cleanup removes exactly the chains that do. */
export const CHAIN_PREFIX = 'PODD-';
export const SERVICES_CHAIN = 'PODD-SERVICES';
export const POSTROUTING_CHAIN = 'PODD-POSTROUTING';
export const MARK_MASQ_CHAIN = 'PODD-MARK-MASQ';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = (1n << 64n) - 1n;

/** FNV-1a over the UTF-8 bytes, as 13 base32 characters (65 bits, the top one always 0). */
export function hash13(text: string): string {
  let h = FNV_OFFSET;
  for (const b of new TextEncoder().encode(text)) {
    h ^= BigInt(b);
    h = (h * FNV_PRIME) & MASK64;
  }
  let out = '';
  for (let i = 0; i < 13; i++) {
    out = (BASE32[Number(h & 31n)] ?? 'A') + out;
    h >>= 5n;
  }
  return out;
}

/** `ns/svc:port` (or `ns/svc` for an unnamed port): kube-proxy's ServicePortName, used in names and comments. */
export function servicePortName(namespace: string, name: string, port: string): string {
  return port === '' ? `${namespace}/${name}` : `${namespace}/${name}:${port}`;
}

export function serviceChain(spn: string, protocol: string): string {
  return `PODD-SVC-${hash13(spn + protocol)}`;
}

export function endpointChain(spn: string, protocol: string, endpoint: string): string {
  return `PODD-SEP-${hash13(spn + protocol + endpoint)}`;
}
