// Extended attributes of tar entries, read from the PAX records beside node-tar's parser.
//
// node-tar drops `SCHILY.xattr.*` records and decodes PAX headers as UTF-8 text, which would corrupt binary
// values such as `security.capability`. This scanner follows the same stream block by block (headers only; file
// bodies are skipped, never copied) and records, for every ordinary entry in archive order, the xattrs its PAX
// headers carried. Writers that produce them: GNU tar (`--xattrs`), Go's archive/tar (docker, buildkit,
// containerd) with SCHILY.xattr; libarchive (bsdtar) with LIBARCHIVE.xattr, whose name is URL-encoded and whose
// value is base64.
//
// Where a body ends follows node-tar 7's rules (header.js, pax.js): PAX `size` (local, then global) over the header's,
// negative or non-numeric sizes ignored, directories without a body, its null-block test. Each entry also carries its
// header checksum, so the caller can check that both parsers are at the same entry.
import { PoddError } from '../errors.js';

export interface Xattr {
  name: string;
  value: Uint8Array;
}

export interface ScannedEntry {
  /** The header's checksum as tar computes it: equal to node-tar's `header.cksum` for the same (valid) header. */
  checksum: number;
  xattrs: Xattr[];
}

const BLOCK = 512;
/** node-tar ignores (and podd then refuses) PAX headers larger than this; past it, none are read here either. */
const MAX_META_BYTES = 1024 * 1024;
const PAX_LOCAL = new Set(['x', 'X']);
const PAX_GLOBAL = 'g';
/** GNU long names (whose body is the next entry's path) and links: bodies that describe the next entry. */
const GNU_LONG_NAMES = new Set(['L', 'N']);
const GNU_LONG_LINK = 'K';
/** node-tar's normalFsTypes: the entries PAX headers apply to ('' is a NUL typeflag, an old-style file). */
const NORMAL_TYPES = new Set(['0', '', '1', '2', '3', '4', '5', '6', '7', 'D']);
const SCHILY = 'SCHILY.xattr.';
const LIBARCHIVE = 'LIBARCHIVE.xattr.';

type MetaKind = 'local' | 'global' | 'longName';

type State =
  | { kind: 'header'; block: Uint8Array; filled: number }
  | { kind: 'meta'; meta: MetaKind; body: Uint8Array; filled: number; padding: number }
  | { kind: 'skip'; remaining: number };

const newHeader = (): State => ({ kind: 'header', block: new Uint8Array(BLOCK), filled: 0 });
const padded = (size: number): number => Math.ceil(size / BLOCK) * BLOCK;

/** A numeric field as node-tar reads it: base-256 when the top bit is set, else octal text up to a NUL. */
function numberField(block: Uint8Array, offset: number, length: number): number | undefined {
  const field = block.subarray(offset, offset + length);
  if ((field[0] ?? 0) & 0x80) {
    let value = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const value = parseInt(new TextDecoder().decode(field).replace(/\0.*$/s, '').trim(), 8);
  return Number.isNaN(value) ? undefined : value;
}

/** The header checksum: every byte, the checksum field counted as spaces. */
function checksumOf(block: Uint8Array): number {
  let sum = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += block[i] ?? 0;
  return sum;
}

/** node-tar's null block: nothing but zeros outside a checksum field that holds no number. */
function isNullBlock(block: Uint8Array): boolean {
  return checksumOf(block) === 8 * 0x20 && numberField(block, 148, 12) === undefined;
}

/** A PAX size as node-tar takes it (pax.js): the number before any NUL, when it is not negative. */
function paxSize(value: Uint8Array): number | undefined {
  const size = Number(new TextDecoder().decode(value).replace(/\0.*$/s, ''));
  return size >= 0 ? size : undefined;
}

function nameField(block: Uint8Array): string {
  return new TextDecoder().decode(block.subarray(0, 100)).replace(/\0.*$/s, '');
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
  #globalSize: number | undefined;
  /** The next entry's PAX `size` and path (PAX `path` or a GNU long name), which node-tar gives precedence. */
  #localSize: number | undefined;
  #localPath: string | undefined;
  readonly #entries: ScannedEntry[] = [];

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
        if (state.filled === state.body.length) this.#meta(state.body, state.meta, state.padding);
      }
    }
  }

  /** The next ordinary entry (file, directory, link, device), in archive order; undefined past the last. */
  take(): ScannedEntry | undefined {
    return this.#entries.shift();
  }

  #header(block: Uint8Array): void {
    if (isNullBlock(block)) {
      this.#state = newHeader();
      return;
    }
    const byte = block[156] ?? 0;
    const type = byte === 0 ? '' : String.fromCharCode(byte);
    const headerSize = numberField(block, 124, 12) ?? 0;
    const meta: MetaKind | undefined = PAX_LOCAL.has(type) ? 'local' : type === PAX_GLOBAL ? 'global' : GNU_LONG_NAMES.has(type) ? 'longName' : undefined;
    if (meta !== undefined || type === GNU_LONG_LINK) {
      // A header that describes the next entry takes no PAX size itself, as in node-tar.
      if (meta !== undefined && headerSize > 0 && headerSize <= MAX_META_BYTES) {
        this.#state = { kind: 'meta', meta, body: new Uint8Array(headerSize), filled: 0, padding: padded(headerSize) - headerSize };
      } else {
        this.#skip(padded(headerSize));
      }
      return;
    }
    const normal = NORMAL_TYPES.has(type);
    const path = (normal ? this.#localPath : undefined) ?? nameField(block);
    const directory = type === '5' || ((type === '0' || type === '') && path.endsWith('/'));
    const size = directory ? 0 : (normal ? this.#localSize ?? this.#globalSize : undefined) ?? headerSize;
    const merged = normal ? new Map([...this.#global, ...this.#local]) : new Map<string, Uint8Array | undefined>();
    const xattrs = [...merged].flatMap(([name, value]) => (value === undefined || value.length === 0 ? [] : [{ name, value }]));
    this.#entries.push({ checksum: checksumOf(block), xattrs });
    this.#local = new Map();
    this.#localSize = undefined;
    this.#localPath = undefined;
    this.#skip(padded(size));
  }

  #meta(body: Uint8Array, meta: MetaKind, padding: number): void {
    if (meta === 'longName') {
      this.#localPath = new TextDecoder().decode(body).replace(/\0.*$/s, '');
    } else {
      const records = paxRecords(body);
      const size = records.get('size');
      const path = records.get('path');
      for (const [name, value] of xattrsOf(records)) (meta === 'global' ? this.#global : this.#local).set(name, value);
      if (meta === 'global') {
        if (size !== undefined) this.#globalSize = paxSize(size) ?? this.#globalSize;
      } else {
        if (size !== undefined) this.#localSize = paxSize(size) ?? this.#localSize;
        if (path !== undefined) this.#localPath = new TextDecoder().decode(path);
      }
    }
    this.#skip(padding);
  }

  #skip(bytes: number): void {
    this.#state = bytes === 0 ? newHeader() : { kind: 'skip', remaining: bytes };
  }
}
