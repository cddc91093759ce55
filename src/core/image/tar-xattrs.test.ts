import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PoddError } from '../errors.js';
import { TarXattrScanner, paxRecords } from './tar-xattrs.js';

const utf8 = new TextEncoder();

/** A ustar header block: only the fields the scanner reads (name, size, type). */
function header(type: string, size: number, name = 'f', base256 = false): Uint8Array {
  const block = new Uint8Array(512);
  block.set(utf8.encode(name), 0);
  if (base256) {
    block[124] = 0x80;
    for (let i = 135, rest = size; i > 124; i--, rest = Math.floor(rest / 256)) block[i] = rest % 256;
  } else {
    block.set(utf8.encode(size.toString(8).padStart(11, '0') + '\0'), 124);
  }
  block[156] = type.charCodeAt(0);
  return block;
}

function record(key: string, value: Uint8Array | string): Uint8Array {
  const rest = [utf8.encode(` ${key}=`), typeof value === 'string' ? utf8.encode(value) : value, utf8.encode('\n')];
  const restLength = rest.reduce((n, part) => n + part.length, 0);
  let length = restLength + 1;
  while (String(length).length + restLength !== length) length++;
  return concat([utf8.encode(String(length)), ...rest]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A header followed by its body, padded to whole blocks. */
function member(type: string, body: Uint8Array | number, opts: { headerSize?: number; base256?: boolean; name?: string } = {}): Uint8Array {
  const bytes = typeof body === 'number' ? new Uint8Array(body).fill(0x41) : body;
  const pad = new Uint8Array((512 - (bytes.length % 512)) % 512);
  return concat([header(type, opts.headerSize ?? bytes.length, opts.name, opts.base256), bytes, pad]);
}

const pax = (type: 'x' | 'g', ...records: Uint8Array[]): Uint8Array => member(type, concat(records));
const END = new Uint8Array(1024);

/** The xattrs of the first `entries` entries; 'none' where the scanner saw no entry. */
function scan(archive: Uint8Array, chunkSize = archive.length, entries = 0): ({ name: string; value: number[] }[] | 'none')[] {
  const scanner = new TarXattrScanner();
  for (let at = 0; at < archive.length; at += chunkSize) scanner.push(archive.subarray(at, at + chunkSize));
  return Array.from({ length: entries }, () => scanner.take()?.xattrs.map((x) => ({ name: x.name, value: [...x.value] })) ?? 'none');
}

const BINARY = new Uint8Array([0x01, 0x00, 0x00, 0x02, 0x0a, 0xff, 0x3d, 0x20]);

const cases: { name: string; archive: Uint8Array; entries: number; want: ({ name: string; value: number[] }[] | 'none')[] }[] = [
  {
    name: 'entries without PAX headers have no xattrs',
    archive: concat([member('5', 0), member('0', 700), member('2', 0), END]),
    entries: 3, want: [[], [], []],
  },
  {
    name: 'a binary SCHILY value (NUL, newline, "=", 0xff) is kept byte for byte',
    archive: concat([pax('x', record('SCHILY.xattr.security.capability', BINARY)), member('0', 10), END]),
    entries: 1, want: [[{ name: 'security.capability', value: [...BINARY] }]],
  },
  {
    name: 'a local header belongs to the next entry only',
    archive: concat([member('0', 3), pax('x', record('SCHILY.xattr.user.a', '1')), member('0', 3), member('0', 3), END]),
    entries: 3, want: [[], [{ name: 'user.a', value: [0x31] }], []],
  },
  {
    name: 'LIBARCHIVE records: URL-encoded name, base64 value',
    archive: concat([pax('x', record('LIBARCHIVE.xattr.user.with%20space', btoa('hi'))), member('0', 1), END]),
    entries: 1, want: [[{ name: 'user.with space', value: [0x68, 0x69] }]],
  },
  {
    name: 'a global header applies to every later entry; a local one overrides it; an empty value removes it',
    archive: concat([
      pax('g', record('SCHILY.xattr.user.g', 'G')),
      member('0', 1),
      pax('x', record('SCHILY.xattr.user.g', 'L')),
      member('0', 1),
      pax('g', record('SCHILY.xattr.user.g', '')),
      member('0', 1),
      END,
    ]),
    entries: 3, want: [[{ name: 'user.g', value: [0x47] }], [{ name: 'user.g', value: [0x4c] }], []],
  },
  {
    name: 'other PAX keys (path, mtime) are not xattrs',
    archive: concat([pax('x', record('path', 'a/very/long/name'), record('mtime', '1.5'), record('SCHILY.xattr.user.k', 'v')), member('0', 1), END]),
    entries: 1, want: [[{ name: 'user.k', value: [0x76] }]],
  },
  {
    name: 'GNU long names and links are not entries, and their bodies are skipped',
    archive: concat([member('L', 600), member('K', 100), pax('x', record('SCHILY.xattr.user.x', 'y')), member('0', 0), END]),
    entries: 1, want: [[{ name: 'user.x', value: [0x79] }]],
  },
  {
    name: 'a PAX size record decides how much body follows the next header',
    archive: concat([pax('x', record('size', '1300')), member('0', 1300, { headerSize: 0 }), pax('x', record('SCHILY.xattr.user.n', '2')), member('0', 0), END]),
    entries: 2, want: [[], [{ name: 'user.n', value: [0x32] }]],
  },
  {
    name: 'a base-256 size field (GNU, for large files)',
    archive: concat([member('0', 1025, { base256: true }), pax('x', record('SCHILY.xattr.user.b', 'c')), member('0', 0), END]),
    entries: 2, want: [[], [{ name: 'user.b', value: [0x63] }]],
  },
  {
    name: 'a body that looks like a PAX header is skipped as data',
    archive: concat([member('0', pax('x', record('SCHILY.xattr.user.fake', 'no'))), member('0', 0), END]),
    entries: 2, want: [[], []],
  },
  {
    name: 'past the last entry there is none',
    archive: concat([member('0', 1), END, new Uint8Array(8192)]),
    entries: 2, want: [[], 'none'],
  },
  {
    name: 'a directory has no body, whatever its size field says (node-tar); nor has an old-style "name/" file',
    archive: concat([header('5', 4096), header('0', 4096, 'old-dir/'), pax('x', record('SCHILY.xattr.user.d', 'e')), member('0', 0), END]),
    entries: 3, want: [[], [], [{ name: 'user.d', value: [0x65] }]],
  },
  {
    name: 'a global PAX size applies to later entries; a local one wins over it',
    archive: concat([pax('g', record('size', '600')), member('0', 600, { headerSize: 0 }), pax('x', record('size', '10')), member('0', 10, { headerSize: 0 }),
      pax('x', record('SCHILY.xattr.user.z', 'y')), member('0', 600, { headerSize: 0 }), END]),
    entries: 3, want: [[], [], [{ name: 'user.z', value: [0x79] }]],
  },
  {
    name: 'negative or non-numeric PAX sizes are ignored, as node-tar ignores them',
    archive: concat([pax('x', record('size', '-5'), record('SCHILY.xattr.user.n', '1')), member('0', 3), pax('x', record('size', 'lots')), member('0', 2), pax('x', record('SCHILY.xattr.user.m', '2')), member('0', 0), END]),
    entries: 3, want: [[{ name: 'user.n', value: [0x31] }], [], [{ name: 'user.m', value: [0x32] }]],
  },
  {
    name: 'a zero block whose checksum field holds no number is a null block, not an entry',
    archive: concat([(() => {
      const block = new Uint8Array(512);
      block.set(utf8.encode('garbage!'), 148);
      return block;
    })(), member('0', 0), END]),
    entries: 2, want: [[], 'none'],
  },
  {
    name: 'a GNU long name ending in "/" makes an old-style file a directory',
    archive: concat([member('L', utf8.encode('some/long/dir/\0')), header('0', 1024), pax('x', record('SCHILY.xattr.user.after', 'x')), member('0', 0), END]),
    entries: 2, want: [[], [{ name: 'user.after', value: [0x78] }]],
  },
];

for (const c of cases) {
  test(`tar xattrs: ${c.name}`, () => {
    assert.deepEqual(scan(c.archive, undefined, c.entries), c.want);
  });
  test(`tar xattrs, fed in 1-, 7- and 511-byte chunks: ${c.name}`, () => {
    for (const size of [1, 7, 511]) assert.deepEqual(scan(c.archive, size, c.entries), c.want, `chunks of ${size}`);
  });
}

test('tar xattrs: a PAX record whose length runs past the header is refused', () => {
  const body = utf8.encode('99 SCHILY.xattr.user.a=1\n');
  assert.throws(() => scan(concat([member('x', body), member('0', 0)])), (err: unknown) => err instanceof PoddError && err.code === 'Invalid');
});

test('paxRecords: lengths count bytes, not characters', () => {
  const records = paxRecords(concat([record('path', 'ünïcödé'), record('SCHILY.xattr.user.e', '')]));
  assert.equal(new TextDecoder().decode(records.get('path')), 'ünïcödé');
  assert.deepEqual([...(records.get('SCHILY.xattr.user.e') ?? [9])], []);
});
