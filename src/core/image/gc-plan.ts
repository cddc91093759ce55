// Image garbage collection, planned the kubelet's way (pkg/kubelet/images/image_gc_manager.go):
// nothing happens below the high threshold; above it, images no container uses are removed,
// least recently used first, until usage would be back at the low threshold. Unlike the kubelet,
// the bytes an image frees are counted by layer: a layer another kept image shares frees nothing.
import { PoddError } from '../errors.js';

export interface GcPolicy {
  /** Percent of the image filesystem at which collection starts (kubelet: 85). 100 turns it off. */
  highThresholdPercent: number;
  /** Percent to bring usage down to (kubelet: 80). */
  lowThresholdPercent: number;
  /**
   * Images used (pulled, imported, started from) more recently are kept (kubelet's
   * ImageMinimumGCAge, 2m): a freshly pulled image must survive until its container exists.
   */
  minAgeMs: number;
}

export const DEFAULT_GC_POLICY: GcPolicy = { highThresholdPercent: 85, lowThresholdPercent: 80, minAgeMs: 120_000 };

export interface GcImage {
  id: string;
  /** Every name of the image; any pinned name pins the image. */
  names: readonly string[];
  /** diffIDs. */
  layers: readonly string[];
  /** ms since epoch. */
  lastUsed: number;
}

export interface GcInput {
  images: readonly GcImage[];
  /** Uncompressed size of each layer, by diffID. */
  layerSizes: Readonly<Record<string, number>>;
  /** Image ids some container uses. */
  inUse: ReadonlySet<string>;
  /** Names that are never collected (podd's own base image). */
  pinned: ReadonlySet<string>;
  usage: { used: number; total: number };
  policy: GcPolicy;
  /** ms since epoch. */
  now: number;
}

export interface GcPlan {
  /** Image ids to remove, in order. */
  remove: string[];
  /** 0 when usage is below the high threshold. */
  bytesToFree: number;
  /** What removing `remove` frees, by the layer sizes given. */
  bytesFreed: number;
  usagePercent: number;
}

export function checkGcPolicy(policy: GcPolicy): void {
  const { highThresholdPercent: high, lowThresholdPercent: low } = policy;
  const valid = (p: number): boolean => Number.isFinite(p) && p >= 0 && p <= 100;
  if (!valid(high) || !valid(low)) throw new PoddError('Invalid', `image GC thresholds must be percentages 0-100 (high ${high}, low ${low})`);
  if (low > high) throw new PoddError('Invalid', `image GC low threshold ${low}% is above the high threshold ${high}%`);
}

export function planImageGc(input: GcInput): GcPlan {
  checkGcPolicy(input.policy);
  const { used, total } = input.usage;
  const usagePercent = total > 0 ? Math.floor((used * 100) / total) : 0;
  const none: GcPlan = { remove: [], bytesToFree: 0, bytesFreed: 0, usagePercent };
  if (input.policy.highThresholdPercent >= 100 || total <= 0 || usagePercent < input.policy.highThresholdPercent) return none;
  const bytesToFree = Math.max(0, used - Math.floor((total * input.policy.lowThresholdPercent) / 100));
  if (bytesToFree === 0) return none;

  // How many kept images use each layer; removing an image frees the layers that drop to zero.
  const users = new Map<string, number>();
  for (const image of input.images) for (const layer of new Set(image.layers)) users.set(layer, (users.get(layer) ?? 0) + 1);

  const candidates = input.images
    .filter((image) => !input.inUse.has(image.id) && !image.names.some((n) => input.pinned.has(n)))
    .filter((image) => input.now - image.lastUsed >= input.policy.minAgeMs)
    .sort((a, b) => a.lastUsed - b.lastUsed || a.id.localeCompare(b.id));
  const remove: string[] = [];
  let bytesFreed = 0;
  for (const image of candidates) {
    if (bytesFreed >= bytesToFree) break;
    remove.push(image.id);
    for (const layer of new Set(image.layers)) {
      const left = (users.get(layer) ?? 1) - 1;
      users.set(layer, left);
      if (left === 0) bytesFreed += input.layerSizes[layer] ?? 0;
    }
  }
  return { remove, bytesToFree, bytesFreed, usagePercent };
}
