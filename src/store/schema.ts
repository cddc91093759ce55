// Schema migrations. Each migration runs once, in its own transaction together with the bump of
// schema_version, so a crash mid-migration leaves the previous version intact. Migrations are append-only:
// never edit one that has shipped, add the next.

import type Database from 'better-sqlite3';
import { PoddError } from '../core/errors.js';

interface Migration {
  version: number;
  sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      -- Current state. WITHOUT ROWID clusters rows by key, so a namespace list is one range scan in key order.
      CREATE TABLE objects (
        resource  TEXT NOT NULL,
        namespace TEXT NOT NULL,
        name      TEXT NOT NULL,
        data      TEXT NOT NULL,              -- the object's JSON, metadata.resourceVersion included
        PRIMARY KEY (resource, namespace, name)
      ) WITHOUT ROWID;

      -- The change log watches replay from: a contiguous run of resourceVersions ending at the current one.
      -- prev is the state before a MODIFIED, so a filtered watch can turn it into ADDED or DELETED as the
      -- apiserver does when an object enters or leaves a selector.
      CREATE TABLE changes (
        rv        INTEGER PRIMARY KEY,
        type      TEXT NOT NULL CHECK (type IN ('ADDED', 'MODIFIED', 'DELETED')),
        resource  TEXT NOT NULL,
        namespace TEXT NOT NULL,
        name      TEXT NOT NULL,
        data      TEXT NOT NULL,
        prev      TEXT,
        at_ms     INTEGER NOT NULL
      );
      CREATE INDEX changes_by_resource ON changes (resource, rv);
      CREATE INDEX changes_by_time ON changes (at_ms);

      -- Counters that must survive the change log being trimmed: 'rv' is the last resourceVersion handed out,
      -- 'compacted_rv' the oldest resourceVersion a watch may still start from.
      CREATE TABLE counters (
        key   TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO counters (key, value) VALUES ('rv', 0), ('compacted_rv', 0);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

function currentVersion(db: Database.Database): number {
  const row: unknown = db.prepare('SELECT max(version) AS version FROM schema_version').get();
  const version = (row as { version: number | null } | undefined)?.version;
  return typeof version === 'number' ? version : 0;
}

/** Brings the database to SCHEMA_VERSION; refuses a database written by a newer podd rather than misread it. */
export function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at_ms INTEGER NOT NULL)');
  const from = currentVersion(db);
  if (from > SCHEMA_VERSION) {
    throw new PoddError('FailedPrecondition',
      `store schema version ${from} is newer than this podd understands (${SCHEMA_VERSION}); upgrade podd`);
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= from) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_version (version, applied_at_ms) VALUES (?, ?)').run(migration.version, Date.now());
    })();
  }
}

export function schemaVersion(db: Database.Database): number {
  return currentVersion(db);
}
