// `npm run bench`, the image part (issue 5), against a real registry on loopback (Debian's docker-registry, started
// as the registry tests do: src/runtime/image/registry/test-registry.ts):
//   the image:  the busybox base (.cache/busybox-rootfs.tar) and BENCH_IMAGE_LAYERS layers of BENCH_IMAGE_LAYER_MIB
//               MiB of random bytes each (gzip cannot shrink them), written as an OCI layout and pushed with skopeo
//   pull:       `podd pull 127.0.0.1:PORT/bench/img:v1` into an empty store (PODD_ROOT=<fresh temp dir>): download,
//               verify, unpack, commit
//   baseline:   `skopeo copy docker://… oci:<fresh temp dir>:v1` of the same image: download and verify, no unpack
//   unpack:     `podd image import` of the image's OCI layout (its gzip layers on local disk) into an empty store:
//               decompress, hash, unpack, commit, no network; and `podd version` (node start + podd load) to net out
//   unpack floor: GNU tar (`tar -xzf`, gzip) of the same layer blobs, one after the other, into an empty directory
// RUNS rounds, the order alternating, after one unmeasured round. The host's store (/var/lib/podd) is not touched; the
// registry and every temp dir are removed, even when the bench fails.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTar } from '../src/runtime/image/test-tar.js';
import { pushLayout, startRegistry, writeOciLayout } from '../src/runtime/image/registry/test-registry.js';
import type { TestRegistry } from '../src/runtime/image/registry/test-registry.js';
import { Interrupt, RUNS, poddBin, repoRoot } from './common.js';

export const IMAGE_LAYERS = Number(process.env['BENCH_IMAGE_LAYERS'] ?? 4);
export const IMAGE_LAYER_MIB = Number(process.env['BENCH_IMAGE_LAYER_MIB'] ?? 16);
/** Files per random layer: several files, as real layers have, of equal size. */
export const FILES_PER_LAYER = 4;
const BASE_TAR = join(repoRoot, '.cache', 'busybox-rootfs.tar');
const REPO_TAG = 'bench/img:v1';
const TIMEOUT_MS = 120_000;

export interface ImageFigures {
  /** Layers of the image, the busybox base included. */
  layers: number;
  /** Sum of the uncompressed layer tars (what the store unpacks), and of the gzip blobs (what crosses the wire). */
  uncompressedBytes: number;
  compressedBytes: number;
  /** ms per round. */
  pull: number[];
  skopeo: number[];
  import: number[];
  startup: number[];
  /** `tar -xzf` of every layer blob in turn: the unpack floor. */
  tar: number[];
}

/** A layer tar of `mib` MiB of random bytes in FILES_PER_LAYER files under /bench/<name>/. */
function randomLayer(name: string, mib: number): Buffer {
  const size = Math.floor((mib * 1024 * 1024) / FILES_PER_LAYER);
  return buildTar([
    { path: 'bench/', type: 'Directory' },
    { path: `bench/${name}/`, type: 'Directory' },
    ...Array.from({ length: FILES_PER_LAYER }, (_, k) => ({ path: `bench/${name}/f${k}`, body: randomBytes(size) })),
  ]);
}

/** Runs a command to its exit 0; resolves with the wall time in ms. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, signal, timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (err) return reject(new Error(`${cmd} ${args.join(' ')}: ${err.message} ${String(stderr).trim()}`));
      resolve(performance.now() - t0);
    });
  });
}

const podd = (root: string, args: string[], signal: AbortSignal): Promise<number> =>
  timed(process.execPath, [poddBin, ...args], { ...process.env, PODD_ROOT: root }, signal);

/** Sum of the layer sizes in a podd store's index (uncompressed bytes of what it unpacked). */
function storedBytes(root: string): number {
  const index = JSON.parse(readFileSync(join(root, 'images', 'index.json'), 'utf8')) as { layers: Record<string, { size: number }> };
  return Object.values(index.layers).reduce((sum, l) => sum + l.size, 0);
}

/** Total size of the blobs skopeo wrote into an OCI layout. */
function blobBytes(dir: string): number {
  const blobs = join(dir, 'blobs', 'sha256');
  return existsSync(blobs) ? readdirSync(blobs).reduce((sum, name) => sum + statSync(join(blobs, name)).size, 0) : 0;
}

