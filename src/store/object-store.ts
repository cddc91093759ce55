// The SQLite object store behind `podd serve`.
//
// Every call is synchronous (better-sqlite3): a write is one IMMEDIATE transaction that updates the object,
// appends to the change log, bumps the global resourceVersion and trims the log; it has committed (and with
// synchronous=FULL reached the disk) when the call returns. Only then is the change handed to the watch hub,
// so watchers never see a write that could still roll back. Because nothing yields between reading the
// change log and registering a watcher, a watch's replay and its live stream meet with no gap and no overlap.
//
// The change log is a contiguous run of resourceVersions (compacted_rv, rv]; a watch may start anywhere in
// [compacted_rv, rv]. Older starts get ExpiredError (410 Gone): the client lists again, as with the apiserver.

import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { PoddError } from '../core/errors.js';
import { carryOver, generateName, jsonEqual, keyOf, stampCreate } from './metadata.js';
import { parseResourceVersion } from './resource-version.js';
import { pageOf, rewind } from './list-page.js';
import { openSqliteFile, translateSqliteError } from './sqlite-file.js';
import { prepareStatements } from './statements.js';
import type { Statements } from './statements.js';
import {
  ExpiredError, TooLargeResourceVersionError, alreadyExists, modifiedConflict, notFound, preconditionConflict,
} from './store-errors.js';
import type {
  ListOptions, ListResult, ObjectStore, PageOptions, Preconditions, StoredObject, UpdateFn, WatchCallback, WatchHandle, WatchOptions,
} from './types.js';
import { WatchHub } from './watch-hub.js';
import type { ChangeRecord, QueueItem } from './watch-hub.js';

export interface SqliteObjectStoreOptions {
  /** 'FULL' (default) survives power loss; 'NORMAL' only process crashes, with cheaper commits. */
  synchronous?: 'FULL' | 'NORMAL';
  /** Changes kept for watch replay (default 10 000). */
  changeLogSize?: number;
  /** Changes older than this are dropped too (default 10 minutes; the apiserver's etcd compacts every 5). */
  changeLogMaxAgeMs?: number;
  /** Undelivered live events one watcher may hold before it is stopped (default 10 000). */
  maxQueuedEvents?: number;
  /** Periodic bookmark interval for watches with allowBookmarks and no interval of their own (default 60 s). */
  bookmarkIntervalMs?: number;
  /** Wait for another connection's lock at open (default 2 s). */
  busyTimeoutMs?: number;
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
  newUid?: () => string;
  /** For generateName suffixes. */
  random?: () => number;
}

interface WriteOutcome<R> {
  result: R;
  change?: ChangeRecord;
}

const GENERATE_NAME_ATTEMPTS = 8;

function parseObject<T extends StoredObject>(data: string): T {
  return JSON.parse(data) as T;
}

function isObject(value: unknown): value is StoredObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    && typeof (value as { metadata?: unknown }).metadata === 'object' && (value as { metadata?: unknown }).metadata !== null;
}

export class SqliteObjectStore implements ObjectStore {
  private rv: number;
  private compactedRv: number;
  private writing = false;
  private closed = false;
  private readonly hub: WatchHub;
  private readonly changeLogSize: number;
  private readonly changeLogMaxAgeMs: number;
  private readonly bookmarkIntervalMs: number;
  private readonly now: () => number;
  private readonly newUid: () => string;
  private readonly random: () => number;
  private readonly stmt: Statements;

  /** Opens (creating if needed) the store at `path`; Unavailable if another process has it open. */
  static open(path: string, options: SqliteObjectStoreOptions = {}): SqliteObjectStore {
    const db = openSqliteFile(path, {
      synchronous: options.synchronous ?? 'FULL',
      busyTimeoutMs: options.busyTimeoutMs ?? 2000,
    });
    try {
      return new SqliteObjectStore(db, options);
    } catch (err) {
      db.close();
      throw translateSqliteError(err, `cannot open object store ${path}`);
    }
  }

  private constructor(private readonly db: Database.Database, options: SqliteObjectStoreOptions) {
    this.changeLogSize = options.changeLogSize ?? 10_000;
    this.changeLogMaxAgeMs = options.changeLogMaxAgeMs ?? 10 * 60_000;
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.newUid = options.newUid ?? randomUUID;
    this.random = options.random ?? Math.random;
    this.stmt = prepareStatements(db);
    this.rv = this.readCounter('rv');
    this.compactedRv = this.readCounter('compacted_rv');
    this.hub = new WatchHub({ initialRv: this.rv, maxQueued: options.maxQueuedEvents ?? 10_000 });
  }

  private readCounter(key: 'rv' | 'compacted_rv'): number {
    const row = this.stmt.counter.get(key);
    if (row === undefined) throw new PoddError('Internal', `object store is corrupt: counter ${key} is missing`);
    return row.value;
  }

  resourceVersion(): string {
    return String(this.rv);
  }

