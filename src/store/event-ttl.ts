// Events expire, as with the apiserver's --event-ttl (default 1 h): there each event write renews an etcd lease;
// here a periodic sweep deletes the events whose last activity is older than the TTL. Deleting through the
// store gives watchers the DELETED events a lease expiry gives them.

import { PoddError } from '../core/errors.js';
import { parseRfc3339 } from '../core/time.js';
import type { ObjectStore, StoredObject } from './types.js';

export const DEFAULT_EVENT_TTL_MS = 60 * 60_000;

interface EventTimes extends StoredObject {
  lastTimestamp?: string;
  firstTimestamp?: string;
  eventTime?: string;
  series?: { lastObservedTime?: string };
}

/** The last time an event was recorded or repeated (epoch ms); creation when it carries no time of its own. */
export function lastActivity(e: EventTimes): number | undefined {
  const parse = (list: unknown[]): number[] => list
    .map((t) => (typeof t === 'string' ? parseRfc3339(t) : undefined))
    .filter((t): t is number => t !== undefined);
  const own = parse([e.lastTimestamp, e.series?.lastObservedTime, e.eventTime, e.firstTimestamp]);
  const times = own.length > 0 ? own : parse([e.metadata.creationTimestamp]);
  return times.length === 0 ? undefined : Math.max(...times);
}

/** Deletes the events last active more than `ttlMs` before `nowMs`; returns how many went. */
export function expireEvents(store: ObjectStore, nowMs: number, ttlMs: number): number {
  let expired = 0;
  for (const e of store.list<EventTimes>('events', undefined).items) {
    const at = lastActivity(e);
    if (at === undefined || nowMs - at <= ttlMs) continue;
    try {
      // Only the state judged here: an event repeated meanwhile lives on.
      store.delete('events', e.metadata.namespace ?? '', e.metadata.name ?? '', { expectedResourceVersion: e.metadata.resourceVersion ?? '' });
      expired++;
    } catch (err) {
      if (!(err instanceof PoddError && (err.code === 'NotFound' || err.code === 'Conflict'))) throw err;
    }
  }
  return expired;
}

/** Sweeps every `intervalMs` (by default a tenth of the TTL, within 1 s..1 min) until stopped; never keeps Node alive. */
export function startEventExpiry(store: ObjectStore, opts: { ttlMs: number; now: () => number; intervalMs?: number; onError?: (err: unknown) => void }): () => void {
  const interval = opts.intervalMs ?? Math.min(60_000, Math.max(1_000, Math.floor(opts.ttlMs / 10)));
  const timer = setInterval(() => {
    try {
      expireEvents(store, opts.now(), opts.ttlMs);
    } catch (err) {
      opts.onError?.(err);
    }
  }, interval);
  timer.unref();
  return () => clearInterval(timer);
}
