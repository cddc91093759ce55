// Finds the image inside an archive: a plain rootfs tarball, a `docker save` tarball, or an OCI
// image layout (directory or tar). Produces the config bytes and the layer files, lowest first;
// unpacking is the store's job.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract, list, type ReadEntry } from 'tar';
import { PoddError } from '../../core/errors.js';
import { parseImageRef, type ImageRef } from '../../core/image/ref.js';
import { compressionOf, zstdDecompressor } from './decompress.js';
import { exists, resolveInside } from './fs-util.js';
import { parseJson } from './image-config.js';
import { digestHex, isDigest, type LayerSource } from './layers.js';

export type ArchiveKind = 'rootfs' | 'docker-save' | 'oci-layout';

export interface ImageSource {
  kind: ArchiveKind;
  /** Undefined for a rootfs tarball: the store writes a config once it knows the diffID. */
  configBytes?: Uint8Array;
  layers: LayerSource[];
  /** Removes the scratch copy of an archive that had to be extracted. */
  cleanup(): Promise<void>;
}

const MAX_METADATA_BYTES = 4 << 20;

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
]);

function invalid(message: string): PoddError {
  return new PoddError('Invalid', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameImage(candidate: string, name: ImageRef): boolean {
  try {
    return parseImageRef(candidate).normalized === name.normalized;
  } catch {
    return false;
  }
}

/** Top-level names in a tar, to tell the three formats apart. */
async function topLevelNames(file: string): Promise<Set<string>> {
  const names = new Set<string>();
  try {
    await list({
      file,
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        const parts = entry.path.split('/').filter((part) => part !== '' && part !== '.');
        if (parts.length === 1 && parts[0] !== undefined) names.add(parts[0]);
      },
    });
  } catch (err) {
    throw new PoddError('Invalid', `"${file}" is not a tar archive or an OCI layout directory`, { cause: err });
  }
  return names;
}

interface ScratchDir {
  dir: string;
  cleanup(): Promise<void>;
}

/** A directory under the store's scratch area, named so that the store clears it if this process dies. */
async function scratchDir(options: OpenOptions): Promise<ScratchDir> {
  const dir = await mkdtemp(join(options.scratchDir, `archive.tmp-${process.pid}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The archive as a tar node-tar can read: plain and gzip ones as they are; a zstd one decompressed into a scratch
 * file first, since node-tar knows zstd only through node's zlib, which has it from Node 22.15.
 */
async function readableTar(file: string, options: OpenOptions): Promise<{ path: string; cleanup(): Promise<void> }> {
  if ((await compressionOf(file)) !== 'zstd') return { path: file, cleanup: async () => {} };
  const scratch = await scratchDir(options);
  const path = join(scratch.dir, 'archive.tar');
  try {
    await pipeline(createReadStream(file), zstdDecompressor(`archive "${file}"`), createWriteStream(path, { mode: 0o600 }));
  } catch (err) {
    await scratch.cleanup();
    throw err;
  }
  return { path, cleanup: scratch.cleanup };
}

export interface OpenOptions {
  /** Where a tar that must be extracted is unpacked (same filesystem as the store). */
  scratchDir: string;
  /** GOARCH of this host, to pick from multi-platform OCI indexes. */
  architecture: string;
}

export async function openImageArchive(file: string, name: ImageRef, options: OpenOptions): Promise<ImageSource> {
  const info = await stat(file).catch(() => {
    throw new PoddError('NotFound', `image archive "${file}" not found`);
  });
  if (info.isDirectory()) return readLayoutDir(file, name, options.architecture, async () => {});

  const tar = await readableTar(file, options);
  let names: Set<string>;
  try {
    names = await topLevelNames(tar.path);
  } catch (err) {
    await tar.cleanup();
    throw err;
  }
  if (!names.has('manifest.json') && !names.has('oci-layout')) {
    return { kind: 'rootfs', layers: [{ path: tar.path }], cleanup: tar.cleanup };
  }
  // Layers can appear anywhere in the tar (manifest.json often comes last), so extract first.
  const { dir, cleanup: removeDir } = await scratchDir(options).catch(async (err: unknown) => {
    await tar.cleanup();
    throw err;
  });
  const cleanup = async (): Promise<void> => {
    await removeDir();
    await tar.cleanup();
  };
  try {
    await extract({ file: tar.path, cwd: dir, strict: true, preserveOwner: false }).catch((err: unknown) => {
      throw new PoddError('Invalid', `cannot extract "${file}": ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    });
    return await readLayoutDir(dir, name, options.architecture, cleanup);
  } catch (err) {
    await cleanup();
    throw err;
  }
}

async function readLayoutDir(dir: string, name: ImageRef, arch: string, cleanup: () => Promise<void>): Promise<ImageSource> {
  // Docker 25+ writes both manifest.json and an OCI layout; manifest.json names the images plainly.
  if (await exists(join(dir, 'manifest.json'))) return readDockerSave(dir, name, cleanup);
  if (await exists(join(dir, 'oci-layout'))) return readOciLayout(dir, name, arch, cleanup);
  throw invalid(`"${dir}" has neither manifest.json (docker save) nor oci-layout (OCI image layout)`);
}

async function readSmallFile(base: string, path: string, what: string): Promise<Buffer> {
  const real = await resolveInside(base, path, what);
  const info = await stat(real);
  if (info.size > MAX_METADATA_BYTES) throw invalid(`${what} "${path}" is too large (${info.size} bytes)`);
  return readFile(real);
}

