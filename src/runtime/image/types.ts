// The local image store's public shapes. Images are content-addressed: an image is a config
// blob (its digest is the image id) plus an ordered list of layers named by diffID.

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
}
