// Every SQL statement the object store runs, prepared once per connection.

import type Database from 'better-sqlite3';
import type { ChangeRecord } from './watch-hub.js';

export interface DataRow { data: string }

export interface ChangeRow {
  rv: number;
  type: ChangeRecord['type'];
  resource: string;
  namespace: string;
  name: string;
  data: string;
  prev: string | null;
}

const CHANGE_COLUMNS = 'rv, type, resource, namespace, name, data, prev';

// The return type is inferred on purpose: it carries each statement's parameter and row types.
export function prepareStatements(db: Database.Database) {
  return {
    counter: db.prepare<[string], { value: number }>('SELECT value FROM counters WHERE key = ?'),
    setCounter: db.prepare<[number, string]>('UPDATE counters SET value = ? WHERE key = ?'),
    get: db.prepare<[string, string, string], DataRow>(
      'SELECT data FROM objects WHERE resource = ? AND namespace = ? AND name = ?'),
    listNamespace: db.prepare<[string, string], DataRow>(
      'SELECT data FROM objects WHERE resource = ? AND namespace = ? ORDER BY namespace, name'),
    listAll: db.prepare<[string], DataRow>('SELECT data FROM objects WHERE resource = ? ORDER BY namespace, name'),
    insert: db.prepare<[string, string, string, string]>(
      'INSERT INTO objects (resource, namespace, name, data) VALUES (?, ?, ?, ?)'),
    replace: db.prepare<[string, string, string, string]>(
      'UPDATE objects SET data = ? WHERE resource = ? AND namespace = ? AND name = ?'),
    remove: db.prepare<[string, string, string]>('DELETE FROM objects WHERE resource = ? AND namespace = ? AND name = ?'),
    logChange: db.prepare<[number, string, string, string, string, string, string | null, number]>(
      'INSERT INTO changes (rv, type, resource, namespace, name, data, prev, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    changesSince: db.prepare<[string, number], ChangeRow>(
      `SELECT ${CHANGE_COLUMNS} FROM changes WHERE resource = ? AND rv > ? ORDER BY rv`),
    changesSinceInNamespace: db.prepare<[string, number, string], ChangeRow>(
      `SELECT ${CHANGE_COLUMNS} FROM changes WHERE resource = ? AND rv > ? AND namespace = ? ORDER BY rv`),
    newestAgedChange: db.prepare<[number], { rv: number | null }>('SELECT max(rv) AS rv FROM changes WHERE at_ms < ?'),
    trimChanges: db.prepare<[number]>('DELETE FROM changes WHERE rv <= ?'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
