// The on-disk image store. Layout under <root>/images:
//   index.json               names -> image records, plus the sizes of committed layers
//   blobs/sha256/<hex>       image config blobs (the image id is their digest)
//   layers/<diffid-hex>/     one unpacked layer each, shared by every image that uses it
//   tmp/                     scratch space for archives that must be extracted first
// A layer directory counts only once index.json lists it; anything else under layers/ is a
// leftover of an interrupted import and is deleted.
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PoddError, wrap } from '../../core/errors.js';
import { parseImageRef } from '../../core/image/ref.js';
import { openImageArchive } from './archive.js';
import { exists, isErrno, relativeParts, writeFileAtomic } from './fs-util.js';
import { ociArchitecture, parseImageConfig, rootfsImageConfig } from './image-config.js';
import { digestHex, layerDiffID, unpackLayer } from './layers.js';
import type { ImageRecord, ImageStore } from './types.js';

export interface LocalImageStoreOptions {
  now?: () => Date;
  /** GOARCH to pick from multi-platform OCI indexes; defaults to this host's. */
  architecture?: string;
}

type IndexEntry = Omit<ImageRecord, 'name'>;

interface IndexFile {
  version: 1;
  images: Record<string, IndexEntry>;
  layers: Record<string, { size: number }>;
}

const idPattern = /^sha256:[a-f0-9]{64}$/;
const idPrefixPattern = /^(?:sha256:)?([a-f0-9]{12,64})$/;

function toRecord(name: string, entry: IndexEntry): ImageRecord {
  return { name, ...entry };
}

export class LocalImageStore implements ImageStore {
  private readonly dir: string;
  private readonly layersDir: string;
  private readonly blobsDir: string;
  private readonly tmpDir: string;
  private readonly indexFile: string;
  private readonly now: () => Date;
  private readonly architecture: string;
  private queue: Promise<unknown> = Promise.resolve();
  private initialized = false;

  constructor(root: string, options: LocalImageStoreOptions = {}) {
    this.dir = join(root, 'images');
    this.layersDir = join(this.dir, 'layers');
    this.blobsDir = join(this.dir, 'blobs', 'sha256');
    this.tmpDir = join(this.dir, 'tmp');
    this.indexFile = join(this.dir, 'index.json');
    this.now = options.now ?? (() => new Date());
    this.architecture = options.architecture ?? ociArchitecture(process.arch);
  }

  async importArchive(file: string, name: string): Promise<ImageRecord> {
    const ref = parseImageRef(name);
    return this.exclusive(async () => {
      try {
        return await this.importLocked(file, ref.normalized, ref);
      } catch (err) {
        throw wrap(err, `failed to import image ${ref.normalized} from "${file}"`);
      }
    });
  }

  async resolve(ref: string): Promise<ImageRecord | undefined> {
    return this.find(await this.readIndex(), ref)[0];
  }

  async list(): Promise<ImageRecord[]> {
    const index = await this.readIndex();
    return Object.keys(index.images)
      .sort()
      .flatMap((name) => {
        const entry = index.images[name];
        return entry === undefined ? [] : [toRecord(name, entry)];
      });
  }

  async remove(ref: string): Promise<void> {
    await this.exclusive(async () => {
      await this.init();
      const index = await this.readIndex();
      const found = this.find(index, ref);
      if (found.length === 0) throw new PoddError('NotFound', `image "${ref}" not found`);
      for (const image of found) delete index.images[image.name];
      await this.commit(index);
    });
  }

  async markUsed(ref: string): Promise<void> {
    await this.exclusive(async () => {
      const index = await this.readIndex();
      const found = this.find(index, ref);
      if (found.length === 0) throw new PoddError('NotFound', `image "${ref}" not found`);
      const now = this.now().toISOString();
      for (const image of found) {
        const entry = index.images[image.name];
        if (entry !== undefined) entry.lastUsed = now;
      }
      await writeFileAtomic(this.indexFile, JSON.stringify(index, null, 2));
    });
  }

  layerDirs(image: ImageRecord): string[] {
    return image.layers.map((diffID) => join(this.layersDir, digestHex(diffID)));
  }

