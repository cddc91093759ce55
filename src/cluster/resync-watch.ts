// Store watches for a controller that recomputes from the store rather than caching: each change is handed to
// `onEvent`, and whenever a watch has to start over (at start, or after the store stopped it with an ERROR:
// the watcher fell behind, or the store is closing) `onResync` runs so nothing that happened meanwhile is missed.
import type { ObjectStore, StoredObject, WatchEvent, WatchHandle } from '../store/types.js';

export interface ResyncWatchOptions {
  resources: readonly string[];
  onEvent(resource: string, event: { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: StoredObject }): void;
  onResync(): void;
  log(line: string): void;
  /** Wait before watching again after an ERROR (default 1 s). */
  retryMs?: number;
}

export class ResyncWatch {
  private readonly handles = new Map<string, WatchHandle>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly store: ObjectStore, private readonly opts: ResyncWatchOptions) {}

  start(): void {
    for (const r of this.opts.resources) this.watch(r);
    this.opts.onResync();
  }

  stop(): void {
    this.stopped = true;
    for (const h of this.handles.values()) h.stop();
    this.handles.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private watch(resource: string): void {
    if (this.stopped) return;
    try {
      // From now: whatever came before is covered by the resync that follows every (re)start.
      this.handles.set(resource, this.store.watch(resource, undefined, this.store.resourceVersion(), (e: WatchEvent) => {
        if (e.type === 'ERROR') {
          this.handles.delete(resource);
          this.later(resource, e.error.message);
        } else if (e.type !== 'BOOKMARK') this.opts.onEvent(resource, e);
      }));
    } catch (err) {
      this.later(resource, err instanceof Error ? err.message : String(err));
    }
  }

  private later(resource: string, why: string): void {
    if (this.stopped) return;
    this.opts.log(`watch of ${resource} ended (${why}); watching again`);
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.watch(resource);
      if (!this.stopped) this.opts.onResync();
    }, this.opts.retryMs ?? 1000);
    this.timers.add(t);
  }
}
