import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { SqliteObjectStore } from './object-store.js';
import { SCHEMA_VERSION, migrate, schemaVersion } from './schema.js';
import { pod, tempStore } from './store-fixtures.js';

test('a new store is at the latest schema version, and migrating again changes nothing', (t) => {
  const s = tempStore(t);
  s.store.create('pods', pod('a'));
  s.store.close();
  const db = new Database(s.path);
  try {
    assert.equal(schemaVersion(db), SCHEMA_VERSION);
    migrate(db);
    assert.equal(schemaVersion(db), SCHEMA_VERSION);
    const rows = db.prepare('SELECT count(*) AS n FROM schema_version').get() as { n: number };
    assert.equal(rows.n, SCHEMA_VERSION);
    assert.equal((db.prepare('SELECT count(*) AS n FROM objects').get() as { n: number }).n, 1);
  } finally {
    db.close();
  }
});

test('a database from a newer podd is refused, not misread', (t) => {
  const s = tempStore(t);
  s.store.close();
  const db = new Database(s.path);
  db.prepare('INSERT INTO schema_version (version, applied_at_ms) VALUES (?, ?)').run(SCHEMA_VERSION + 1, 0);
  db.close();
  assert.throws(() => SqliteObjectStore.open(s.path), {
    code: 'FailedPrecondition',
    message: `store schema version ${SCHEMA_VERSION + 1} is newer than this podd understands (${SCHEMA_VERSION}); upgrade podd`,
  });
  // The refused open released the file: fixing the version lets it open.
  const fix = new Database(s.path);
  fix.prepare('DELETE FROM schema_version WHERE version > ?').run(SCHEMA_VERSION);
  fix.close();
  s.reopen();
});
