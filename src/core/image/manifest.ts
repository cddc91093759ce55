// The OCI / Docker distribution documents podd reads: image manifests, manifest lists / OCI
// indexes, and the choice of one manifest for this node's platform. Pure: bytes are parsed by
// the caller (JSON.parse) and handed in with the Content-Type the registry sent.
import { PoddError } from '../errors.js';

export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

/** What podd asks registries for (the Accept header), most wanted first. */
export const MANIFEST_ACCEPT = [MediaType.ociIndex, MediaType.dockerList, MediaType.ociManifest, MediaType.dockerManifest];

const INDEX_TYPES: ReadonlySet<string> = new Set([MediaType.ociIndex, MediaType.dockerList]);
const MANIFEST_TYPES: ReadonlySet<string> = new Set([MediaType.ociManifest, MediaType.dockerManifest]);
const CONFIG_TYPES: ReadonlySet<string> = new Set([MediaType.ociConfig, MediaType.dockerConfig]);

/** Layer media types and how their bytes are compressed. */
const LAYER_TYPES: Readonly<Record<string, 'gzip' | 'none' | 'zstd'>> = {
  'application/vnd.oci.image.layer.v1.tar': 'none',
  'application/vnd.oci.image.layer.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd': 'zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar': 'none',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd': 'zstd',
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip': 'gzip',
};

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
}

export type ManifestDocument =
  | { kind: 'index'; mediaType: string; manifests: Descriptor[] }
  | { kind: 'manifest'; mediaType: string; config: Descriptor; layers: Descriptor[] };

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

