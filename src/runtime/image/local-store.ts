// The on-disk image store. Layout under <root>/images:
//   index.json               names -> image records, plus the committed layers (see image-index.ts)
//   index.lock               flock'd while index.json changes: several podd processes share the store
//   blobs/sha256/<hex>       image config blobs (the image id is their digest)
//   layers/<diffid-hex>/     one unpacked layer each, shared by every image that uses it
//   downloads/<hex>          verified layer blobs of a pull not finished yet (a retry resumes from them)
//   tmp/                     scratch space for archives that must be extracted first
// A layer is unpacked under a temporary name and renamed into place under the lock, together with
// its index entry; anything else under layers/ is a leftover of a crash and is deleted. Scratch
// names carry the owner's pid (fs-util's tempName), so cleanup never touches a live process's work.
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readlink, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PoddError, wrap } from '../../core/errors.js';
import { parseImageRef, type ImageRef } from '../../core/image/ref.js';
import { openImageArchive } from './archive.js';
import { withFileLock } from './file-lock.js';
import { exists, isStaleTemp, processGone, relativeParts, syncDir, writeFileAtomic } from './fs-util.js';
import { findImages, readIndex, toRecord, writeIndex, type IndexEntry, type IndexFile } from './image-index.js';
import { ociArchitecture, parseImageConfig, rootfsImageConfig } from './image-config.js';
import { digestHex, layerDiffID, stageLayer, type StagedLayer } from './layers.js';
import { RegistryPuller } from './registry/puller.js';
import type { RegistrySettings } from './registry/settings.js';
import type { ImageRecord, ImageStore, PullOptions, PullResult } from './types.js';

export interface LocalImageStoreOptions {
  now?: () => Date;
  /** GOARCH to pick from multi-platform OCI indexes; defaults to this host's. */
  architecture?: string;
  /** Registry access for pulls: insecure registries, where the node's docker config is. */
  registry?: RegistrySettings;
}

/** How long a layer no image uses yet is kept for the pull or import that added it. */
const LEASE_MS = 24 * 60 * 60 * 1000;
/** Verified downloads of a pull that never finished are kept this long for a retry to resume from. */
const DOWNLOAD_KEEP_MS = 24 * 60 * 60 * 1000;

export interface CommitImageRequest {
  name: string;
  configBytes: Uint8Array;
  /** diffIDs, lowest first; each must be committed (commitLayer) or already present. */
  diffIDs: string[];
  repoDigest?: string;
}

export class LocalImageStore implements ImageStore {
  readonly dir: string;
  readonly layersDir: string;
  readonly downloadsDir: string;
  readonly architecture: string;
  private readonly blobsDir: string;
  private readonly tmpDir: string;
  private readonly indexFile: string;
  private readonly lockFile: string;
  private readonly now: () => Date;
  private readonly puller: RegistryPuller;
  private queue: Promise<unknown> = Promise.resolve();
  private initialized = false;

  constructor(root: string, options: LocalImageStoreOptions = {}) {
    this.dir = join(root, 'images');
    this.layersDir = join(this.dir, 'layers');
    this.downloadsDir = join(this.dir, 'downloads');
    this.blobsDir = join(this.dir, 'blobs', 'sha256');
    this.tmpDir = join(this.dir, 'tmp');
    this.indexFile = join(this.dir, 'index.json');
    this.lockFile = join(this.dir, 'index.lock');
    this.now = options.now ?? (() => new Date());
    this.architecture = options.architecture ?? ociArchitecture(process.arch);
    this.puller = new RegistryPuller(this, options.registry ?? {});
  }

  async importArchive(file: string, name: string): Promise<ImageRecord> {
    const ref = parseImageRef(name);
    try {
      return await this.importFrom(file, ref);
    } catch (err) {
      throw wrap(err, `failed to import image ${ref.normalized} from "${file}"`);
    }
  }

  pull(ref: string, options: PullOptions = {}): Promise<PullResult> {
    return this.puller.pull(ref, options);
  }

  async resolve(ref: string): Promise<ImageRecord | undefined> {
    return findImages(await readIndex(this.indexFile), ref)[0];
  }

  async list(): Promise<ImageRecord[]> {
    const index = await readIndex(this.indexFile);
    return Object.keys(index.images)
      .sort()
      .flatMap((name) => {
        const entry = index.images[name];
        return entry === undefined ? [] : [toRecord(name, entry)];
      });
  }

  /** Uncompressed layer sizes by diffID, for garbage collection. */
  async layerSizes(): Promise<Record<string, number>> {
    const index = await readIndex(this.indexFile);
    return Object.fromEntries(Object.entries(index.layers).map(([diffID, layer]) => [diffID, layer.size]));
  }

  async remove(ref: string): Promise<void> {
    await this.exclusive(async (index) => {
      const found = findImages(index, ref);
      if (found.length === 0) throw new PoddError('NotFound', `image "${ref}" not found`);
      for (const image of found) delete index.images[image.name];
      await this.commit(index);
    });
  }

