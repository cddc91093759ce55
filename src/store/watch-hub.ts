// Fans committed changes out to in-process watchers.
//
// Writers only append a shared, immutable change record (JSON text) to each interested watcher's queue and
// return: delivery happens later, from setImmediate, so a writer never runs or waits for watcher code. Each
// watcher parses its own copy of every object, so one consumer mutating an event cannot affect another.
//
// Per watcher:  backlog (replayed changes or initial ADDEDs, bounded by the change log or the object count)
//               then live changes, capped at maxQueued undelivered; past that the watcher is dropped with an
//               ERROR event at once, so a stalled consumer costs at most maxQueued shared references.
//
//   live ──offer──► queue ──pump (setImmediate, batches)──► filter/convert ──► onEvent ──(promise?)──► next
//                     │ over cap                                                  │ throws/rejects
//                     └──────────────► ERROR Unavailable, stopped ◄───────────────┘ ERROR Internal, stopped

import { PoddError } from '../core/errors.js';
import { hasSelectors, matchesSelectors } from './selectors.js';
import type { ListOptions, StoredObject, WatchCallback, WatchEvent, WatchHandle } from './types.js';

/** One committed change, as stored in the change log. */
export interface ChangeRecord {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: string;
  namespace: string;
  name: string;
  /** The object at `rv`; for DELETED its last state stamped with the deletion's resourceVersion. */
  data: string;
  /** The object before a MODIFIED (for selector transitions) or a DELETED (for paged lists' snapshots). */
  prev?: string | undefined;
}

interface BookmarkItem { type: 'BOOKMARK'; rv: number; initialEventsEnd: boolean }
interface ErrorItem { type: 'ERROR'; error: PoddError }
export type QueueItem = ChangeRecord | BookmarkItem | ErrorItem;

export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

export interface Subscription {
  resource: string;
  namespace: string | undefined;
  /** Live changes at or below this resourceVersion are already covered by the backlog. */
  startRv: number;
  backlog: QueueItem[];
  onEvent: WatchCallback;
  selectors: ListOptions;
  /** Periodic BOOKMARKs every this many ms; undefined for none. */
  bookmarkIntervalMs: number | undefined;
}

export interface WatchHubOptions {
  /** The store's resourceVersion when the hub starts (periodic bookmarks report the latest one). */
  initialRv: number;
  /** Undelivered live events one watcher may hold before it is dropped. */
  maxQueued: number;
}

/** Events delivered per macrotask before yielding, so a large backlog does not starve I/O. */
const BATCH = 256;

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function parse(data: string): StoredObject {
  return JSON.parse(data) as StoredObject;
}

class Watcher implements WatchHandle {
  private queue: QueueItem[];
  private head = 0;
  /** How many items at the front of the queue are backlog (not counted against the cap). */
  private backlogLeft: number;
  private scheduled = false;
  private waiting = false;
  private stopped = false;
  private ending = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly filtered: boolean;

  constructor(private readonly hub: WatchHub, readonly sub: Subscription, private readonly maxQueued: number) {
    this.queue = sub.backlog;
    this.backlogLeft = sub.backlog.length;
    this.filtered = hasSelectors(sub.selectors);
    if (sub.bookmarkIntervalMs !== undefined) {
      this.timer = setInterval(() => this.push({ type: 'BOOKMARK', rv: hub.lastRv, initialEventsEnd: false }),
        sub.bookmarkIntervalMs);
      this.timer.unref();
    }
    this.schedule();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.queue = [];
    this.head = 0;
    this.hub.remove(this);
  }

  /** A live change committed by a writer. */
  offer(change: ChangeRecord): void {
    if (change.rv <= this.sub.startRv) return;
    if (this.sub.namespace !== undefined && change.namespace !== this.sub.namespace) return;
    this.push(change);
  }

  /** Ends the watch after what is already queued (store closing): nothing more is queued behind the ERROR. */
  end(error: PoddError): void {
    if (this.stopped || this.ending) return;
    this.ending = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.queue.push({ type: 'ERROR', error });
    this.hub.remove(this);
    this.schedule();
  }

  private push(item: QueueItem): void {
    if (this.stopped || this.ending) return;
    this.queue.push(item);
    if (this.queue.length - this.head - this.backlogLeft > this.maxQueued) {
      this.abort(new PoddError('Unavailable',
        `watch of ${this.sub.resource} fell behind by more than ${this.maxQueued} events and was stopped`));
      return;
    }
    this.schedule();
  }

