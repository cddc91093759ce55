// The effectful half of image garbage collection and `podd image prune`: what the image
// filesystem holds, which images containers use, and the removals the pure planner chose.
import { readdir, readFile, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_GC_POLICY, checkGcPolicy, planImageGc, type GcImage, type GcPolicy } from '../../core/image/gc-plan.js';
import { PoddError } from '../../core/errors.js';
import type { LocalImageStore } from './local-store.js';
import type { ImageRecord } from './types.js';

/** podd's own base image (scripts/setup.sh imports it): examples and tests rely on it, so it is never collected. */
export const BASE_IMAGE = 'docker.io/library/busybox:latest';

export interface GcOptions {
  usage(): Promise<{ used: number; total: number }>;
  /** Image ids (or repo digests) some container uses. */
  inUse: ReadonlySet<string>;
  /** ms since epoch. */
  now: number;
  policy?: GcPolicy;
  /** Names never removed; defaults to the base image. */
  pinned?: ReadonlySet<string>;
}

export interface GcReport {
  usagePercent: number;
  bytesToFree: number;
  bytesFreed: number;
  /** Names removed. */
  removed: string[];
}

/** Groups a store listing by image id: one GC candidate per id, with all its names. */
function byId(images: readonly ImageRecord[]): GcImage[] {
  const grouped = new Map<string, { id: string; names: string[]; layers: readonly string[]; lastUsed: number }>();
  for (const image of images) {
    const at = Date.parse(image.lastUsed);
    const entry = grouped.get(image.id);
    if (entry === undefined) {
      grouped.set(image.id, { id: image.id, names: [image.name], layers: image.layers, lastUsed: Number.isNaN(at) ? 0 : at });
    } else {
      entry.names.push(image.name);
      entry.lastUsed = Math.max(entry.lastUsed, Number.isNaN(at) ? 0 : at);
    }
  }
  return [...grouped.values()];
}

/** Container references (ids or repo digests, as meta.json's imageId holds) mapped to image ids. */
function inUseIds(images: readonly ImageRecord[], refs: ReadonlySet<string>): Set<string> {
  const ids = new Set<string>();
  for (const image of images) {
    if (refs.has(image.id) || image.repoDigests?.some((d) => refs.has(d)) || refs.has(image.name)) ids.add(image.id);
  }
  return ids;
}

/** Removes least recently used images until usage is at the low threshold, if it passed the high one. */
export async function collectImageGarbage(store: LocalImageStore, options: GcOptions): Promise<GcReport> {
  const policy = options.policy ?? DEFAULT_GC_POLICY;
  const images = await store.list();
  const plan = planImageGc({
    images: byId(images),
    layerSizes: await store.layerSizes(),
    inUse: inUseIds(images, options.inUse),
    pinned: options.pinned ?? new Set([BASE_IMAGE]),
    usage: await options.usage(),
    policy,
    now: options.now,
  });
  const removed: string[] = [];
  for (const id of plan.remove) {
    const names = images.filter((image) => image.id === id).map((image) => image.name);
    try {
      await store.remove(id);
      removed.push(...names);
    } catch (err) {
      // Removed meanwhile by someone else: nothing left to do for it.
      if (!(err instanceof PoddError && err.code === 'NotFound')) throw err;
    }
  }
  return { usagePercent: plan.usagePercent, bytesToFree: plan.bytesToFree, bytesFreed: plan.bytesFreed, removed };
}

/** Removes every image no container uses, except pinned ones (`podd image prune`). */
export async function pruneImages(store: LocalImageStore, inUse: ReadonlySet<string>, pinned: ReadonlySet<string> = new Set([BASE_IMAGE])): Promise<ImageRecord[]> {
  const images = await store.list();
  const used = inUseIds(images, inUse);
  const keep = new Set(images.filter((image) => used.has(image.id) || pinned.has(image.name)).map((image) => image.id));
  const removed: ImageRecord[] = [];
  for (const image of images) {
    if (keep.has(image.id)) continue;
    try {
      await store.remove(image.name);
      removed.push(image);
    } catch (err) {
      if (!(err instanceof PoddError && err.code === 'NotFound')) throw err;
    }
  }
  await store.releaseOrphanedLeases();
  return removed;
}

/** The image filesystem's usage, as the kubelet reads it (capacity minus what is available to us). */
export async function imageFsUsage(dir: string): Promise<{ used: number; total: number }> {
  const fs = await statfs(dir);
  const total = fs.blocks * fs.bsize;
  return { used: total - fs.bavail * fs.bsize, total };
}

/** The imageId of every container instance podd has (<stateDir>/containers/<id>/meta.json). */
export async function imagesUsedByContainers(stateDir: string): Promise<Set<string>> {
  const dir = join(stateDir, 'containers');
  const used = new Set<string>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return used;
  }
  for (const name of names) {
    try {
      const meta = JSON.parse(await readFile(join(dir, name, 'meta.json'), 'utf8')) as { imageId?: unknown; image?: unknown };
      if (typeof meta.imageId === 'string' && meta.imageId !== '') used.add(meta.imageId);
    } catch {
      // a container being created or removed right now: its image is protected by the GC's minimum age
    }
  }
  return used;
}

/** PODD_IMAGE_GC_HIGH / PODD_IMAGE_GC_LOW (percent), like the kubelet's --image-gc-high/low-threshold. */
export function gcPolicyFromEnv(env: NodeJS.ProcessEnv): GcPolicy {
  const pct = (name: string, fallback: number): number => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const n = Number(text);
    if (!Number.isFinite(n)) throw new PoddError('Invalid', `${name}="${text}" is not a number`);
    return n;
  };
  const policy = {
    ...DEFAULT_GC_POLICY,
    highThresholdPercent: pct('PODD_IMAGE_GC_HIGH', DEFAULT_GC_POLICY.highThresholdPercent),
    lowThresholdPercent: pct('PODD_IMAGE_GC_LOW', DEFAULT_GC_POLICY.lowThresholdPercent),
  };
  checkGcPolicy(policy);
  return policy;
}

export interface ImageGcLoop {
  stop(): void;
}

/** Runs collectImageGarbage every `intervalMs` (kubelet: 5 minutes) until stopped. */
export function startImageGc(
  store: LocalImageStore,
  options: { stateDir: string; policy: GcPolicy; intervalMs?: number; onResult?: (report: GcReport) => void; onError?: (err: unknown) => void },
): ImageGcLoop {
  let running = false;
  const tick = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const report = await collectImageGarbage(store, {
        usage: () => imageFsUsage(store.dir),
        inUse: await imagesUsedByContainers(options.stateDir),
        now: Date.now(),
        policy: options.policy,
      });
      options.onResult?.(report);
    } catch (err) {
      options.onError?.(err);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), options.intervalMs ?? 5 * 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