  async markUsed(ref: string): Promise<void> {
    await this.exclusive(async (index) => {
      const found = findImages(index, ref);
      if (found.length === 0) throw new PoddError('NotFound', `image "${ref}" not found`);
      const now = this.now().toISOString();
      for (const image of found) {
        const entry = index.images[image.name];
        if (entry !== undefined) entry.lastUsed = now;
      }
      await writeIndex(this.indexFile, index);
    });
  }

  layerDirs(image: ImageRecord): string[] {
    return image.layers.map((diffID) => this.layerDir(diffID));
  }

  layerDir(diffID: string): string {
    return join(this.layersDir, digestHex(diffID));
  }

  /** Creates the layout and clears what crashed processes left (done by any first change anyway). */
  async prepare(): Promise<void> {
    await this.exclusive(async () => undefined);
  }

  /**
   * Which of `diffIDs` are committed; those get a fresh lease, so that no removal sweeps them away
   * before the image that needs them is committed.
   */
  async claimLayers(diffIDs: readonly string[]): Promise<Set<string>> {
    return this.exclusive(async (index) => {
      const present = new Set<string>();
      for (const diffID of diffIDs) {
        const layer = index.layers[diffID];
        if (layer === undefined || !(await exists(this.layerDir(diffID)))) continue;
        present.add(diffID);
        if (!this.isReferenced(index, diffID)) layer.lease = this.lease();
      }
      if (present.size > 0) await writeIndex(this.indexFile, index);
      return present;
    });
  }

  /** Renames a staged layer into place (or drops it when another pull got there first), leased. */
  async commitLayer(staged: StagedLayer): Promise<void> {
    await this.exclusive(async (index) => {
      const final = this.layerDir(staged.diffID);
      const known = index.layers[staged.diffID];
      if (known !== undefined && (await exists(final))) {
        await rm(staged.dir, { recursive: true, force: true });
        if (!this.isReferenced(index, staged.diffID)) known.lease = this.lease();
      } else {
        // A directory under the final name but not in the index is a crash leftover (renamed, index never written).
        await rm(final, { recursive: true, force: true });
        await rename(staged.dir, final);
        await syncDir(this.layersDir);
        index.layers[staged.diffID] = { size: staged.size, lease: this.lease() };
      }
      await writeIndex(this.indexFile, index);
    });
  }

  /** Names `request.name` as the image made of the config and committed layers. */
  async commitImage(request: CommitImageRequest): Promise<ImageRecord> {
    const parsed = parseImageConfig(request.configBytes);
    if (parsed.diffIDs.join() !== request.diffIDs.join()) {
      throw new PoddError('Invalid', `image config lists layers ${parsed.diffIDs.join(', ')}, not ${request.diffIDs.join(', ')}`);
    }
    const hex = createHash('sha256').update(request.configBytes).digest('hex');
    return this.exclusive(async (index) => {
      for (const diffID of request.diffIDs) {
        if (index.layers[diffID] === undefined || !(await exists(this.layerDir(diffID)))) {
          throw new PoddError('Unavailable', `layer ${diffID} was removed while the image was being added; try again`);
        }
      }
      const blob = join(this.blobsDir, hex);
      if (!(await exists(blob))) await writeFileAtomic(blob, request.configBytes);
      const id = `sha256:${hex}`;
      const now = this.now().toISOString();
      const previous = index.images[request.name];
      const entry: IndexEntry = {
        id,
        layers: request.diffIDs,
        config: parsed.config,
        size: request.diffIDs.reduce((sum, diffID) => sum + (index.layers[diffID]?.size ?? 0), 0),
        created: parsed.created ?? (previous?.id === id ? previous.created : now),
        lastUsed: now,
      };
      if (request.repoDigest !== undefined) entry.repoDigests = [request.repoDigest];
      index.images[request.name] = entry;
      for (const diffID of request.diffIDs) {
        const layer = index.layers[diffID];
        if (layer !== undefined) delete layer.lease;
      }
      // A re-tag can orphan the layers of the image that had this name before.
      await this.commit(index);
      return toRecord(request.name, entry);
    });
  }

  /** Ends the leases of `diffIDs` (an import that failed), removing those no image uses. */
  async releaseLayers(diffIDs: readonly string[]): Promise<void> {
    if (diffIDs.length === 0) return;
    await this.exclusive(async (index) => {
      for (const diffID of diffIDs) {
        const layer = index.layers[diffID];
        if (layer !== undefined) delete layer.lease;
      }
      await this.commit(index);
    });
  }

