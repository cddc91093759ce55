// Pulls an image from its registry into the local store (the CRI's PullImage):
//   resolve the reference to a manifest (through a manifest list / OCI index for this platform),
//   fetch and verify the config, then each missing layer: download (verified) -> unpack (diffID
//   checked) -> commit; finally name the image. Concurrent pulls of one image share one promise,
//   concurrent pulls of one layer (by different images) share another.
import { rm } from 'node:fs/promises';
import { PoddError, wrap } from '../../../core/errors.js';
import { credentialsFor, type RegistryCredential } from '../../../core/image/docker-config.js';
import { layerCompression, normalizePlatform, parseManifestDocument, selectManifest, type Descriptor, type ManifestDocument, type Platform } from '../../../core/image/manifest.js';
import { parseImageRef, repoDigestOf, type ImageRef } from '../../../core/image/ref.js';
import { exists } from '../fs-util.js';
import { parseImageConfig } from '../image-config.js';
import { stageLayer } from '../layers.js';
import type { CommitImageRequest } from '../local-store.js';
import type { StagedLayer } from '../layers.js';
import type { ImageRecord, PullOptions, PullProgress, PullResult } from '../types.js';
import { MAX_DOCUMENT_BYTES, readBody, RegistryClient, RegistryStatusError } from './client.js';
import { downloadBlob } from './download.js';
import { readNodeCredentials } from './node-credentials.js';
import { isInsecureRegistry, type RegistrySettings } from './settings.js';
import { digestOf, verifyBytes } from './verify.js';

/** What the puller needs of the store (LocalImageStore). */
export interface PullTarget {
  readonly layersDir: string;
  readonly downloadsDir: string;
  readonly architecture: string;
  claimLayers(diffIDs: readonly string[]): Promise<Set<string>>;
  commitLayer(staged: StagedLayer): Promise<void>;
  commitImage(request: CommitImageRequest): Promise<ImageRecord>;
}

const PARALLEL_LAYERS = 3;
const MAX_CONFIG_BYTES = 16 << 20;
const MAX_INDEX_DEPTH = 2;

type Progress = (p: PullProgress) => void;
type PullOnce = Omit<PullResult, 'totalMs'>;

async function eachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      await fn(item).catch((err: unknown) => {
        failure ??= err;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}

function parseJsonBytes(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new PoddError('Invalid', `${what} is not valid JSON`, { cause: err });
  }
}

/** Several credentials failed: the kubelet's aggregate "[a, b]", keeping the last error's code. */
function combine(errors: PoddError[]): PoddError {
  const last = errors[errors.length - 1];
  if (last === undefined) return new PoddError('Internal', 'pull failed');
  if (errors.length === 1) return last;
  return new PoddError(last.code, `[${errors.map((e) => e.message).join(', ')}]`, { cause: last });
}

export class RegistryPuller {
  private readonly pulls = new Map<string, Promise<PullOnce>>();
  private readonly layers = new Map<string, Promise<number>>();

  constructor(private readonly store: PullTarget, private readonly settings: RegistrySettings) {}

  async pull(text: string, options: PullOptions = {}): Promise<PullResult> {
    const started = Date.now();
    const ref = parseImageRef(text);
    const key = JSON.stringify([ref.normalized, options.pullSecrets ?? [], options.insecureRegistries ?? []]);
    let shared = this.pulls.get(key);
    if (shared === undefined) {
      shared = this.pullOnce(ref, options).finally(() => this.pulls.delete(key));
      this.pulls.set(key, shared);
    }
    const result = await shared;
    return { ...result, totalMs: Date.now() - started };
  }

