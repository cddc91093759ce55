// The object store's contract, shared by the SQLite implementation and any fake. Objects are Kubernetes JSON
// objects keyed by (resource, namespace, name); cluster-scoped objects use namespace ''. One global
// resourceVersion sequence orders every change, so a list's resourceVersion is a valid watch start for any resource.

import type { ObjectMeta } from '../api/types.js';
import type { PoddError } from '../core/errors.js';

/** Anything with Kubernetes metadata; the store keeps the rest of the JSON as it is. */
export interface StoredObject {
  metadata: ObjectMeta;
}

export interface ListOptions<T extends StoredObject = StoredObject> {
  /** Keeps objects whose labels match; the API layer compiles `?labelSelector=` into this. */
  labelSelector?: (labels: Readonly<Record<string, string>>) => boolean;
  /** Keeps objects that match; the API layer compiles `?fieldSelector=` into this. */
  fieldSelector?: (object: T) => boolean;
}

/** Where a paged list goes on: after this key, in the snapshot at `resourceVersion` (undefined: the latest state). */
export interface ListContinue {
  namespace: string;
  name: string;
  resourceVersion?: number;
}

export interface PageOptions<T extends StoredObject = StoredObject> extends ListOptions<T> {
  /** At most this many items; more than that leaves a `continue` in the result. 0 or undefined: no limit. */
  limit?: number;
  /** Resume a list: objects after this key as they were at its resourceVersion (a consistent paged list). */
  continue?: ListContinue | undefined;
}

export interface ListResult<T extends StoredObject = StoredObject> {
  items: T[];
  /** The global resourceVersion at the time of the read: the place a following watch starts from. */
  resourceVersion: string;
  /** Set when `limit` cut the list short: pass it back as `continue` for the next page. */
  continue?: ListContinue;
  /** How many objects after this page, when that is known without filtering (no selectors), as the apiserver. */
  remainingItemCount?: number;
}

/** Each check applies only when given and non-empty ('' means "unconditional", as an empty resourceVersion in a PUT). */
export interface Preconditions {
  /** Conflict (the apiserver's "object has been modified" message) unless the stored object has this resourceVersion. */
  expectedResourceVersion?: string;
  /** Conflict unless the stored object has this uid (a same-named object recreated in between is another object). */
  expectedUid?: string;
}

/**
 * Returns the next state of the object, or undefined to leave it as it is (no write, no new resourceVersion).
 * It receives a private copy, runs inside the write transaction and must be synchronous; throwing aborts the
 * update with that error. It may read the store but may not write to it.
 */
export type UpdateFn<T extends StoredObject> = (current: T) => T | undefined;

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/**
 * What a watcher receives. BOOKMARK carries only `metadata.resourceVersion` (and, after the initial events, the
 * `k8s.io/initial-events-end: "true"` annotation); the API layer adds kind/apiVersion. ERROR is always the last
 * event of a watch: the store stopped it (the watcher fell too far behind, its callback failed, or the store closed).
 */
export type WatchEvent<T extends StoredObject = StoredObject> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  | { type: 'BOOKMARK'; object: StoredObject }
  | { type: 'ERROR'; error: PoddError };

/**
 * Called once per event, in resourceVersion order, never inside a writer's call. Returning a promise holds
 * back the next event until it settles (backpressure from e.g. an HTTP response); events pile up meanwhile, up
 * to the store's per-watcher limit. Throwing or rejecting stops the watch with an ERROR event. The ERROR of a
 * watcher stopped for falling behind arrives at once, possibly while an earlier returned promise is still pending,
 * so a consumer stuck on a dead client can give up.
 */
export type WatchCallback<T extends StoredObject = StoredObject> = (event: WatchEvent<T>) => void | Promise<void>;

export interface WatchOptions<T extends StoredObject = StoredObject> extends ListOptions<T> {
  /**
   * First send ADDED for every current object (the apiserver's answer to `resourceVersion=0` or
   * `sendInitialEvents=true`), then changes after that snapshot. With a start resourceVersion the snapshot is at
   * least that recent (the apiserver's NotOlderThan).
   */
  sendInitialEvents?: boolean;
  /** Periodic BOOKMARKs (`allowWatchBookmarks=true`), and the initial-events-end BOOKMARK with sendInitialEvents. */
  allowBookmarks?: boolean;
  /** Time between periodic bookmarks; the apiserver sends one about every minute. */
  bookmarkIntervalMs?: number;
}

export interface WatchHandle {
  /** Idempotent; no callback runs after it returns. */
  stop(): void;
}

export interface ObjectStore {
  /** NotFound (`pods "web" not found`) when absent. */
  get<T extends StoredObject = StoredObject>(resource: string, namespace: string, name: string): T;
  /** undefined when absent. */
  tryGet<T extends StoredObject = StoredObject>(resource: string, namespace: string, name: string): T | undefined;
  /**
   * Sorted by namespace then name, as the apiserver lists; namespace undefined means all namespaces. With
   * `limit`, one page; a `continue` reads the snapshot its first page saw (rebuilt from the change log), and
   * throws ExpiredError (410) when the change log no longer reaches back that far.
   */
  list<T extends StoredObject = StoredObject>(
    resource: string, namespace: string | undefined, options?: PageOptions<T>): ListResult<T>;
  /**
   * Stores a new object under its metadata.namespace ('' when absent) and metadata.name (generated from
   * metadata.generateName when the name is empty). Sets uid (when missing), creationTimestamp,
   * resourceVersion and generation 1. AlreadyExists when the key is taken.
   */
  create<T extends StoredObject>(resource: string, object: T): T;
  /**
   * Read-modify-write in one transaction. The store keeps name, namespace, uid and creationTimestamp, sets the
   * new resourceVersion and bumps generation when `spec` changes or deletionTimestamp is first set. An
   * unchanged result writes nothing and returns the stored object.
   */
  update<T extends StoredObject>(
    resource: string, namespace: string, name: string, fn: UpdateFn<T>, preconditions?: Preconditions): T;
  /** Removes the object and returns its last state stamped with the deletion's resourceVersion. */
  delete<T extends StoredObject = StoredObject>(
    resource: string, namespace: string, name: string, preconditions?: Preconditions): T;
  /**
   * Streams changes after `fromResourceVersion`: first those still in the change log, then live ones.
   * undefined, '' and '0' mean "from now". Throws ExpiredError when the change log no longer reaches back that
   * far (410 Gone), TooLargeResourceVersionError when it is ahead of the store, Invalid when not a number.
   */
  watch<T extends StoredObject = StoredObject>(
    resource: string, namespace: string | undefined, fromResourceVersion: string | undefined,
    onEvent: WatchCallback<T>, options?: WatchOptions<T>): WatchHandle;
  /** The current global resourceVersion. */
  resourceVersion(): string;
  /** Ends every watch (ERROR Unavailable after their pending events) and releases the database. */
  close(): void;
}