  /** Drops leases whose owner process is gone (`podd image prune`): they only served a resume. */
  async releaseOrphanedLeases(): Promise<void> {
    await this.exclusive(async (index) => {
      for (const layer of Object.values(index.layers)) {
        if (layer.lease !== undefined && processGone(layer.lease.pid)) delete layer.lease;
      }
      await this.commit(index);
      for (const name of await readdir(this.downloadsDir)) {
        if (!name.includes('.tmp-') || isStaleTemp(name)) await rm(join(this.downloadsDir, name), { force: true });
      }
    });
  }

  private async importFrom(file: string, ref: ImageRef): Promise<ImageRecord> {
    await this.prepare();
    const source = await openImageArchive(file, ref, { scratchDir: this.tmpDir, architecture: this.architecture });
    const added: string[] = [];
    try {
      let configBytes = source.configBytes;
      const parsed = configBytes === undefined ? undefined : parseImageConfig(configBytes);
      if (parsed !== undefined && parsed.diffIDs.length !== source.layers.length) {
        throw new PoddError('Invalid', `image config lists ${parsed.diffIDs.length} layers, the archive has ${source.layers.length}`);
      }
      const diffIDs: string[] = [];
      for (const [i, layer] of source.layers.entries()) {
        // Without a config (rootfs tarball) hash first: an already-stored layer is then not unpacked again.
        const diffID = parsed?.diffIDs[i] ?? (await layerDiffID(layer.path)).diffID;
        if (!(await this.claimLayers([diffID])).has(diffID)) {
          await this.commitLayer(await stageLayer(layer, this.layersDir, diffID));
          added.push(diffID);
        }
        diffIDs.push(diffID);
      }
      if (configBytes === undefined) {
        const only = diffIDs[0] ?? '';
        configBytes = rootfsImageConfig(only, await hasShell(this.layerDir(only)), this.architecture);
      }
      return await this.commitImage({ name: ref.normalized, configBytes, diffIDs });
    } catch (err) {
      // Layers this import added are complete but unreferenced: drop them now rather than at lease end.
      await this.releaseLayers(added).catch(() => undefined);
      throw err;
    } finally {
      await source.cleanup();
    }
  }

  private lease(): { until: string; pid: number } {
    return { until: new Date(this.now().getTime() + LEASE_MS).toISOString(), pid: process.pid };
  }

  private isReferenced(index: IndexFile, diffID: string): boolean {
    return Object.values(index.images).some((image) => image.layers.includes(diffID));
  }

  /** Writes the index, then deletes layers and configs it no longer references. */
  private async commit(index: IndexFile): Promise<void> {
    const used = new Set(Object.values(index.images).flatMap((image) => image.layers));
    const now = this.now().toISOString();
    for (const [diffID, layer] of Object.entries(index.layers)) {
      if (!used.has(diffID) && (layer.lease === undefined || layer.lease.until < now)) delete index.layers[diffID];
    }
    await writeIndex(this.indexFile, index);
    await this.sweep(index);
  }

  /** Deletes layer directories and config blobs `index` does not know; scratch dirs of live processes stay. */
  private async sweep(index: IndexFile): Promise<void> {
    const keepLayers = new Set(Object.keys(index.layers).map(digestHex));
    const usedBlobs = new Set(Object.values(index.images).map((image) => digestHex(image.id)));
    for (const name of await readdir(this.layersDir)) {
      const scratch = name.includes('.tmp-');
      if ((scratch && isStaleTemp(name)) || (!scratch && !keepLayers.has(name))) {
        await rm(join(this.layersDir, name), { recursive: true, force: true });
      }
    }
    for (const name of await readdir(this.blobsDir)) {
      if (!usedBlobs.has(name)) await rm(join(this.blobsDir, name), { force: true });
    }
  }

  /** Creates the layout and clears what crashed processes left behind (under the lock). */
  private async init(index: IndexFile): Promise<void> {
    for (const dir of [this.layersDir, this.blobsDir, this.tmpDir, this.downloadsDir]) await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(this.tmpDir)) {
      if (isStaleTemp(name)) await rm(join(this.tmpDir, name), { recursive: true, force: true });
    }
    const oldest = this.now().getTime() - DOWNLOAD_KEEP_MS;
    for (const name of await readdir(this.downloadsDir)) {
      const path = join(this.downloadsDir, name);
      const stale = name.includes('.tmp-') ? isStaleTemp(name) : (await stat(path)).mtimeMs < oldest;
      if (stale) await rm(path, { force: true });
    }
    await this.commit(index);
  }

  /**
   * Mutations run one at a time in this process and under index.lock across processes, each on
   * a fresh read of the index. Readers need no lock: the index is replaced atomically.
   */
  private exclusive<T>(fn: (index: IndexFile) => Promise<T>): Promise<T> {
    const locked = async (): Promise<T> => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      return withFileLock(this.lockFile, async () => {
        if (!this.initialized) {
          await this.init(await readIndex(this.indexFile));
          this.initialized = true;
        }
        return fn(await readIndex(this.indexFile));
      });
    };
    const run = this.queue.then(locked, locked);
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
