// The local image store's public shapes. Images are content-addressed: an image is a config
// blob (its digest is the image id) plus an ordered list of layers named by diffID.
import type { DockerConfig } from '../../core/image/docker-config.js';

/** The parts of an OCI/Docker image config the runtime needs, with Docker's field names. */
export interface ImageConfig {
  Env: string[];
  Entrypoint: string[];
  Cmd: string[];
  WorkingDir: string;
  User: string;
  StopSignal: string;
  ExposedPorts?: Record<string, Record<string, never>>;
}

export interface ImageRecord {
  /** Normalized reference, e.g. "docker.io/library/busybox:latest". */
  name: string;
  /** "sha256:<hex of the config blob>". */
  id: string;
  /** diffIDs ("sha256:<hex of the uncompressed layer tar>"), lowest layer first. */
  layers: string[];
  config: ImageConfig;
  /** Sum of the uncompressed layer sizes, in bytes. */
  size: number;
  /** RFC 3339: the image's own creation time, or the import time when the image has none. */
  created: string;
  /** RFC 3339: last import or markUsed; input for image garbage collection. */
  lastUsed: string;
  /**
   * For pulled images: "registry/repository@sha256:<digest of the manifest or index the reference
   * resolved to>", docker's RepoDigests and what the kubelet shows as a container's imageID.
   * Absent for images imported from an archive, which have no registry to be pulled from again.
   */
  repoDigests?: string[];
}

/** One layer of a pull as it goes: for `podd pull`'s progress display. */
export interface PullProgress {
  /** The layer blob's digest. */
  digest: string;
  phase: 'waiting' | 'exists' | 'downloading' | 'verifying' | 'extracting' | 'done';
  /** Bytes downloaded so far, and the blob's size. */
  current: number;
  total: number;
}

export interface PullOptions {
  /** Docker configs from the pod's imagePullSecrets, tried before the node's own config. */
  pullSecrets?: readonly DockerConfig[];
  /** Registries (host or host:port) reached over plain HTTP, in addition to the node's setting and loopback. */
  insecureRegistries?: readonly string[];
  onProgress?: (progress: PullProgress) => void;
  signal?: AbortSignal;
}

export interface PullResult {
  image: ImageRecord;
  /** The digest the reference resolved to (manifest or index). */
  digest: string;
  /** Time spent pulling, and since the caller asked (more when it waited for the same pull by someone else). */
  pullMs: number;
  totalMs: number;
  /** Bytes fetched from the registry (layers already present are not fetched). */
  downloadedBytes: number;
}

export interface ImageStore {
  /** Imports a rootfs tarball, a `docker save` tarball, or an OCI layout (dir or tar) as `name`. */
  importArchive(file: string, name: string): Promise<ImageRecord>;
  /** By reference ("busybox" finds docker.io/library/busybox:latest) or by id ("sha256:…"). */
  resolve(ref: string): Promise<ImageRecord | undefined>;
  list(): Promise<ImageRecord[]>;
  /** Removes the name, and the layers no other image uses. Throws NotFound. */
  remove(ref: string): Promise<void>;
  /** Unpacked layer directories, lowest first (reverse them for overlayfs' lowerdir). */
  layerDirs(image: ImageRecord): string[];
  /** Records that a container is being created from the image (lastUsed = now). Throws NotFound. */
  markUsed(ref: string): Promise<void>;
  /**
   * Pulls `ref` from its registry (the CRI's PullImage). Optional so that fakes and stores
   * without network access can leave it out: the kubelet then reports the image as not pullable.
   */
  pull?(ref: string, options?: PullOptions): Promise<PullResult>;
}