function invalid(message: string): PoddError {
  return new PoddError('Invalid', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function descriptor(value: unknown, where: string): Descriptor {
  if (!isObject(value)) throw invalid(`${where}: not a descriptor object`);
  const { mediaType, digest, size, platform } = value;
  if (typeof digest !== 'string' || !DIGEST.test(digest)) throw invalid(`${where}: invalid digest ${JSON.stringify(digest)}`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid(`${where}: invalid size ${JSON.stringify(size)}`);
  if (typeof mediaType !== 'string' || mediaType === '') throw invalid(`${where}: missing mediaType`);
  const out: Descriptor = { mediaType, digest, size };
  if (isObject(platform) && typeof platform['os'] === 'string' && typeof platform['architecture'] === 'string') {
    out.platform = { os: platform['os'], architecture: platform['architecture'] };
    if (typeof platform['variant'] === 'string' && platform['variant'] !== '') out.platform.variant = platform['variant'];
  }
  return out;
}

function descriptorList(value: unknown, where: string): Descriptor[] {
  if (!Array.isArray(value)) throw invalid(`${where} must be a list`);
  return value.map((item, i) => descriptor(item, `${where}[${i}]`));
}

/** A Content-Type without parameters; generic JSON types say nothing about which document it is. */
function declaredType(contentType: string | undefined): string | undefined {
  const bare = contentType?.split(';')[0]?.trim().toLowerCase();
  return bare === undefined || bare === '' || bare === 'application/json' || bare === 'text/plain' || bare === 'application/octet-stream'
    ? undefined
    : bare;
}

/**
 * Classifies and validates a manifest or index. The media type comes from the document's own
 * `mediaType`, else the Content-Type, else its shape (OCI allows omitting it); the two must agree
 * when both are present, as the OCI spec requires.
 */
export function parseManifestDocument(doc: unknown, contentType?: string): ManifestDocument {
  if (!isObject(doc)) throw invalid('manifest is not a JSON object');
  const header = declaredType(contentType);
  const own = typeof doc['mediaType'] === 'string' ? doc['mediaType'] : undefined;
  if (own !== undefined && header !== undefined && own !== header) {
    throw invalid(`manifest says mediaType ${own} but the registry sent Content-Type ${header}`);
  }
  const mediaType = own ?? header ?? (Array.isArray(doc['manifests']) ? MediaType.ociIndex : MediaType.ociManifest);
  if (mediaType === MediaType.dockerSchema1 || mediaType === MediaType.dockerSchema1Signed || doc['schemaVersion'] === 1) {
    throw invalid('Docker image manifest schema 1 is deprecated and not supported: push the image again with a current client');
  }
  if (doc['schemaVersion'] !== 2) throw invalid(`unsupported manifest schemaVersion ${JSON.stringify(doc['schemaVersion'])}`);
  if (INDEX_TYPES.has(mediaType)) {
    return { kind: 'index', mediaType, manifests: descriptorList(doc['manifests'], 'manifests') };
  }
  if (!MANIFEST_TYPES.has(mediaType)) throw invalid(`unsupported manifest media type ${mediaType}`);
  const config = descriptor(doc['config'], 'config');
  if (!CONFIG_TYPES.has(config.mediaType)) {
    throw invalid(`not a container image: config media type is ${config.mediaType}`);
  }
  const layers = descriptorList(doc['layers'], 'layers');
  for (const layer of layers) layerCompression(layer);
  return { kind: 'manifest', mediaType, config, layers };
}

/** How a layer blob is compressed; throws for media types that are not image layers. */
export function layerCompression(layer: Descriptor): 'gzip' | 'none' | 'zstd' {
  const kind = LAYER_TYPES[layer.mediaType];
  if (kind === undefined) throw invalid(`layer ${layer.digest} has unsupported media type ${layer.mediaType}`);
  return kind;
}

const ARCH_ALIASES: Readonly<Record<string, string>> = {
  x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm', i386: '386', i686: '386',
};

/** containerd's platforms.Normalize: canonical architecture names and the variants a missing one means. */
export function normalizePlatform(p: Platform): Required<Platform> {
  const os = p.os.toLowerCase();
  const architecture = ARCH_ALIASES[p.architecture.toLowerCase()] ?? p.architecture.toLowerCase();
  let variant = (p.variant ?? '').toLowerCase();
  if (architecture === 'amd64' && variant === '') variant = 'v1';
  if (architecture === 'arm64' && (variant === '' || variant === '8')) variant = 'v8';
  if (architecture === 'arm' && variant === '') variant = 'v7';
  if (architecture === 'arm' && /^[5-8]$/.test(variant)) variant = `v${variant}`;
  return { os, architecture, variant };
}

/**
 * How well an image platform suits this host: 0 is an exact variant, higher is an older variant
 * this CPU still runs (amd64 v3 runs v2 and v1, arm v7 runs v6 and v5); undefined is unusable.
 */
export function platformRank(image: Platform, host: Platform): number | undefined {
  const want = normalizePlatform(host);
  const got = normalizePlatform(image);
  if (got.os !== want.os || got.architecture !== want.architecture) return undefined;
  const level = (v: string): number => Number(/^v(\d+)$/.exec(v)?.[1] ?? NaN);
  if (got.variant === want.variant) return 0;
  const g = level(got.variant);
  const w = level(want.variant);
  if (Number.isNaN(g) || Number.isNaN(w) || g > w) return undefined;
  return w - g;
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, ...(p.variant === undefined ? [] : [p.variant])].join('/');
}

/** The index entry for `host`: the best-ranked one, the first of equals. Throws NotFound listing what there is. */
export function selectManifest(manifests: readonly Descriptor[], host: Platform): Descriptor {
  let best: { d: Descriptor; rank: number } | undefined;
  for (const d of manifests) {
    if (d.platform === undefined || (!MANIFEST_TYPES.has(d.mediaType) && !INDEX_TYPES.has(d.mediaType))) continue;
    const rank = platformRank(d.platform, host);
    if (rank !== undefined && (best === undefined || rank < best.rank)) best = { d, rank };
  }
  if (best !== undefined) return best.d;
  const available = manifests.flatMap((d) => (d.platform === undefined ? [] : [formatPlatform(d.platform)]));
  throw new PoddError(
    'NotFound',
    `no matching manifest for ${formatPlatform(host)} in the manifest list entries` +
      (available.length === 0 ? '' : ` (available: ${[...new Set(available)].join(', ')})`),
  );
}