  /** Tries each matching credential in turn (the kubelet's order), anonymous when none match. */
  private async pullOnce(ref: ImageRef, options: PullOptions): Promise<PullOnce> {
    const started = Date.now();
    const node = await readNodeCredentials(this.settings.dockerConfigFiles ?? []);
    const creds = credentialsFor(ref, options.pullSecrets ?? [], node.config);
    const insecure = isInsecureRegistry(ref.registry, [...(this.settings.insecureRegistries ?? []), ...(options.insecureRegistries ?? [])]);
    const attempts: Array<RegistryCredential | undefined> = creds.length > 0 ? creds : [undefined];
    const errors: PoddError[] = [];
    for (const credential of attempts) {
      const client = new RegistryClient({
        registry: ref.registry, repository: ref.repository, insecure,
        ...(credential === undefined ? {} : { credential }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      try {
        const result = await this.pullWith(client, ref, options.onProgress);
        return { ...result, pullMs: Date.now() - started };
      } catch (err) {
        const e = err instanceof PoddError ? err : wrap(err, 'internal error');
        errors.push(e);
        // Only an authorization failure makes the next credential worth a try.
        if (e.code !== 'FailedPrecondition') break;
      } finally {
        await client.close();
      }
    }
    throw combine(errors);
  }

  private async pullWith(client: RegistryClient, ref: ImageRef, onProgress: Progress | undefined): Promise<Omit<PullOnce, 'pullMs'>> {
    let top: { doc: ManifestDocument; digest: string };
    let manifest: Extract<ManifestDocument, { kind: 'manifest' }>;
    try {
      top = await this.fetchManifest(client, ref, ref.digest ?? ref.tag ?? 'latest');
      manifest = await this.forPlatform(client, ref, top.doc);
    } catch (err) {
      throw wrap(err, `failed to resolve reference "${ref.normalized}"`);
    }
    const configBytes = await this.fetchConfig(client, ref, manifest.config);
    const diffIDs = parseImageConfig(configBytes).diffIDs;
    if (diffIDs.length !== manifest.layers.length) {
      throw new PoddError('Invalid', `image config lists ${diffIDs.length} layers, the manifest ${manifest.layers.length}`);
    }
    const present = await this.store.claimLayers(diffIDs);
    let downloadedBytes = configBytes.length;
    await eachLimit([...manifest.layers.entries()], PARALLEL_LAYERS, async ([i, desc]) => {
      const diffID = diffIDs[i] ?? '';
      if (present.has(diffID)) {
        onProgress?.({ digest: desc.digest, phase: 'exists', current: desc.size, total: desc.size });
        return;
      }
      downloadedBytes += await this.layer(client, desc, diffID, onProgress);
    });
    const image = await this.store.commitImage({ name: ref.normalized, configBytes, diffIDs, repoDigest: repoDigestOf(ref, top.digest) });
    return { image, digest: top.digest, downloadedBytes };
  }

  /** A manifest or index by tag or digest; by digest (or from a parent index) its bytes must match. */
  private async fetchManifest(client: RegistryClient, ref: ImageRef, reference: string, parent?: Descriptor): Promise<{ doc: ManifestDocument; digest: string }> {
    let fetched: Awaited<ReturnType<RegistryClient['getManifest']>>;
    try {
      fetched = await client.getManifest(reference);
    } catch (err) {
      if (err instanceof RegistryStatusError && err.status === 404) {
        const detail = /\(([^()]*)\)$/.exec(err.message)?.[1];
        throw new PoddError('NotFound', `${parent === undefined ? ref.normalized : reference}: not found${detail === undefined ? '' : ` (${detail})`}`);
      }
      if (err instanceof RegistryStatusError && (err.status === 401 || err.status === 403)) {
        throw new PoddError(err.code, `pull access denied, repository does not exist or may require authorization: ${err.message}`);
      }
      throw err;
    }
    const expected = parent?.digest ?? (reference.includes(':') ? reference : undefined);
    const digest = digestOf(fetched.bytes, expected?.slice(0, expected.indexOf(':')) ?? 'sha256');
    if (expected !== undefined && digest !== expected) {
      throw new PoddError('Invalid', `manifest ${expected} failed verification: its content has digest ${digest}`);
    }
    if (parent !== undefined) verifyBytes(fetched.bytes, parent, 'manifest');
    const doc = parseManifestDocument(parseJsonBytes(fetched.bytes, `manifest ${reference}`), fetched.contentType);
    if (parent !== undefined && doc.mediaType !== parent.mediaType) {
      throw new PoddError('Invalid', `manifest ${reference} is ${doc.mediaType}, but its index says ${parent.mediaType}`);
    }
    return { doc, digest };
  }

  /** Follows manifest lists / OCI indexes down to the manifest for this node's platform. */
  private async forPlatform(client: RegistryClient, ref: ImageRef, doc: ManifestDocument): Promise<Extract<ManifestDocument, { kind: 'manifest' }>> {
    const host: Platform = { os: 'linux', architecture: this.store.architecture };
    for (let depth = 0; doc.kind === 'index'; depth++) {
      if (depth >= MAX_INDEX_DEPTH) throw new PoddError('Invalid', 'image index nesting is too deep');
      const chosen = selectManifest(doc.manifests, host);
      doc = (await this.fetchManifest(client, ref, chosen.digest, chosen)).doc;
    }
    return doc;
  }

  private async fetchConfig(client: RegistryClient, ref: ImageRef, desc: Descriptor): Promise<Buffer> {
    try {
      if (desc.size > MAX_CONFIG_BYTES) throw new PoddError('Invalid', `image config is ${desc.size} bytes, over the ${MAX_CONFIG_BYTES}-byte limit`);
      const res = await client.getBlob(desc.digest);
      const bytes = await readBody(res.body, Math.min(desc.size + 1, MAX_DOCUMENT_BYTES * 4), `image config ${desc.digest}`);
      verifyBytes(bytes, desc, 'image config');
      const arch = (parseJsonBytes(bytes, 'image config') as { architecture?: unknown }).architecture;
      const want = normalizePlatform({ os: 'linux', architecture: this.store.architecture }).architecture;
      if (typeof arch === 'string' && arch !== '' && normalizePlatform({ os: 'linux', architecture: arch }).architecture !== want) {
        throw new PoddError('Invalid', `image ${ref.normalized} is for ${arch}, this node runs ${want}`);
      }
      return bytes;
    } catch (err) {
      throw wrap(err, `failed to fetch image config ${desc.digest}`);
    }
  }

  /** One layer into the store, shared with any other pull of it in this process; returns bytes downloaded. */
  private layer(client: RegistryClient, desc: Descriptor, diffID: string, onProgress: Progress | undefined): Promise<number> {
    let shared = this.layers.get(diffID);
    if (shared === undefined) {
      shared = this.fetchLayer(client, desc, diffID, onProgress).finally(() => this.layers.delete(diffID));
      this.layers.set(diffID, shared);
    } else {
      onProgress?.({ digest: desc.digest, phase: 'waiting', current: 0, total: desc.size });
      void shared.then(() => onProgress?.({ digest: desc.digest, phase: 'done', current: desc.size, total: desc.size }), () => undefined);
    }
    return shared;
  }

  private async fetchLayer(client: RegistryClient, desc: Descriptor, diffID: string, onProgress: Progress | undefined): Promise<number> {
    const report = (phase: PullProgress['phase'], current: number): void => onProgress?.({ digest: desc.digest, phase, current, total: desc.size });
    try {
      layerCompression(desc);
      for (let attempt = 0; ; attempt++) {
        report('downloading', 0);
        const { path, downloaded } = await downloadBlob(client, desc, this.store.downloadsDir, (n) => report('downloading', n));
        report('extracting', desc.size);
        try {
          await this.store.commitLayer(await stageLayer({ path, diffID, digest: desc.digest }, this.store.layersDir, diffID));
        } catch (err) {
          // Another process finished this layer and removed the download between our check and our read.
          if (attempt === 0 && !(await exists(path))) {
            if ((await this.store.claimLayers([diffID])).has(diffID)) return downloaded;
            continue;
          }
          // Verified bytes that do not unpack to the config's diffID: keep nothing, a retry downloads afresh.
          await rm(path, { force: true });
          throw err;
        }
        // Unpacked: the compressed copy has served its purpose.
        await rm(path, { force: true });
        report('done', desc.size);
        return downloaded;
      }
    } catch (err) {
      throw wrap(err, `failed to fetch layer ${desc.digest}`);
    }
  }
}
