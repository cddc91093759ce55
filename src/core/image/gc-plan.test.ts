import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PoddError } from '../errors.js';
import { DEFAULT_GC_POLICY, planImageGc, type GcImage, type GcInput } from './gc-plan.js';

const HOUR = 3_600_000;
const NOW = 100 * HOUR;
const GB = 1_000_000_000;

// busybox (pinned) and four app images; app-b and app-c share layer "shared".
const images: GcImage[] = [
  { id: 'sha256:busybox', names: ['docker.io/library/busybox:latest', 'docker.io/library/busybox:1.28'], layers: ['bb'], lastUsed: NOW - 90 * HOUR },
  { id: 'sha256:a', names: ['r.io/app-a:1'], layers: ['a1', 'a2'], lastUsed: NOW - 50 * HOUR },
  { id: 'sha256:b', names: ['r.io/app-b:1'], layers: ['shared', 'b1'], lastUsed: NOW - 40 * HOUR },
  { id: 'sha256:c', names: ['r.io/app-c:1', 'r.io/app-c:latest'], layers: ['shared', 'c1'], lastUsed: NOW - 30 * HOUR },
  { id: 'sha256:d', names: ['r.io/app-d:1'], layers: ['d1'], lastUsed: NOW - 60_000 },
];
const layerSizes = { bb: 1 * GB, a1: 2 * GB, a2: 1 * GB, shared: 3 * GB, b1: 1 * GB, c1: 1 * GB, d1: 5 * GB };

const base: GcInput = {
  images, layerSizes, inUse: new Set(), pinned: new Set(['docker.io/library/busybox:latest']),
  usage: { used: 90 * GB, total: 100 * GB }, policy: DEFAULT_GC_POLICY, now: NOW,
};

const cases: Array<[string, Partial<GcInput>, { remove: string[]; bytesToFree: number; bytesFreed: number }]> = [
  ['below the high threshold: nothing', { usage: { used: 84 * GB, total: 100 * GB } }, { remove: [], bytesToFree: 0, bytesFreed: 0 }],
  ['at 85%: least recently used first, down to the low threshold', { usage: { used: 85 * GB, total: 100 * GB }, policy: { ...DEFAULT_GC_POLICY, lowThresholdPercent: 82 } }, { remove: ['sha256:a'], bytesToFree: 3 * GB, bytesFreed: 3 * GB }],
  // 10 GB to free: a (3), b (1: shared stays for c), c (shared 3 + 1): 8, and d is too young
  ['shared layers count only when their last user goes', {}, { remove: ['sha256:a', 'sha256:b', 'sha256:c'], bytesToFree: 10 * GB, bytesFreed: 8 * GB }],
  ['images in use are skipped', { inUse: new Set(['sha256:a']) }, { remove: ['sha256:b', 'sha256:c'], bytesToFree: 10 * GB, bytesFreed: 5 * GB }],
  ['the minimum age protects a fresh pull', { policy: { ...DEFAULT_GC_POLICY, minAgeMs: 0 } }, { remove: ['sha256:a', 'sha256:b', 'sha256:c', 'sha256:d'], bytesToFree: 10 * GB, bytesFreed: 13 * GB }],
  ['stops as soon as enough is freed', { usage: { used: 86 * GB, total: 100 * GB }, policy: { ...DEFAULT_GC_POLICY, lowThresholdPercent: 83 } }, { remove: ['sha256:a'], bytesToFree: 3 * GB, bytesFreed: 3 * GB }],
  ['a high threshold of 100 disables collection', { usage: { used: 100 * GB, total: 100 * GB }, policy: { ...DEFAULT_GC_POLICY, highThresholdPercent: 100 } }, { remove: [], bytesToFree: 0, bytesFreed: 0 }],
  ['an unpinned busybox is just another image', { pinned: new Set() }, { remove: ['sha256:busybox', 'sha256:a', 'sha256:b', 'sha256:c'], bytesToFree: 10 * GB, bytesFreed: 9 * GB }],
  ['a pinned second name pins the image', { pinned: new Set(['docker.io/library/busybox:1.28']) }, { remove: ['sha256:a', 'sha256:b', 'sha256:c'], bytesToFree: 10 * GB, bytesFreed: 8 * GB }],
  ['zero capacity (unknown): nothing', { usage: { used: 0, total: 0 } }, { remove: [], bytesToFree: 0, bytesFreed: 0 }],
];

for (const [name, change, want] of cases) {
  test(`planImageGc: ${name}`, () => {
    const plan = planImageGc({ ...base, ...change });
    assert.deepEqual({ remove: plan.remove, bytesToFree: plan.bytesToFree, bytesFreed: plan.bytesFreed }, want);
  });
}

test('planImageGc rejects thresholds that make no sense', () => {
  const invalid = (err: unknown): boolean => err instanceof PoddError && err.code === 'Invalid';
  assert.throws(() => planImageGc({ ...base, policy: { ...DEFAULT_GC_POLICY, highThresholdPercent: 70 } }), invalid);
  assert.throws(() => planImageGc({ ...base, policy: { ...DEFAULT_GC_POLICY, lowThresholdPercent: -1 } }), invalid);
  assert.throws(() => planImageGc({ ...base, policy: { ...DEFAULT_GC_POLICY, highThresholdPercent: 101 } }), invalid);
});
