// Test helper: a real registry (Debian's docker-registry, the CNCF distribution registry) on a
// loopback port, OCI image layouts written from tar layers, and skopeo to push them into it.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

const execFileAsync = promisify(execFile);

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface TestRegistry {
  /** "127.0.0.1:PORT" */
  host: string;
  /** The registry's storage root (docker/registry/v2/... below it). */
  storage: string;
  auth?: { username: string; password: string };
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(host: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}: ${log()}`);
    try {
      const res = await fetch(`http://${host}/v2/`);
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry on ${host} did not come up: ${log()}`);
}

/** Starts docker-registry on 127.0.0.1:<free port>, with htpasswd (bcrypt) basic auth when `auth` is given. */
export async function startRegistry(auth?: { username: string; password: string }): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'podd-registry-'));
  const storage = join(dir, 'storage');
  await mkdir(storage);
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let authYaml = '';
  if (auth !== undefined) {
    const { stdout } = await execFileAsync('htpasswd', ['-Bbn', auth.username, auth.password]);
    await writeFile(join(dir, 'htpasswd'), stdout);
    authYaml = `auth:\n  htpasswd:\n    realm: podd-test\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  const config = join(dir, 'config.yml');
  await writeFile(config, [
    'version: 0.1',
    'log:\n  level: error\n  accesslog:\n    disabled: true',
    `storage:\n  filesystem:\n    rootdirectory: ${storage}\n  delete:\n    enabled: true`,
    `http:\n  addr: ${host}`,
    authYaml,
  ].join('\n'));
  const child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await waitReady(host, child, () => stderr);
  return {
    host, storage, ...(auth === undefined ? {} : { auth }),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Blob {
  digest: string;
  bytes: Buffer;
}

export function blobOf(data: Buffer | string): Blob {
  const bytes = Buffer.from(data);
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, bytes };
}

export interface TestImage {
  /** Uncompressed layer tars, lowest first; stored gzip-compressed. */
  layers: Buffer[];
  architecture?: string;
  config?: Record<string, unknown>;
}

export interface BuiltManifest {
  manifest: Blob;
  config: Blob;
  layers: Blob[];
  diffIDs: string[];
}

/** The blobs of one image: gzip layers, its config, an OCI manifest. */
export function buildImage(image: TestImage): BuiltManifest {
  const layers = image.layers.map((tar) => blobOf(gzipSync(tar)));
  const diffIDs = image.layers.map((tar) => blobOf(tar).digest);
  const config = blobOf(JSON.stringify({
    architecture: image.architecture ?? 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'], ...image.config },
    rootfs: { type: 'layers', diff_ids: diffIDs },
  }));
  const manifest = blobOf(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.bytes.length },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.bytes.length })),
  }));
  return { manifest, config, layers, diffIDs };
}

/**
 * Writes an OCI layout at `dir` holding `tag`: one image, or for several an OCI index with one
 * manifest per image (platform from its architecture). Returns the built images, and the index.
 */
export async function writeOciLayout(dir: string, tag: string, images: TestImage[]): Promise<{ built: BuiltManifest[]; index?: Blob }> {
  const built = images.map(buildImage);
  const blobs: Blob[] = built.flatMap((b) => [b.manifest, b.config, ...b.layers]);
  let top: { mediaType: string; digest: string; size: number };
  let index: Blob | undefined;
  const [only] = built;
  if (built.length === 1 && only !== undefined) {
    top = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: only.manifest.digest, size: only.manifest.bytes.length };
  } else {
    index = blobOf(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: built.map((b, i) => ({
        mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: b.manifest.digest, size: b.manifest.bytes.length,
        platform: { os: 'linux', architecture: images[i]?.architecture ?? 'amd64' },
      })),
    }));
    blobs.push(index);
    top = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: index.digest, size: index.bytes.length };
  }
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const b of blobs) await writeFile(join(dir, 'blobs', 'sha256', b.digest.slice(7)), b.bytes);
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
  return { built, ...(index === undefined ? {} : { index }) };
}

/** skopeo copy of an OCI layout tag into the registry (`--all` keeps an index; v2s2 converts to Docker's format). */
export async function pushLayout(dir: string, tag: string, registry: TestRegistry, repoTag: string, options: { format?: 'oci' | 'v2s2'; compression?: 'zstd' } = {}): Promise<void> {
  await execFileAsync('skopeo', [
    '--insecure-policy', 'copy', '--quiet', '--all', '--dest-tls-verify=false',
    ...(options.format === undefined ? [] : ['--format', options.format]),
    ...(options.compression === undefined ? [] : ['--dest-compress-format', options.compression]),
    ...(registry.auth === undefined ? [] : ['--dest-creds', `${registry.auth.username}:${registry.auth.password}`]),
    `oci:${dir}:${tag}`, `docker://${registry.host}/${repoTag}`,
  ]);
}

/** The file the registry serves a blob from (to corrupt it in a test). */
export function registryBlobPath(registry: TestRegistry, digest: string): string {
  const hex = digest.slice(digest.indexOf(':') + 1);
  return join(registry.storage, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
}