  get<T extends StoredObject = StoredObject>(resource: string, namespace: string, name: string): T {
    const found = this.tryGet<T>(resource, namespace, name);
    if (found === undefined) throw notFound(resource, name);
    return found;
  }

  tryGet<T extends StoredObject = StoredObject>(resource: string, namespace: string, name: string): T | undefined {
    this.assertOpen();
    const row = this.stmt.get.get(resource, namespace, name);
    return row === undefined ? undefined : parseObject<T>(row.data);
  }

  list<T extends StoredObject = StoredObject>(
    resource: string, namespace: string | undefined, options: PageOptions<T> = {}): ListResult<T> {
    this.assertOpen();
    const rows = namespace === undefined ? this.stmt.listAll.all(resource) : this.stmt.listNamespace.all(resource, namespace);
    let objects = rows.map((row) => parseObject<T>(row.data));
    const at = options.continue?.resourceVersion ?? this.rv;
    if (at !== this.rv) {
      if (at > this.rv) throw new TooLargeResourceVersionError(at, this.rv);
      if (at < this.compactedRv) throw new ExpiredError(at, this.compactedRv);
      const changes = namespace === undefined
        ? this.stmt.changesSince.all(resource, at)
        : this.stmt.changesSinceInNamespace.all(resource, at, namespace);
      objects = rewind(objects, changes);
    }
    return pageOf(objects, at, options);
  }

  create<T extends StoredObject>(resource: string, object: T): T {
    if (!isObject(object)) throw new PoddError('Invalid', 'metadata: Required value');
    return this.write((rv, nowMs) => {
      const { namespace, name: given } = keyOf(object);
      const name = given !== '' ? given : this.generatedName(resource, namespace, object.metadata.generateName);
      if (this.stmt.get.get(resource, namespace, name) !== undefined) throw alreadyExists(resource, name);
      const stored = stampCreate(object, name, { rv, nowMs, uid: this.newUid() });
      const data = JSON.stringify(stored);
      this.stmt.insert.run(resource, namespace, name, data);
      return { result: stored, change: { rv, type: 'ADDED', resource, namespace, name, data } };
    });
  }

  private generatedName(resource: string, namespace: string, prefix: string | undefined): string {
    if (prefix === undefined || prefix === '') {
      throw new PoddError('Invalid', 'metadata.name: Required value: name or generateName is required');
    }
    // Like the apiserver, retry a few random suffixes before reporting the collision.
    let name = '';
    for (let attempt = 0; attempt < GENERATE_NAME_ATTEMPTS; attempt++) {
      name = generateName(prefix, this.random);
      if (this.stmt.get.get(resource, namespace, name) === undefined) return name;
    }
    throw alreadyExists(resource, name);
  }

  update<T extends StoredObject>(
    resource: string, namespace: string, name: string, fn: UpdateFn<T>, preconditions: Preconditions = {}): T {
    return this.write((rv) => {
      const row = this.stmt.get.get(resource, namespace, name);
      if (row === undefined) throw notFound(resource, name);
      const current = parseObject<T>(row.data);
      const { expectedResourceVersion, expectedUid } = preconditions;
      if (expectedUid && expectedUid !== (current.metadata.uid ?? '')) {
        throw preconditionConflict(resource, name, 'UID', expectedUid, current.metadata.uid ?? '');
      }
      if (expectedResourceVersion && expectedResourceVersion !== current.metadata.resourceVersion) {
        throw modifiedConflict(resource, name);
      }
      const proposed = fn(parseObject<T>(row.data));
      if (proposed === undefined) return { result: current };
      if (!isObject(proposed)) throw new PoddError('Invalid', `update of ${resource} "${name}" returned no object with metadata`);
      const next = carryOver(resource, current, proposed);
      // Like etcd3's GuaranteedUpdate: an update that changes nothing is not a change (no new resourceVersion,
      // no watch event), which keeps repeated status writes and no-op applies quiet.
      if (jsonEqual(next, current)) return { result: current };
      next.metadata.resourceVersion = String(rv);
      const data = JSON.stringify(next);
      this.stmt.replace.run(data, resource, namespace, name);
      return {
        result: parseObject<T>(data),
        change: { rv, type: 'MODIFIED', resource, namespace, name, data, prev: row.data },
      };
    });
  }

  delete<T extends StoredObject = StoredObject>(
    resource: string, namespace: string, name: string, preconditions: Preconditions = {}): T {
    return this.write((rv) => {
      const row = this.stmt.get.get(resource, namespace, name);
      if (row === undefined) throw notFound(resource, name);
      const last = parseObject<T>(row.data);
      const { expectedResourceVersion, expectedUid } = preconditions;
      if (expectedUid && expectedUid !== (last.metadata.uid ?? '')) {
        throw preconditionConflict(resource, name, 'UID', expectedUid, last.metadata.uid ?? '');
      }
      if (expectedResourceVersion && expectedResourceVersion !== last.metadata.resourceVersion) {
        throw preconditionConflict(resource, name, 'ResourceVersion', expectedResourceVersion, last.metadata.resourceVersion ?? '');
      }
      this.stmt.remove.run(resource, namespace, name);
      // The apiserver returns (and watchers get) the last state at the deletion's resourceVersion.
      last.metadata.resourceVersion = String(rv);
      const data = JSON.stringify(last);
      // prev lets a paged list rebuild the snapshot before the deletion with the object's own resourceVersion.
      return { result: last, change: { rv, type: 'DELETED', resource, namespace, name, data, prev: row.data } };
    });
  }

