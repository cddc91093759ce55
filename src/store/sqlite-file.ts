// Opening the database file: private permissions, crash-safe journaling, and one process at a time.
//
// - 0600 file in a 0700 directory (when we create it): objects include Secrets. SQLite gives the -wal file the
//   database file's mode.
// - WAL + synchronous=FULL: a commit is on disk when the call returns, so neither kill -9 nor a power cut
//   loses an acknowledged write (NORMAL survives kill -9 but may lose the last commits on power loss).
// - locking_mode=EXCLUSIVE, taken at open: watches are fed in-process by the writer, so a second writer
//   process would change objects without any watcher hearing of it. A second `podd serve` on the same file
//   fails at open (Unavailable) instead. The lock dies with the process, kill -9 included.

import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { PoddError, wrap } from '../core/errors.js';
import { migrate } from './schema.js';

export interface SqliteFileOptions {
  synchronous: 'FULL' | 'NORMAL';
  /** How long to wait for a lock held by another connection (e.g. a podd that is just exiting). */
  busyTimeoutMs: number;
}

export function isSqliteError(err: unknown): err is Error & { code: string } {
  return err instanceof Database.SqliteError;
}

/** A PoddError for a failure inside SQLite; PoddErrors (and other errors) pass through unchanged. */
export function translateSqliteError(err: unknown, context: string): unknown {
  if (!isSqliteError(err)) return err;
  const busy = err.code.startsWith('SQLITE_BUSY') || err.code.startsWith('SQLITE_LOCKED');
  return new PoddError(busy ? 'Unavailable' : 'Internal', `${context}: ${err.message} (${err.code})`, { cause: err });
}

export function openSqliteFile(path: string, options: SqliteFileOptions): Database.Database {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Create the file ourselves with the mode we want (SQLite would use 0644 minus umask), and tighten a file
    // that already exists with a wider one.
    closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
  } catch (err) {
    throw wrap(err, `cannot open object store ${path}`);
  }

  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: options.busyTimeoutMs });
    // Must precede the first WAL access so SQLite keeps the WAL index in process memory, not a -shm file.
    db.pragma('locking_mode = EXCLUSIVE');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new PoddError('Internal', `object store ${path}: cannot enable WAL (journal_mode is ${String(mode)})`);
    db.pragma(`synchronous = ${options.synchronous}`);
    // Bounds the -wal file left after a checkpoint; the default lets it keep its largest size forever.
    db.pragma('journal_size_limit = 67108864');
    // A write takes the exclusive lock, and locking_mode keeps it until close.
    db.exec('BEGIN IMMEDIATE; COMMIT');
    migrate(db);
    return db;
  } catch (err) {
    db?.close();
    if (isSqliteError(err) && (err.code.startsWith('SQLITE_BUSY') || err.code.startsWith('SQLITE_LOCKED'))) {
      throw new PoddError('Unavailable', `object store ${path} is in use by another process`, { cause: err });
    }
    throw translateSqliteError(err, `cannot open object store ${path}`);
  }
}
