// Extended attributes of tar entries, read from the PAX records beside node-tar's parser.
//
// node-tar drops `SCHILY.xattr.*` records and decodes PAX headers as UTF-8 text, which would corrupt binary
// values such as `security.capability`. This scanner follows the same stream block by block (headers only; file
// bodies are skipped, never copied) and records, for every ordinary entry in archive order, the xattrs its PAX
// headers carried. Writers that produce them: GNU tar (`--xattrs`), Go's archive/tar (docker, buildkit,
// containerd) with SCHILY.xattr; libarchive (bsdtar) with LIBARCHIVE.xattr, whose name is URL-encoded and whose
// value is base64.
import { PoddError } from '../errors.js';

export interface Xattr {
  name: string;
  value: Uint8Array;
}

const BLOCK = 512;
/** node-tar ignores (and podd then refuses) PAX headers larger than this; past it, none are read here either. */
const MAX_META_BYTES = 1024 * 1024;
const PAX_LOCAL = new Set(['x', 'X']);
const PAX_GLOBAL = 'g';
/** GNU long names and links: bodies that describe the next entry without being one. */
const GNU_META = new Set(['L', 'K', 'N']);
const SCHILY = 'SCHILY.xattr.';
const LIBARCHIVE = 'LIBARCHIVE.xattr.';

type State =
  | { kind: 'header'; block: Uint8Array; filled: number }
  | { kind: 'meta'; global: boolean; body: Uint8Array; filled: number; padding: number }
  | { kind: 'skip'; remaining: number };

const newHeader = (): State => ({ kind: 'header', block: new Uint8Array(BLOCK), filled: 0 });
const padded = (size: number): number => Math.ceil(size / BLOCK) * BLOCK;

/** Size field: octal text, or base-256 when the top bit of its first byte is set (GNU, for > 8 GiB). */
function headerSize(block: Uint8Array): number {
  const field = block.subarray(124, 136);
  if ((field[0] ?? 0) & 0x80) {
    let value = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const text = new TextDecoder().decode(field).replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function decodeName(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

function base64Bytes(text: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** PAX records: "<length> <key>=<value>\n", length in decimal bytes counting the whole record. */
export function paxRecords(body: Uint8Array): Map<string, Uint8Array> {
  const records = new Map<string, Uint8Array>();
  const utf8 = new TextDecoder();
  for (let at = 0; at < body.length; ) {
    const space = body.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number(utf8.decode(body.subarray(at, space)));
    if (!Number.isInteger(length) || length <= space - at + 1 || at + length > body.length) {
      throw new PoddError('Invalid', `bad layer tar: malformed PAX record at byte ${at}`);
    }
    const record = body.subarray(space + 1, at + length - 1);
    const equals = record.indexOf(0x3d);
    if (equals > 0) records.set(utf8.decode(record.subarray(0, equals)), record.subarray(equals + 1));
    at += length;
  }
  return records;
}

/** The xattrs named by a PAX header's records; an empty value (a deletion, in global headers) is kept as empty. */
function xattrsOf(records: Map<string, Uint8Array>): Map<string, Uint8Array | undefined> {
  const xattrs = new Map<string, Uint8Array | undefined>();
  for (const [key, value] of records) {
    if (key.startsWith(SCHILY)) xattrs.set(key.slice(SCHILY.length), value);
    else if (key.startsWith(LIBARCHIVE)) {
      xattrs.set(decodeName(key.slice(LIBARCHIVE.length)), base64Bytes(new TextDecoder().decode(value)));
    }
  }
  return xattrs;
}

export class TarXattrScanner {
  #state: State = newHeader();
  #global = new Map<string, Uint8Array | undefined>();
  #local = new Map<string, Uint8Array | undefined>();
  /** A PAX `size` record overrides the next entry's header size. */
  #nextSize: number | undefined;
  readonly #entries: Xattr[][] = [];

  /** Follows more of the stream; call with every chunk, before the parser sees it. */
  push(chunk: Uint8Array): void {
    for (let at = 0; at < chunk.length; ) {
      const state = this.#state;
      if (state.kind === 'skip') {
        const n = Math.min(state.remaining, chunk.length - at);
        state.remaining -= n;
        at += n;
        if (state.remaining === 0) this.#state = newHeader();
      } else if (state.kind === 'header') {
        const n = Math.min(BLOCK - state.filled, chunk.length - at);
        state.block.set(chunk.subarray(at, at + n), state.filled);
        state.filled += n;
        at += n;
        if (state.filled === BLOCK) this.#header(state.block);
      } else {
        const n = Math.min(state.body.length - state.filled, chunk.length - at);
        state.body.set(chunk.subarray(at, at + n), state.filled);
        state.filled += n;
        at += n;
        if (state.filled === state.body.length) this.#meta(state.body, state.global, state.padding);
      }
    }
  }

  /** The xattrs of the next ordinary entry (file, directory, link, device), in archive order. */
  take(): Xattr[] {
    return this.#entries.shift() ?? [];
  }

  #header(block: Uint8Array): void {
    if (block.every((byte) => byte === 0)) {
      this.#state = newHeader();
      return;
    }
    const type = String.fromCharCode(block[156] ?? 0);
    const size = headerSize(block);
    const isPax = PAX_LOCAL.has(type) || type === PAX_GLOBAL;
    if (isPax && size > 0 && size <= MAX_META_BYTES) {
      this.#state = { kind: 'meta', global: type === PAX_GLOBAL, body: new Uint8Array(size), filled: 0, padding: padded(size) - size };
      return;
    }
    if (isPax || GNU_META.has(type)) {
      this.#skip(padded(size));
      return;
    }
    const merged = new Map([...this.#global, ...this.#local]);
    this.#entries.push([...merged].flatMap(([name, value]) => (value === undefined || value.length === 0 ? [] : [{ name, value }])));
    const bodySize = this.#nextSize ?? size;
    this.#local = new Map();
    this.#nextSize = undefined;
    this.#skip(padded(bodySize));
  }

  #meta(body: Uint8Array, global: boolean, padding: number): void {
    const records = paxRecords(body);
    const xattrs = xattrsOf(records);
    if (global) {
      for (const [name, value] of xattrs) this.#global.set(name, value);
    } else {
      for (const [name, value] of xattrs) this.#local.set(name, value);
      const size = records.get('size');
      if (size !== undefined) this.#nextSize = Number(new TextDecoder().decode(size));
    }
    this.#skip(padding);
  }

  #skip(bytes: number): void {
    this.#state = bytes === 0 ? newHeader() : { kind: 'skip', remaining: bytes };
  }
}