  /** Stops at once and tells the consumer why, even while it is still busy with an earlier event. */
  private abort(error: PoddError): void {
    this.stop();
    try {
      void Promise.resolve(this.sub.onEvent({ type: 'ERROR', error })).catch(() => undefined);
    } catch {
      // The consumer already failed or is failing; there is no one left to tell.
    }
  }

  private schedule(): void {
    if (this.scheduled || this.waiting || this.stopped || this.head >= this.queue.length) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    for (let delivered = 0; !this.stopped && !this.waiting && this.head < this.queue.length; delivered++) {
      if (delivered >= BATCH) {
        this.schedule();
        return;
      }
      const item = this.queue[this.head] as QueueItem;
      this.head++;
      if (this.backlogLeft > 0) this.backlogLeft--;
      let event: WatchEvent | undefined;
      try {
        event = this.toEvent(item);
      } catch (err) {
        this.fail(err);
        return;
      }
      if (event === undefined) continue;
      if (event.type === 'ERROR') this.stop();
      let result: unknown;
      try {
        result = this.sub.onEvent(event);
      } catch (err) {
        this.fail(err);
        return;
      }
      if (isPromiseLike(result)) {
        this.waiting = true;
        result.then(() => {
          this.waiting = false;
          this.schedule();
        }, (err: unknown) => {
          this.waiting = false;
          this.fail(err);
        });
        return;
      }
    }
    this.compact();
  }

  private fail(err: unknown): void {
    if (this.stopped) return;
    const message = err instanceof Error ? err.message : String(err);
    this.abort(new PoddError('Internal', `watch of ${this.sub.resource} stopped: its consumer failed: ${message}`, { cause: err }));
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** The event a queue item becomes for this watcher; undefined when its selectors filter it out. */
  private toEvent(item: QueueItem): WatchEvent | undefined {
    if (item.type === 'ERROR') return item;
    if (item.type === 'BOOKMARK') {
      const metadata: StoredObject['metadata'] = { resourceVersion: String(item.rv) };
      if (item.initialEventsEnd) metadata.annotations = { [INITIAL_EVENTS_END_ANNOTATION]: 'true' };
      return { type: 'BOOKMARK', object: { metadata } };
    }
    const object = parse(item.data);
    if (!this.filtered) return { type: item.type, object };
    const selectors = this.sub.selectors;
    if (item.type !== 'MODIFIED') return matchesSelectors(object, selectors) ? { type: item.type, object } : undefined;
    // The apiserver's rule for an object crossing a selector's edge: entering is ADDED, leaving is DELETED
    // carrying the old state (the one the watcher knew) at the new resourceVersion.
    const now = matchesSelectors(object, selectors);
    const previous = item.prev === undefined ? undefined : parse(item.prev);
    const before = previous !== undefined && matchesSelectors(previous, selectors);
    if (now) return { type: before ? 'MODIFIED' : 'ADDED', object };
    if (!before || previous === undefined) return undefined;
    previous.metadata.resourceVersion = String(item.rv);
    return { type: 'DELETED', object: previous };
  }
}

export class WatchHub {
  private readonly watchers = new Map<string, Set<Watcher>>();
  private latestRv: number;
  private closed = false;

  constructor(private readonly options: WatchHubOptions) {
    this.latestRv = options.initialRv;
  }

  /** The resourceVersion of the last published change. */
  get lastRv(): number {
    return this.latestRv;
  }

  /** How many watches are running (for tests and metrics). */
  get size(): number {
    let n = 0;
    for (const set of this.watchers.values()) n += set.size;
    return n;
  }

  subscribe(sub: Subscription): WatchHandle {
    if (this.closed) throw new PoddError('Unavailable', 'object store is closed');
    const watcher = new Watcher(this, sub, this.options.maxQueued);
    let set = this.watchers.get(sub.resource);
    if (set === undefined) {
      set = new Set();
      this.watchers.set(sub.resource, set);
    }
    set.add(watcher);
    return watcher;
  }

  /** Called by the store after each commit, in resourceVersion order. */
  publish(change: ChangeRecord): void {
    this.latestRv = change.rv;
    const set = this.watchers.get(change.resource);
    if (set === undefined) return;
    for (const watcher of set) watcher.offer(change);
  }

  remove(watcher: Watcher): void {
    const set = this.watchers.get(watcher.sub.resource);
    if (set === undefined) return;
    set.delete(watcher);
    if (set.size === 0) this.watchers.delete(watcher.sub.resource);
  }

  /** Ends every watch with `error` once its queued events are delivered. */
  close(error: PoddError): void {
    this.closed = true;
    for (const set of [...this.watchers.values()]) {
      for (const watcher of [...set]) watcher.end(error);
    }
    this.watchers.clear();
  }
}
