// Unpacks one layer tar stream into a directory: node-tar's Parser reads the entries, and
// LayerWriter writes them (see there for why not node-tar's Unpack).
import { readFile } from 'node:fs/promises';
import { Parser, type ReadEntry } from 'tar';
import { PoddError, wrap } from '../../core/errors.js';
import { TarXattrScanner } from '../../core/image/tar-xattrs.js';
import { LayerWriter, type Creator } from './layer-writer.js';

export type { Creator } from './layer-writer.js';

/** This process as a file creator (umask from /proc: process.umask() cannot read it without setting it). */
export async function processCreator(): Promise<Creator> {
  const status = await readFile('/proc/self/status', 'utf8');
  const umask = /^Umask:\s*([0-7]+)$/m.exec(status)?.[1];
  return {
    uid: process.geteuid?.() ?? 0,
    gid: process.getegid?.() ?? 0,
    // Unknown umask: assume the strictest, so chmod is never wrongly skipped.
    umask: umask === undefined ? 0o777 : parseInt(umask, 8),
  };
}

function tarError(err: unknown): PoddError {
  const message = err instanceof Error ? err.message : String(err);
  return new PoddError('Invalid', `bad layer tar: ${message}`, { cause: err });
}

/**
 * Applies an uncompressed layer tar, given as chunks, to `dir` (an existing, empty directory).
 * Throws PoddError('Invalid') for malformed or unsafe archives (errors thrown by `chunks` pass
 * through with their code, others become Internal); the caller discards `dir` on failure.
 */
export async function applyLayer(chunks: AsyncIterable<Uint8Array>, dir: string, creator?: Creator): Promise<void> {
  const writer = new LayerWriter(dir, creator ?? (await processCreator()));
  const parser = new Parser({ strict: true });
  const xattrs = new TarXattrScanner();
  let failure: unknown;
  let work: Promise<void> = Promise.resolve();
  let wakeFeeder: (() => void) | undefined;
  const fail = (err: unknown): void => {
    failure ??= err;
    wakeFeeder?.();
  };

  // The parser emits one entry at a time (the next after this one ends), so chaining keeps order.
  parser.on('entry', (entry: ReadEntry) => {
    // Taken now, in the parser's order: the scanner has already read this entry's header. Were the two ever at
    // different entries, xattrs would land on the wrong files: the layer is refused instead.
    const scanned = xattrs.take();
    if (scanned?.checksum !== entry.header.cksum) {
      fail(new PoddError('Invalid', `bad layer tar: entry "${entry.path}" is not where the xattr scanner expected it`));
    }
    work = work.then(async () => {
      try {
        if (failure === undefined) await writer.apply(entry, scanned?.xattrs ?? []);
      } catch (err) {
        fail(err);
      } finally {
        entry.resume();
      }
    });
  });
  parser.on('ignoredEntry', (entry: ReadEntry) => {
    fail(new PoddError('Invalid', `layer entry "${entry.path}" has unsupported type ${entry.type}`));
  });
  parser.on('error', (err: unknown) => fail(tarError(err)));
  const ended = new Promise<void>((resolve) => parser.once('end', () => resolve()));

  try {
    for await (const chunk of chunks) {
      if (failure !== undefined) break;
      xattrs.push(chunk);
      if (!parser.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
        await new Promise<void>((resolve) => {
          wakeFeeder = resolve;
          parser.once('drain', () => resolve());
        });
        wakeFeeder = undefined;
      }
    }
  } catch (err) {
    fail(err);
  }
  // Ending the parser also ends an entry cut short, so a writer waiting for its body returns.
  parser.end();
  if (failure === undefined) await Promise.race([ended, new Promise<void>((resolve) => (wakeFeeder = resolve))]);
  for (let settled: Promise<void> | undefined; settled !== work; ) {
    settled = work;
    await settled;
  }
  if (failure === undefined) await writer.finish().catch(fail);
  await writer.drain();
  if (failure !== undefined) throw failure instanceof PoddError ? failure : wrap(failure, 'failed to unpack layer');
}
