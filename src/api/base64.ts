// Standard padded base64 (Go's base64.StdEncoding), pure so the API layer needs no Buffer.
// Secret.data values are []byte in Go: JSON carries them as this encoding.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    const n = (b0 << 16) | (b1 << 8) | b2;
    out += ALPHABET[(n >> 18) & 63];
    out += ALPHABET[(n >> 12) & 63];
    out += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? ALPHABET[n & 63] : '=';
  }
  return out;
}

export function encodeUtf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function encodeBase64String(text: string): string {
  return encodeBase64(encodeUtf8(text));
}

/**
 * Index of the first byte Go's strict decoder rejects ("illegal base64 data at input byte N"),
 * or -1 when the text is valid. Go skips '\r' and '\n'; so do we.
 */
export function base64ErrorOffset(text: string): number {
  const chars: { c: string; at: number }[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c !== '\r' && c !== '\n') chars.push({ c, at: i });
  }
  for (let q = 0; q < chars.length; q += 4) {
    const quantum = chars.slice(q, q + 4);
    for (let j = 0; j < quantum.length; j++) {
      const { c, at } = quantum[j] ?? { c: '', at: 0 };
      if (c === '=') {
        // Padding is only legal in the last quantum, at position 2 or 3, and must complete it.
        if (j < 2 || q + 4 < chars.length) return at;
        if (j === 2 && quantum[3]?.c !== '=') return quantum[3]?.at ?? text.length;
        return -1;
      }
      if (!ALPHABET.includes(c)) return at;
    }
    // Go reports a truncated final quantum at its first byte.
    if (quantum.length < 4) return quantum[0]?.at ?? text.length;
  }
  return -1;
}

export function decodeBase64(text: string): Uint8Array | undefined {
  if (base64ErrorOffset(text) !== -1) return undefined;
  const clean = text.replace(/[\r\n=]/g, '');
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const c of clean) {
    buffer = (buffer << 6) | ALPHABET.indexOf(c);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}
