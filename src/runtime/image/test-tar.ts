// Test helper: writes tar archives entry by entry, including ones no well-behaved tool would
// produce ("../evil", absolute paths), which is what the safety tests need.
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
}

const FIXED_TIME = new Date('2024-01-02T03:04:05Z');

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
    const block = Buffer.alloc(512);
    if (header.encode(block, 0)) throw new Error(`test tar: "${spec.path}" needs a pax header; keep test paths short`);
    blocks.push(block);
    if (type === 'File' && body.length > 0) {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
