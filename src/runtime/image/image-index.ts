// index.json of the image store: which names point at which image, and which layer directories
// are committed. Replaced atomically on every change, so readers never need the lock.
import { readFile } from 'node:fs/promises';
import { PoddError } from '../../core/errors.js';
import { parseImageRef } from '../../core/image/ref.js';
import { isErrno, writeFileAtomic } from './fs-util.js';
import type { ImageRecord } from './types.js';

export type IndexEntry = Omit<ImageRecord, 'name'>;

export interface LayerEntry {
  /** Uncompressed bytes. */
  size: number;
  /**
   * Set while no image references the layer yet (a pull or import in progress): the layer is kept
   * until this RFC 3339 time, or until a prune finds its owner process `pid` gone.
   */
  lease?: { until: string; pid: number };
}

export interface IndexFile {
  version: 1;
  images: Record<string, IndexEntry>;
  layers: Record<string, LayerEntry>;
}

const idPattern = /^sha256:[a-f0-9]{64}$/;
const idPrefixPattern = /^(?:sha256:)?([a-f0-9]{12,64})$/;

export function toRecord(name: string, entry: IndexEntry): ImageRecord {
  return { name, ...entry };
}

export async function readIndex(file: string): Promise<IndexFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return { version: 1, images: {}, layers: {} };
    throw err;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new PoddError('Internal', `image index ${file} is corrupt`, { cause: err });
  }
  if (typeof doc !== 'object' || doc === null || !('images' in doc) || !('layers' in doc)) {
    throw new PoddError('Internal', `image index ${file} is corrupt`);
  }
  return doc as IndexFile;
}

export function writeIndex(file: string, index: IndexFile): Promise<void> {
  return writeFileAtomic(file, JSON.stringify(index, null, 2));
}

/**
 * Images matching a name, a repo digest ("registry/repo@sha256:…" of a pulled image), an id, or a
 * unique id prefix (all names of that id).
 */
export function findImages(index: IndexFile, ref: string): ImageRecord[] {
  const byId = (match: (id: string) => boolean): ImageRecord[] => {
    const hits = Object.entries(index.images)
      .filter(([, entry]) => match(entry.id))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, entry]) => toRecord(name, entry));
    return new Set(hits.map((image) => image.id)).size === 1 ? hits : [];
  };
  if (idPattern.test(ref)) return byId((id) => id === ref);
  const prefix = idPrefixPattern.exec(ref)?.[1];
  if (ref.length !== 64 || prefix === undefined) {
    const parsed = parseImageRef(ref);
    const entry = index.images[parsed.normalized];
    if (entry !== undefined) return [toRecord(parsed.normalized, entry)];
    if (parsed.digest !== undefined) {
      const repoDigest = `${parsed.registry}/${parsed.repository}@${parsed.digest}`;
      const hit = Object.entries(index.images).find(([, e]) => e.repoDigests?.includes(repoDigest));
      if (hit !== undefined) return [toRecord(hit[0], hit[1])];
    }
  }
  return prefix === undefined ? [] : byId((id) => id.startsWith(`sha256:${prefix}`));
}
