// Layer blobs on disk -> unpacked, content-addressed layer directories.
// A layer directory is named by its diffID (sha256 of the uncompressed tar) and appears only
// by rename (the store's, under its lock), after its content has been fully written and checked.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline, Transform, type Readable } from 'node:stream';
import { PoddError } from '../../core/errors.js';
import { applyLayer } from './apply-layer.js';
import { compressionOf, corruptData, decompressor, isZlibError } from './decompress.js';
import { tempName } from './fs-util.js';

export interface LayerSource {
  /** A layer tar, plain or compressed with gzip or zstd. */
  path: string;
  /** Expected diffID when the image config names it. */
  diffID?: string;
  /** Expected digest of the file as stored (OCI descriptors), "sha256:…" or "sha512:…". */
  digest?: string;
}

const digestPattern = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isDigest(value: string): boolean {
  return digestPattern.test(value);
}

export function digestHex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}

/** The uncompressed tar stream of a layer, feeding `diff` (and `raw`, for the stored bytes) as it goes. */
async function* layerTar(path: string, hashes: { diff: Hash; raw?: Hash }, size: { bytes: number }): AsyncGenerator<Buffer> {
  const compression = await compressionOf(path);
  const decompress = decompressor(compression, `layer "${path}"`);
  // 1 MiB reads: fewer, larger chunks through gunzip, both hashes and the tar parser.
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hashes.raw?.update(chunk);
      callback(null, chunk);
    },
  });
  const ignore = (): void => {};
  const out: Readable = decompress === undefined ? pipeline(file, tap, ignore) : pipeline(file, tap, decompress, ignore);
  try {
    for await (const chunk of out as AsyncIterable<Buffer>) {
      hashes.diff.update(chunk);
      size.bytes += chunk.length;
      yield chunk;
    }
  } catch (err) {
    if (isZlibError(err)) throw corruptData(`layer "${path}"`, compression, err);
    throw err;
  } finally {
    out.destroy();
    file.destroy();
  }
}

/** Computes a layer's diffID without unpacking it (to find out whether we already have it). */
export async function layerDiffID(path: string): Promise<{ diffID: string; size: number }> {
  const diff = createHash('sha256');
  const size = { bytes: 0 };
  for await (const _chunk of layerTar(path, { diff }, size)) {
    // hashing happens inside layerTar
  }
  return { diffID: `sha256:${diff.digest('hex')}`, size: size.bytes };
}

export interface StagedLayer {
  diffID: string;
  /** A fully written and verified layer directory under a temporary name (see LocalImageStore.commitLayer). */
  dir: string;
  /** Uncompressed size in bytes. */
  size: number;
}

/**
 * Unpacks `source` into `<layersDir>/<hex>.tmp-<pid>-<random>`, checking its diffID (and the
 * digest of the stored bytes when known). The store renames it into place under its lock; on
 * failure nothing is left behind.
 */
export async function stageLayer(source: LayerSource, layersDir: string, diffID: string): Promise<StagedLayer> {
  const tmp = join(layersDir, tempName(digestHex(diffID)));
  await mkdir(tmp, { mode: 0o755 });
  try {
    const diff = createHash('sha256');
    const algorithm = source.digest?.slice(0, source.digest.indexOf(':'));
    const raw = algorithm === undefined ? undefined : createHash(algorithm);
    const size = { bytes: 0 };
    await applyLayer(layerTar(source.path, raw === undefined ? { diff } : { diff, raw }, size), tmp);
    const gotDiff = `sha256:${diff.digest('hex')}`;
    if (gotDiff !== diffID) {
      throw new PoddError('Invalid', `layer "${source.path}" has diffID ${gotDiff}, but the image expects ${diffID}`);
    }
    if (raw !== undefined && source.digest !== undefined) {
      const gotRaw = `${algorithm ?? ''}:${raw.digest('hex')}`;
      if (gotRaw !== source.digest) {
        throw new PoddError('Invalid', `layer "${source.path}" has digest ${gotRaw}, but the manifest says ${source.digest}`);
      }
    }
    return { diffID, dir: tmp, size: size.bytes };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