  private async importLocked(file: string, name: string, ref: ReturnType<typeof parseImageRef>): Promise<ImageRecord> {
    await this.init();
    const source = await openImageArchive(file, ref, { scratchDir: this.tmpDir, architecture: this.architecture });
    try {
      const index = await this.readIndex();
      let configBytes = source.configBytes;
      let parsed = configBytes === undefined ? undefined : parseImageConfig(configBytes);
      if (parsed !== undefined && parsed.diffIDs.length !== source.layers.length) {
        throw new PoddError('Invalid', `image config lists ${parsed.diffIDs.length} layers, the archive has ${source.layers.length}`);
      }

      const diffIDs: string[] = [];
      for (const [i, layer] of source.layers.entries()) {
        // Without a config (rootfs tarball) hash first: an already-stored layer is then not unpacked again.
        const diffID = parsed?.diffIDs[i] ?? (await layerDiffID(layer.path)).diffID;
        const known = index.layers[diffID];
        if (known === undefined || !(await exists(join(this.layersDir, digestHex(diffID))))) {
          index.layers[diffID] = { size: await unpackLayer(layer, this.layersDir, diffID) };
        }
        diffIDs.push(diffID);
      }

      if (configBytes === undefined || parsed === undefined) {
        const only = diffIDs[0] ?? '';
        const shell = await hasShell(join(this.layersDir, digestHex(only)));
        configBytes = rootfsImageConfig(only, shell, this.architecture);
        parsed = parseImageConfig(configBytes);
      }
      const hex = createHash('sha256').update(configBytes).digest('hex');
      const blob = join(this.blobsDir, hex);
      if (!(await exists(blob))) await writeFileAtomic(blob, configBytes);

      const id = `sha256:${hex}`;
      const now = this.now().toISOString();
      const previous = index.images[name];
      const entry: IndexEntry = {
        id,
        layers: diffIDs,
        config: parsed.config,
        size: diffIDs.reduce((sum, diffID) => sum + (index.layers[diffID]?.size ?? 0), 0),
        created: parsed.created ?? (previous?.id === id ? previous.created : now),
        lastUsed: now,
      };
      index.images[name] = entry;
      // A re-tag can orphan the layers of the image that had this name before.
      await this.commit(index);
      return toRecord(name, entry);
    } catch (err) {
      // Layers already unpacked for this image are complete but unreferenced: drop them.
      await this.sweep(await this.readIndex());
      throw err;
    } finally {
      await source.cleanup();
    }
  }

  /** Images matching a name, an id, or a unique id prefix (all names of that id). */
  private find(index: IndexFile, ref: string): ImageRecord[] {
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
      const name = parseImageRef(ref).normalized;
      const entry = index.images[name];
      if (entry !== undefined) return [toRecord(name, entry)];
    }
    return prefix === undefined ? [] : byId((id) => id.startsWith(`sha256:${prefix}`));
  }

  /** Writes the index, then deletes layers and configs it no longer references. */
  private async commit(index: IndexFile): Promise<void> {
    const usedLayers = new Set(Object.values(index.images).flatMap((image) => image.layers));
    for (const diffID of Object.keys(index.layers)) if (!usedLayers.has(diffID)) delete index.layers[diffID];
    await writeFileAtomic(this.indexFile, JSON.stringify(index, null, 2));
    await this.sweep(index);
  }

  /** Deletes layer directories and config blobs that no image in `index` references. */
  private async sweep(index: IndexFile): Promise<void> {
    const images = Object.values(index.images);
    const usedLayers = new Set(images.flatMap((image) => image.layers));
    const usedBlobs = new Set(images.map((image) => digestHex(image.id)));
    const keepLayers = new Set([...usedLayers].map(digestHex));
    for (const name of await readdir(this.layersDir)) {
      if (!keepLayers.has(name)) await rm(join(this.layersDir, name), { recursive: true, force: true });
    }
    for (const name of await readdir(this.blobsDir)) {
      if (!usedBlobs.has(name)) await rm(join(this.blobsDir, name), { force: true });
    }
  }

  /** Creates the layout and clears what an interrupted import left behind. */
  private async init(): Promise<void> {
    if (this.initialized) return;
    for (const dir of [this.layersDir, this.blobsDir, this.tmpDir]) await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(this.tmpDir)) await rm(join(this.tmpDir, name), { recursive: true, force: true });
    for (const name of await readdir(this.layersDir)) {
      if (name.includes('.tmp-')) await rm(join(this.layersDir, name), { recursive: true, force: true });
    }
    this.initialized = true;
  }

  private async readIndex(): Promise<IndexFile> {
    let text: string;
    try {
      text = await readFile(this.indexFile, 'utf8');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return { version: 1, images: {}, layers: {} };
      throw err;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new PoddError('Internal', `image index ${this.indexFile} is corrupt`, { cause: err });
    }
    if (typeof doc !== 'object' || doc === null || !('images' in doc) || !('layers' in doc)) {
      throw new PoddError('Internal', `image index ${this.indexFile} is corrupt`);
    }
    return doc as IndexFile;
  }

  /** Mutations run one at a time; readers need no lock because the index is replaced atomically. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** Whether a rootfs has /bin/sh, following a /bin symlink (merged /usr) inside the rootfs only. */
async function hasShell(rootfs: string): Promise<boolean> {
  const bin = await lstat(join(rootfs, 'bin')).catch(() => undefined);
  if (bin === undefined) return false;
  let binDir = join(rootfs, 'bin');
  if (bin.isSymbolicLink()) {
    try {
      binDir = join(rootfs, ...relativeParts((await readlink(binDir)).replace(/^\/+/, ''), 'bin link'));
    } catch {
      return false;
    }
  } else if (!bin.isDirectory()) {
    return false;
  }
  return exists(join(binDir, 'sh'));
}
