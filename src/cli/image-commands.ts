// `podd pull`, `podd image import`, `podd images`, `podd rmi`, `podd image prune`: thin verbs over
// the local image store.
import { imageStore } from '../bin/compose.js';
import type { NodeConfig } from '../bin/node-config.js';
import { wrap } from '../core/errors.js';
import { parseImageRef } from '../core/image/ref.js';
import { imagesUsedByContainers, pruneImages } from '../runtime/image/image-gc.js';
import type { PullProgress } from '../runtime/image/types.js';

export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 && i > 0 ? v.toFixed(2) : v.toFixed(i > 0 ? 1 : 0)}${units[i] ?? ''}`;
}

function shortDigest(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
}

const PHASE_TEXT: Readonly<Record<PullProgress['phase'], string>> = {
  waiting: 'Waiting',
  exists: 'Already exists',
  downloading: 'Downloading',
  verifying: 'Verifying Checksum',
  extracting: 'Extracting',
  done: 'Pull complete',
};

/** One layer's line, docker-style: "0123456789ab: Downloading [=====>     ]  1.2MB/3.4MB". */
export function progressLine(p: PullProgress, width = 30): string {
  const head = `${shortDigest(p.digest)}: ${PHASE_TEXT[p.phase]}`;
  if (p.phase !== 'downloading' || p.total <= 0) return head;
  const filled = Math.min(width, Math.floor((p.current / p.total) * width));
  const bar = `${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}`;
  return `${head} [${bar}] ${humanSize(p.current).padStart(7)}/${humanSize(p.total)}`;
}

/**
 * Progress on a terminal: one line per layer, redrawn in place (at most ten times a second).
 * Elsewhere (logs, pipes): a plain line whenever a layer changes phase.
 */
class ProgressView {
  private readonly layers = new Map<string, PullProgress>();
  private drawn = 0;
  private lastDraw = 0;

  constructor(private readonly out: NodeJS.WriteStream, private readonly tty: boolean) {}

  update(p: PullProgress): void {
    const before = this.layers.get(p.digest);
    this.layers.set(p.digest, p);
    if (!this.tty) {
      if (before?.phase !== p.phase) this.out.write(`${shortDigest(p.digest)}: ${PHASE_TEXT[p.phase]}\n`);
      return;
    }
    const now = Date.now();
    if (p.phase === 'downloading' && before?.phase === 'downloading' && now - this.lastDraw < 100) return;
    this.draw();
    this.lastDraw = now;
  }

  finish(): void {
    if (this.tty) this.draw();
  }

  private draw(): void {
    const cols = this.out.columns ?? 80;
    let text = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const p of this.layers.values()) text += `\x1b[2K${progressLine(p).slice(0, cols - 1)}\n`;
    this.drawn = this.layers.size;
    this.out.write(text);
  }
}

export interface PullCommandOptions {
  insecureRegistries?: string[];
  quiet?: boolean;
}

export async function pullCommand(cfg: NodeConfig, ref: string, options: PullCommandOptions = {}): Promise<number> {
  const parsed = parseImageRef(ref);
  const store = imageStore(cfg);
  const before = await store.resolve(parsed.normalized);
  const out = process.stdout;
  const view = new ProgressView(out, out.isTTY === true);
  if (options.quiet !== true) out.write(`${parsed.tag ?? parsed.digest ?? ''}: Pulling from ${parsed.registry}/${parsed.repository}\n`);
  let result;
  try {
    result = await store.pull(ref, {
      insecureRegistries: options.insecureRegistries ?? [],
      ...(options.quiet === true ? {} : { onProgress: (p: PullProgress) => view.update(p) }),
    });
  } catch (err) {
    throw wrap(err, `failed to pull and unpack image "${parsed.normalized}"`);
  }
  if (options.quiet !== true) {
    view.finish();
    const same = before?.id === result.image.id && before.repoDigests?.[0] === result.image.repoDigests?.[0];
    out.write(`Digest: ${result.digest}\n`);
    out.write(`Status: ${same ? 'Image is up to date' : 'Downloaded newer image'} for ${parsed.normalized}\n`);
  }
  out.write(`${parsed.normalized}\n`);
  return 0;
}

export async function importCommand(cfg: NodeConfig, file: string, name: string): Promise<number> {
  const image = await imageStore(cfg).importArchive(file, name);
  process.stdout.write(`${image.name} ${image.id}\n`);
  return 0;
}

function printTable(rows: string[][]): void {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd((widths[i] ?? 0) + 3)).join('').trimEnd()}\n`);
}

export async function imagesCommand(cfg: NodeConfig, options: { digests?: boolean } = {}): Promise<number> {
  const images = await imageStore(cfg).list();
  const digests = options.digests === true;
  const rows = [['IMAGE', 'TAG', ...(digests ? ['DIGEST'] : []), 'IMAGE ID', 'SIZE']];
  for (const img of images) {
    const ref = parseImageRef(img.name);
    const digest = img.repoDigests?.[0]?.split('@')[1] ?? ref.digest ?? '<none>';
    rows.push([`${ref.registry}/${ref.repository}`, ref.tag ?? '<none>', ...(digests ? [digest] : []), img.id.replace(/^sha256:/, '').slice(0, 12), humanSize(img.size)]);
  }
  printTable(rows);
  return 0;
}

export async function rmiCommand(cfg: NodeConfig, name: string): Promise<number> {
  await imageStore(cfg).remove(name);
  process.stdout.write(`Untagged: ${name}\n`);
  return 0;
}

/** Removes every image no container (running or exited, in /run/podd/containers) uses; podd's base image stays. */
export async function pruneCommand(cfg: NodeConfig): Promise<number> {
  const store = imageStore(cfg);
  const before = await store.layerSizes();
  const removed = await pruneImages(store, await imagesUsedByContainers(cfg.stateDir));
  const after = await store.layerSizes();
  for (const image of removed) process.stdout.write(`Deleted: ${image.name} (${image.id})\n`);
  // Shared layers free nothing: count only the layers that are gone.
  const reclaimed = Object.entries(before).reduce((sum, [diffID, size]) => sum + (diffID in after ? 0 : size), 0);
  process.stdout.write(`Total reclaimed space: ${humanSize(reclaimed)}\n`);
  return 0;
}