export async function imageBench(): Promise<ImageFigures> {
  if (!existsSync(BASE_TAR)) throw new Error(`${BASE_TAR} missing: run scripts/setup.sh first`);
  const intr = new Interrupt();
  const work = mkdtempSync(join(tmpdir(), 'podd-bench-images-'));
  let registry: TestRegistry | undefined;
  let failure: unknown;
  const fig: ImageFigures = { layers: 0, uncompressedBytes: 0, compressedBytes: 0, pull: [], skopeo: [], import: [], startup: [], tar: [] };
  try {
    const layers = [readFileSync(BASE_TAR), ...Array.from({ length: IMAGE_LAYERS }, (_, i) => randomLayer(`l${i}`, IMAGE_LAYER_MIB))];
    const layout = join(work, 'layout');
    const { built } = await writeOciLayout(layout, 'v1', [{ layers }]);
    fig.layers = layers.length;
    fig.uncompressedBytes = layers.reduce((sum, l) => sum + l.length, 0);
    fig.compressedBytes = built[0]?.layers.reduce((sum, l) => sum + l.bytes.length, 0) ?? 0;
    registry = await startRegistry();
    await pushLayout(layout, 'v1', registry, REPO_TAG);
    const ref = `${registry.host}/${REPO_TAG}`;
    const blobs = (built[0]?.layers ?? []).map((l) => join(layout, 'blobs', 'sha256', l.digest.slice('sha256:'.length)));
    const { signal } = intr.controller;

    const round = async (k: string, record: boolean): Promise<void> => {
      const steps: [keyof Omit<ImageFigures, 'layers' | 'uncompressedBytes' | 'compressedBytes'>, () => Promise<number>][] = [
        ['startup', () => podd(join(work, `version-${k}`), ['version'], signal)],
        ['pull', () => podd(join(work, `pull-${k}`), ['pull', '-q', ref], signal)],
        ['skopeo', () => timed('skopeo', ['--insecure-policy', 'copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `oci:${join(work, `skopeo-${k}`)}:v1`], process.env, signal)],
        ['import', () => podd(join(work, `import-${k}`), ['image', 'import', layout, 'bench/img:v1'], signal)],
        ['tar', () => {
          const dir = join(work, `tar-${k}`);
          return timed('sh', ['-c', 'mkdir "$0" && for f; do tar -xzf "$f" -C "$0" || exit 1; done', dir, ...blobs], process.env, signal);
        }],
      ];
      const order = Number(k) % 2 === 1 ? [steps[0], ...steps.slice(1).reverse()] : steps;
      for (const step of order) {
        if (step === undefined) continue;
        intr.check();
        const ms = await step[1]();
        if (record) fig[step[0]].push(ms);
      }
      // What each one did, checked every round: podd unpacked the whole image, skopeo fetched every blob.
      for (const what of ['pull', 'import']) {
        const got = storedBytes(join(work, `${what}-${k}`));
        if (got !== fig.uncompressedBytes) throw new Error(`podd ${what}: the store holds ${got} bytes of layers, the image has ${fig.uncompressedBytes}`);
      }
      const fetched = blobBytes(join(work, `skopeo-${k}`));
      if (fetched < fig.compressedBytes) throw new Error(`skopeo copy: ${fetched} bytes of blobs, the layers alone are ${fig.compressedBytes}`);
      for (const what of ['version', 'pull', 'skopeo', 'import', 'tar']) rmSync(join(work, `${what}-${k}`), { recursive: true, force: true });
    };
    await round('warmup', false);
    for (let i = 0; i < RUNS; i++) await round(String(i), true);
  } catch (err) {
    failure = err;
  }
  intr.release();
  const problems: string[] = [];
  try {
    await registry?.stop();
  } catch (err) {
    problems.push(`stopping the registry: ${err instanceof Error ? err.message : String(err)}`);
  }
  rmSync(work, { recursive: true, force: true });
  if (failure !== undefined) {
    for (const p of problems) process.stderr.write(`bench: cleanup: ${p}\n`);
    throw failure;
  }
  if (problems.length > 0) throw new Error(`image bench: ${problems.join('; ')}`);
  return fig;
}
