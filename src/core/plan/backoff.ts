// Crash-loop back-off as the kubelet's flowcontrol.Backoff (no jitter), made pure: the agent owns the entries map
// and `now`; these functions only read it and return the entry to store. The kubelet checks back-off inside
// start(), after planning, so computePodActions never consults it; the executor calls checkBackoff per start.
import type { Container } from '../../api/types.js';
import { instancesByName } from '../pod-runtime.js';
import type { ObservedContainer, PodRuntimeStatus } from '../pod-runtime.js';
import { containerSpecHash } from './container-hash.js';
import { formatDuration, parseDuration } from './duration.js';
import type { BackoffConfig, BackoffEntry } from './types.js';

export const BACKOFF_BASE_ANNOTATION = 'podd.dev/backoff-base';
export const BACKOFF_MAX_ANNOTATION = 'podd.dev/backoff-max';

/** The spec hash is part of the key (as in the kubelet's getStableKey), so an image update starts afresh. */
export function backoffKey(podUid: string, containerName: string, specHash: string): string {
  return `${podUid}_${containerName}_${specHash}`;
}

/** An entry untouched for more than 2×max before the event is stale: the container ran long enough to be forgiven. */
function hasExpired(eventTime: number, lastUpdate: number, cfg: BackoffConfig): boolean {
  return eventTime - lastUpdate > 2 * cfg.maxMs;
}

/** Whether a start for an event (the previous exit's FinishedAt) at `eventTime` must still wait at `now`. */
export function isInBackOffSince(
  entries: ReadonlyMap<string, BackoffEntry>,
  key: string,
  eventTime: number,
  now: number,
  cfg: BackoffConfig,
): boolean {
  const entry = entries.get(key);
  if (entry === undefined || hasExpired(eventTime, entry.lastUpdate, cfg)) return false;
  return now - eventTime < entry.backoffMs;
}

/**
 * The entry to store when a start goes ahead: initial for a new or expired key, else doubled up to max.
 * `eventTime` decides expiry as in flowcontrol (the kubelet passes the exit's FinishedAt); it defaults to `now`.
 */
export function nextBackoff(
  entries: ReadonlyMap<string, BackoffEntry>,
  key: string,
  now: number,
  cfg: BackoffConfig,
  eventTime: number = now,
): BackoffEntry {
  const entry = entries.get(key);
  if (entry === undefined || hasExpired(eventTime, entry.lastUpdate, cfg)) return { backoffMs: cfg.initialMs, lastUpdate: now };
  return { backoffMs: Math.min(entry.backoffMs * 2, cfg.maxMs), lastUpdate: now };
}

/** How long until a start for `eventTime` is allowed (0 when it is allowed now): the agent's wake-up timer. */
export function backoffRemainingMs(
  entries: ReadonlyMap<string, BackoffEntry>,
  key: string,
  eventTime: number,
  now: number,
  cfg: BackoffConfig,
): number {
  if (!isInBackOffSince(entries, key, eventTime, now, cfg)) return 0;
  const entry = entries.get(key);
  return entry === undefined ? 0 : entry.backoffMs - (now - eventTime);
}

/** Entries a periodic sweep may drop (flowcontrol's GC): untouched for more than 2×max. */
export function gcBackoff(entries: ReadonlyMap<string, BackoffEntry>, now: number, cfg: BackoffConfig): Map<string, BackoffEntry> {
  const kept = new Map<string, BackoffEntry>();
  for (const [key, entry] of entries) if (!hasExpired(now, entry.lastUpdate, cfg)) kept.set(key, entry);
  return kept;
}

/**
 * Per-pod overrides of the restart back-off. Each annotation must be a positive Go duration, else the default
 * stays. max is a cap: a base above it is lowered to it (flowcontrol would otherwise shrink the delay later).
 */
export function backoffConfigFromAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
  defaults: BackoffConfig,
): BackoffConfig {
  const positive = (name: string): number | undefined => {
    const raw = annotations?.[name];
    const ms = raw === undefined ? undefined : parseDuration(raw);
    return ms !== undefined && ms > 0 ? ms : undefined;
  };
  const maxMs = positive(BACKOFF_MAX_ANNOTATION) ?? defaults.maxMs;
  const initialMs = positive(BACKOFF_BASE_ANNOTATION) ?? defaults.initialMs;
  return { initialMs: Math.min(initialMs, maxMs), maxMs };
}

/** The newest Exited instance: the kubelet's doBackOff measures from it even when a newer one is Created/Unknown. */
export function latestExitedInstance(runtime: PodRuntimeStatus, name: string): ObservedContainer | undefined {
  return instancesByName(runtime, name).find((c) => c.state === 'exited');
}

export interface BackoffCheckInput {
  podUid: string;
  podName: string;
  namespace: string;
  /** The container about to be started (its current spec: the hash is part of the key). */
  container: Container;
  /** The pod's observed runtime; the latest exited instance of the container is looked up here. */
  runtime: PodRuntimeStatus;
  entries: ReadonlyMap<string, BackoffEntry>;
  now: number;
  cfg: BackoffConfig;
}

export type BackoffCheck =
  | { inBackoff: true; key: string; message: string; remainingMs: number }
  /** `next` is the entry to store before starting (flowcontrol Next); absent when the container never exited. */
  | { inBackoff: false; key: string; next?: BackoffEntry };

/** The kubelet's doBackOff: refuse a start within the back-off window, otherwise advance the window. */
export function checkBackoff(input: BackoffCheckInput): BackoffCheck {
  const { container, entries, now, cfg } = input;
  const key = backoffKey(input.podUid, container.name, containerSpecHash(container));
  const exited = latestExitedInstance(input.runtime, container.name);
  if (exited === undefined) return { inBackoff: false, key };
  const finishedAt = exited.finishedAt ?? exited.startedAt ?? exited.createdAt;
  if (isInBackOffSince(entries, key, finishedAt, now, cfg)) {
    const current = entries.get(key)?.backoffMs ?? 0;
    return {
      inBackoff: true,
      key,
      message: `back-off ${formatDuration(current)} restarting failed container=${container.name} pod=${input.podName}_${input.namespace}(${input.podUid})`,
      remainingMs: backoffRemainingMs(entries, key, finishedAt, now, cfg),
    };
  }
  return { inBackoff: false, key, next: nextBackoff(entries, key, now, cfg, finishedAt) };
}
