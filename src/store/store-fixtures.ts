// Shared by the store's tests: stores on real files in temp dirs, small objects, and a watch recorder.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { SqliteObjectStore } from './object-store.js';
import type { SqliteObjectStoreOptions } from './object-store.js';
import type { StoredObject, WatchEvent } from './types.js';

export interface TempStore {
  store: SqliteObjectStore;
  dir: string;
  path: string;
  reopen(options?: SqliteObjectStoreOptions): SqliteObjectStore;
}

/** A store in a fresh temp dir, closed and removed when the test ends. */
export function tempStore(t: TestContext, options: SqliteObjectStoreOptions = {}): TempStore {
  const dir = mkdtempSync(join(tmpdir(), 'podd-store-'));
  const path = join(dir, 'state', 'podd.db');
  const handle: TempStore = {
    store: SqliteObjectStore.open(path, options),
    dir,
    path,
    reopen(next = options) {
      handle.store.close();
      handle.store = SqliteObjectStore.open(path, next);
      return handle.store;
    },
  };
  t.after(() => {
    handle.store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return handle;
}

export interface TestObject extends StoredObject {
  apiVersion: string;
  kind: string;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export function pod(name: string, namespace = 'default', labels?: Record<string, string>): TestObject {
  const metadata: StoredObject['metadata'] = { name, namespace };
  if (labels !== undefined) metadata.labels = labels;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: [{ name: 'app', image: 'busybox' }] } };
}

export function node(name: string): TestObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name } };
}

/** Resolves after pending setImmediate callbacks (watch delivery) have run. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Polls `condition` until it holds; fails after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export class Recorder<T extends StoredObject = StoredObject> {
  readonly events: WatchEvent<T>[] = [];
  readonly onEvent = (event: WatchEvent<T>): void => {
    this.events.push(event);
  };

  /** Waits until at least `count` events arrived; fails after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 3000): Promise<WatchEvent<T>[]> {
    await waitUntil(() => this.events.length >= count,
      `${count} watch events (so far ${JSON.stringify(this.summary())})`, timeoutMs);
    return this.events;
  }

  /** `TYPE name@rv` per event, or `ERROR code` / `BOOKMARK @rv`. */
  summary(): string[] {
    return this.events.map((e) => {
      if (e.type === 'ERROR') return `ERROR ${e.error.code}`;
      if (e.type === 'BOOKMARK') return `BOOKMARK @${e.object.metadata.resourceVersion ?? ''}`;
      return `${e.type} ${e.object.metadata.name ?? ''}@${e.object.metadata.resourceVersion ?? ''}`;
    });
  }
}