  watch<T extends StoredObject = StoredObject>(
    resource: string, namespace: string | undefined, fromResourceVersion: string | undefined,
    onEvent: WatchCallback<T>, options: WatchOptions<T> = {}): WatchHandle {
    this.assertOpen();
    const from = parseResourceVersion(fromResourceVersion);
    if (from !== undefined && from > this.rv) throw new TooLargeResourceVersionError(from, this.rv);
    const backlog: QueueItem[] = [];
    if (options.sendInitialEvents === true) {
      // A snapshot at the current resourceVersion: at least as recent as `from`, the apiserver's NotOlderThan.
      const rows = namespace === undefined ? this.stmt.listAll.all(resource) : this.stmt.listNamespace.all(resource, namespace);
      // Only type and data of a backlog item are read; the key fields need not be exact here.
      for (const row of rows) {
        backlog.push({ rv: this.rv, type: 'ADDED', resource, namespace: namespace ?? '', name: '', data: row.data });
      }
      if (options.allowBookmarks === true) backlog.push({ type: 'BOOKMARK', rv: this.rv, initialEventsEnd: true });
    } else if (from !== undefined && from !== 0) {
      if (from < this.compactedRv) throw new ExpiredError(from, this.compactedRv);
      const rows = namespace === undefined
        ? this.stmt.changesSince.all(resource, from)
        : this.stmt.changesSinceInNamespace.all(resource, from, namespace);
      for (const row of rows) backlog.push({ ...row, prev: row.prev ?? undefined });
    }
    // The hub is not generic: it hands each watcher objects parsed from this resource's rows, which are T.
    const selectors: ListOptions = {};
    if (options.labelSelector !== undefined) selectors.labelSelector = options.labelSelector;
    if (options.fieldSelector !== undefined) selectors.fieldSelector = options.fieldSelector as (object: StoredObject) => boolean;
    return this.hub.subscribe({
      resource,
      namespace,
      startRv: this.rv,
      backlog,
      onEvent: onEvent as unknown as WatchCallback,
      selectors,
      bookmarkIntervalMs: options.allowBookmarks === true ? options.bookmarkIntervalMs ?? this.bookmarkIntervalMs : undefined,
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.hub.close(new PoddError('Unavailable', 'object store is closed'));
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new PoddError('Unavailable', 'object store is closed');
  }

  /**
   * Runs `body` in one IMMEDIATE transaction with the next resourceVersion; when it reports a change, logs it,
   * advances the counter and trims the log in the same transaction, and publishes it after the commit.
   */
  private write<R>(body: (rv: number, nowMs: number) => WriteOutcome<R>): R {
    this.assertOpen();
    // An update function that writes would publish inside the outer transaction, before it commits (or
    // after it rolled back); forbid it instead.
    if (this.writing) throw new PoddError('Internal', 'object store writes may not nest (an update function wrote to the store)');
    this.writing = true;
    let compacted = this.compactedRv;
    let outcome: WriteOutcome<R>;
    try {
      outcome = this.db.transaction(() => {
        const rv = this.rv + 1;
        const nowMs = this.now();
        const out = body(rv, nowMs);
        if (out.change !== undefined) {
          const c = out.change;
          this.stmt.logChange.run(rv, c.type, c.resource, c.namespace, c.name, c.data, c.prev ?? null, nowMs);
          this.stmt.setCounter.run(rv, 'rv');
          compacted = this.trim(rv, nowMs);
        }
        return out;
      }).immediate();
    } catch (err) {
      throw translateSqliteError(err, 'object store write failed');
    } finally {
      this.writing = false;
    }
    if (outcome.change !== undefined) {
      this.rv = outcome.change.rv;
      this.compactedRv = compacted;
      this.hub.publish(outcome.change);
    }
    return outcome.result;
  }

  /** Drops the log's oldest changes beyond its size or age; returns the new compacted resourceVersion. */
  private trim(rv: number, nowMs: number): number {
    let cutoff = rv - this.changeLogSize;
    const aged = this.stmt.newestAgedChange.get(nowMs - this.changeLogMaxAgeMs)?.rv ?? null;
    if (aged !== null && aged > cutoff) cutoff = aged;
    if (cutoff <= this.compactedRv) return this.compactedRv;
    this.stmt.trimChanges.run(cutoff);
    this.stmt.setCounter.run(cutoff, 'compacted_rv');
    return cutoff;
  }
}
