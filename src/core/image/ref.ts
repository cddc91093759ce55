// Image reference parsing with Docker's normalization (distribution/reference's
// ParseNormalizedNamed + TagNameOnly), so "busybox" and "docker.io/library/busybox:latest"
// name the same image everywhere in podd.
import { PoddError } from '../errors.js';

export interface ImageRef {
  /** Registry host[:port], e.g. "docker.io" or "localhost:5000". */
  registry: string;
  /** Path inside the registry, e.g. "library/busybox". */
  repository: string;
  tag?: string;
  /** "<algorithm>:<hex>", e.g. "sha256:…". */
  digest?: string;
  /** registry/repository[:tag][@digest]; ":latest" is added when neither tag nor digest is given. */
  normalized: string;
}

export const DEFAULT_REGISTRY = 'docker.io';
export const DEFAULT_TAG = 'latest';
const NAME_MAX = 255;

// Grammar from distribution/reference (the one containerd, CRI-O and docker share).
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const host = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])`;
const domain = `${host}(?::[0-9]+)?`;
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const name = `(?:${domain}/)?${pathComponent}(?:/${pathComponent})*`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const referencePattern = new RegExp(`^(${name})(?::(${tag}))?(?:@(${digest}))?$`);
const bareIdPattern = /^[a-f0-9]{64}$/;

const digestHexLength: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

function invalid(ref: string, reason: string): PoddError {
  return new PoddError('Invalid', `couldn't parse image reference "${ref}": ${reason}`);
}

/** Splits off the registry the way docker does: the first component is a registry only if it looks like a host. */
function splitRegistry(ref: string): { registry: string; remainder: string } {
  const slash = ref.indexOf('/');
  const first = slash === -1 ? '' : ref.slice(0, slash);
  const looksLikeHost =
    slash !== -1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first);
  if (!looksLikeHost) {
    // Official images live under "library/" on Docker Hub.
    return { registry: DEFAULT_REGISTRY, remainder: slash === -1 ? `library/${ref}` : ref };
  }
  const registry = first === 'index.docker.io' ? DEFAULT_REGISTRY : first;
  const rest = ref.slice(slash + 1);
  const remainder = registry === DEFAULT_REGISTRY && !rest.includes('/') ? `library/${rest}` : rest;
  return { registry, remainder };
}

function checkDigest(ref: string, value: string): void {
  const colon = value.indexOf(':');
  const algorithm = value.slice(0, colon);
  const hex = value.slice(colon + 1);
  const want = digestHexLength[algorithm];
  if (want === undefined) throw invalid(ref, `unsupported digest algorithm "${algorithm}"`);
  if (hex.length !== want) throw invalid(ref, 'invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(hex)) throw invalid(ref, 'invalid checksum digest format');
}

export function parseImageRef(ref: string): ImageRef {
  if (ref === '') throw invalid(ref, 'invalid reference format');
  if (bareIdPattern.test(ref)) {
    throw invalid(ref, `invalid repository name (${ref}), cannot specify 64-byte hexadecimal strings`);
  }
  const { registry, remainder } = splitRegistry(ref);
  const colon = remainder.indexOf(':');
  const remoteName = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remoteName.toLowerCase() !== remoteName) {
    throw invalid(ref, 'invalid reference format: repository name must be lowercase');
  }
  const match = referencePattern.exec(`${registry}/${remainder}`);
  if (match === null) throw invalid(ref, 'invalid reference format');
  const fullName = match[1] ?? '';
  if (fullName.length > NAME_MAX) {
    throw invalid(ref, `invalid reference format: repository name must not be more than ${NAME_MAX} characters`);
  }
  const parsedTag = match[2];
  const parsedDigest = match[3];
  if (parsedDigest !== undefined) checkDigest(ref, parsedDigest);

  const repository = fullName.slice(registry.length + 1);
  const effectiveTag = parsedTag ?? (parsedDigest === undefined ? DEFAULT_TAG : undefined);
  const result: ImageRef = {
    registry,
    repository,
    normalized:
      fullName +
      (effectiveTag === undefined ? '' : `:${effectiveTag}`) +
      (parsedDigest === undefined ? '' : `@${parsedDigest}`),
  };
  if (effectiveTag !== undefined) result.tag = effectiveTag;
  if (parsedDigest !== undefined) result.digest = parsedDigest;
  return result;
}

/** The normalized form, or a PoddError('Invalid'). */
export function normalizeImageRef(ref: string): string {
  return parseImageRef(ref).normalized;
}

/** The host that serves the registry API: Docker Hub's "docker.io" is registry-1.docker.io. */
export function registryApiHost(registry: string): string {
  return registry === DEFAULT_REGISTRY ? 'registry-1.docker.io' : registry;
}

/** The repo digest (docker's RepoDigests, the kubelet's imageID): "docker.io/library/busybox@sha256:…". */
export function repoDigestOf(ref: Pick<ImageRef, 'registry' | 'repository'>, digest: string): string {
  return `${ref.registry}/${ref.repository}@${digest}`;
}
