// Test helper: writes tar archives entry by entry, including ones no well-behaved tool would
// produce ("../evil", absolute paths), which is what the safety tests need.
import { readFileSync } from 'node:fs';
import { Header } from 'tar';

export interface TarEntrySpec {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'FIFO';
  body?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  linkpath?: string;
  mtime?: Date;
  /** Written as SCHILY.xattr PAX records (as GNU tar and Go's archive/tar do), values byte for byte. */
  xattrs?: Record<string, Buffer | string>;
}

/** One PAX record: "<length> <key>=<value>\n", where the length counts its own digits. */
function paxRecord(key: string, value: Buffer): Buffer {
  const rest = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let length = rest.length + 1;
  while (String(length).length + rest.length !== length) length++;
  return Buffer.concat([Buffer.from(String(length)), rest]);
}

function padded(body: Buffer): Buffer[] {
  return [body, Buffer.alloc((512 - (body.length % 512)) % 512)];
}

/** security.capability for cap_net_raw+ep: VFS_CAP_REVISION_2 with the effective flag, permitted bit 13. */
export const NET_RAW_FILE_CAPABILITY = Buffer.from([0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, ...new Array<number>(12).fill(0)]);

const FIXED_TIME = new Date('2024-01-02T03:04:05Z');

/** bin/ with the host's static busybox and the named applets linked to it; `busybox` adds to busybox's own entry. */
export function busyboxEntries(applets: readonly string[], busybox: Partial<TarEntrySpec> = {}): TarEntrySpec[] {
  return [
    { path: 'bin/', type: 'Directory' },
    { path: 'bin/busybox', body: readFileSync('/bin/busybox'), mode: 0o755, ...busybox },
    ...applets.map((a): TarEntrySpec => ({ path: `bin/${a}`, type: 'SymbolicLink', linkpath: 'busybox' })),
  ];
}

export function buildTar(entries: TarEntrySpec[]): Buffer {
  const blocks: Buffer[] = [];
  for (const spec of entries) {
    const type = spec.type ?? 'File';
    const body = typeof spec.body === 'string' ? Buffer.from(spec.body) : (spec.body ?? Buffer.alloc(0));
    const header = new Header({
      path: spec.path,
      type,
      mode: spec.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      uid: spec.uid ?? 0,
      gid: spec.gid ?? 0,
      size: type === 'File' ? body.length : 0,
      mtime: spec.mtime ?? FIXED_TIME,
      ...(spec.linkpath === undefined ? {} : { linkpath: spec.linkpath }),
    });
    if (spec.xattrs !== undefined) {
      const records = Buffer.concat(Object.entries(spec.xattrs).map(([name, value]) =>
        paxRecord(`SCHILY.xattr.${name}`, typeof value === 'string' ? Buffer.from(value) : value)));
      const pax = Buffer.alloc(512);
      new Header({ path: 'PaxHeaders/x', type: 'ExtendedHeader', size: records.length, mtime: FIXED_TIME }).encode(pax, 0);
      blocks.push(pax, ...padded(records));
    }
    const block = Buffer.alloc(512);
    if (header.encode(block, 0)) throw new Error(`test tar: "${spec.path}" needs a pax header; keep test paths short`);
    blocks.push(block);
    if (type === 'File' && body.length > 0) {
      blocks.push(...padded(body));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
