// The spec hash stored on every runtime container (as the kubelet's hash label). The kubelet's HashContainer
// picks only {name, image}, so that an image update is the one spec change that restarts a running container;
// hashing more would restart every container whenever podd learns a new field.
import type { Container } from '../../api/types.js';

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;
const utf8 = new TextEncoder();

/** FNV-1a (32-bit) of the bytes, as 8 lowercase hex digits. */
export function fnv1a32Hex(bytes: Uint8Array): string {
  let h = FNV32_OFFSET;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, FNV32_PRIME) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** Stable across processes and versions: changing it restarts every running container after an upgrade. */
export function containerSpecHash(c: Container): string {
  // Fixed key order; an absent or empty image is left out, as the kubelet's omitempty field.
  const picked = c.image === undefined || c.image === '' ? { name: c.name } : { name: c.name, image: c.image };
  return fnv1a32Hex(utf8.encode(JSON.stringify(picked)));
}