async function readDockerSave(dir: string, name: ImageRef, cleanup: () => Promise<void>): Promise<ImageSource> {
  const manifest = parseJson(await readSmallFile(dir, 'manifest.json', 'manifest'), 'manifest.json');
  if (!Array.isArray(manifest) || manifest.length === 0 || !manifest.every(isObject)) {
    throw invalid('manifest.json must be a non-empty list of images');
  }
  const tagged = manifest.filter((image) => {
    const tags = image['RepoTags'];
    return Array.isArray(tags) && tags.some((tag) => typeof tag === 'string' && sameImage(tag, name));
  });
  const chosen = tagged[0] ?? (manifest.length === 1 ? manifest[0] : undefined);
  if (chosen === undefined) {
    throw invalid(`archive holds ${manifest.length} images and none is tagged ${name.normalized}`);
  }
  const configPath = chosen['Config'];
  const layers = chosen['Layers'];
  if (typeof configPath !== 'string') throw invalid('manifest.json: Config must be a string');
  if (!Array.isArray(layers) || !layers.every((layer): layer is string => typeof layer === 'string')) {
    throw invalid('manifest.json: Layers must be a list of strings');
  }
  const configBytes = await readSmallFile(dir, configPath, 'image config');
  const sources: LayerSource[] = [];
  for (const layer of layers) sources.push({ path: await resolveInside(dir, layer, 'layer') });
  return { kind: 'docker-save', configBytes, layers: sources, cleanup };
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  annotations: Record<string, unknown>;
  platform: Record<string, unknown>;
}

function descriptor(value: unknown, where: string): Descriptor {
  if (!isObject(value) || typeof value['digest'] !== 'string' || !isDigest(value['digest'])) {
    throw invalid(`${where}: descriptor without a valid digest`);
  }
  const result: Descriptor = {
    digest: value['digest'],
    annotations: isObject(value['annotations']) ? value['annotations'] : {},
    platform: isObject(value['platform']) ? value['platform'] : {},
  };
  if (typeof value['mediaType'] === 'string') result.mediaType = value['mediaType'];
  return result;
}

function descriptors(value: unknown, where: string): Descriptor[] {
  if (!Array.isArray(value)) throw invalid(`${where} must be a list`);
  return value.map((item, i) => descriptor(item, `${where}[${i}]`));
}

function blobPath(digest: string): string {
  return join('blobs', digest.slice(0, digest.indexOf(':')), digestHex(digest));
}

async function readBlob(dir: string, desc: Descriptor, what: string): Promise<Buffer> {
  const bytes = await readSmallFile(dir, blobPath(desc.digest), what);
  const algorithm = desc.digest.slice(0, desc.digest.indexOf(':'));
  const got = `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
  if (got !== desc.digest) throw invalid(`${what} blob ${desc.digest} has digest ${got}`);
  return bytes;
}

async function readOciLayout(dir: string, name: ImageRef, arch: string, cleanup: () => Promise<void>): Promise<ImageSource> {
  const layout = parseJson(await readSmallFile(dir, 'oci-layout', 'oci-layout'), 'oci-layout');
  if (!isObject(layout) || typeof layout['imageLayoutVersion'] !== 'string') {
    throw invalid('oci-layout: imageLayoutVersion missing');
  }
  const index = parseJson(await readSmallFile(dir, 'index.json', 'index'), 'index.json');
  if (!isObject(index)) throw invalid('index.json must be an object');
  const top = descriptors(index['manifests'], 'index.json manifests');
  const named = top.filter((d) => {
    const full = d.annotations['io.containerd.image.name'];
    const ref = d.annotations['org.opencontainers.image.ref.name'];
    return (typeof full === 'string' && sameImage(full, name)) ||
      (typeof ref === 'string' && (ref === name.tag || sameImage(ref, name)));
  });
  let chosen = named[0] ?? (top.length === 1 ? top[0] : undefined);
  if (chosen === undefined) throw invalid(`OCI layout holds ${top.length} images and none is named ${name.normalized}`);

  // Follow nested indexes down to the manifest for this host's platform.
  for (let depth = 0; ; depth++) {
    if (depth > 4) throw invalid('OCI index nesting is too deep');
    const bytes = await readBlob(dir, chosen, 'manifest');
    const doc = parseJson(bytes, `blob ${chosen.digest}`);
    if (!isObject(doc)) throw invalid(`blob ${chosen.digest} is not a JSON object`);
    const mediaType = chosen.mediaType ?? (typeof doc['mediaType'] === 'string' ? doc['mediaType'] : undefined);
    const isIndex = mediaType !== undefined ? INDEX_TYPES.has(mediaType) : Array.isArray(doc['manifests']);
    if (!isIndex) {
      if (mediaType !== undefined && !MANIFEST_TYPES.has(mediaType)) throw invalid(`unsupported manifest media type ${mediaType}`);
      return manifestSource(dir, doc, cleanup);
    }
    const children = descriptors(doc['manifests'], `index ${chosen.digest}`);
    const matching = children.filter((d) => d.platform['os'] === 'linux' && d.platform['architecture'] === arch);
    const next = matching[0] ?? (children.length === 1 ? children[0] : undefined);
    if (next === undefined) throw invalid(`OCI index ${chosen.digest} has no linux/${arch} image`);
    chosen = next;
  }
}

async function manifestSource(dir: string, manifest: Record<string, unknown>, cleanup: () => Promise<void>): Promise<ImageSource> {
  const config = descriptor(manifest['config'], 'manifest config');
  const configBytes = await readBlob(dir, config, 'image config');
  const layers: LayerSource[] = [];
  for (const layer of descriptors(manifest['layers'], 'manifest layers')) {
    layers.push({ path: await resolveInside(dir, blobPath(layer.digest), 'layer blob'), digest: layer.digest });
  }
  return { kind: 'oci-layout', configBytes, layers, cleanup };
}
