import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { SqliteObjectStore } from './object-store.js';
import { pod, tempStore } from './store-fixtures.js';

// A writer in a child process: create, update, and every third object delete, acknowledging each operation on
// stdout only after the store call returned (i.e. committed). It never stops by itself.
const WRITER = `
import { writeSync } from 'node:fs';
const [moduleUrl, path, synchronous] = process.argv.slice(1);
const { SqliteObjectStore } = await import(moduleUrl);
const store = SqliteObjectStore.open(path, { synchronous });
const ack = (op, o) => writeSync(1, op + ' ' + o.metadata.name + ' ' + o.metadata.resourceVersion + '\\n');
for (let i = 0; ; i++) {
  const name = 'p' + i;
  ack('C', store.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { i } }));
  ack('U', store.update('pods', 'default', name, (p) => ({ ...p, status: { phase: 'Running', payload: 'x'.repeat(i % 500) } })));
  if (i % 3 === 0) ack('D', store.delete('pods', 'default', name));
}
`;

interface Ack { op: 'C' | 'U' | 'D'; name: string; rv: number }

/** name -> resourceVersion of the live objects after the writer's first `rv` operations. */
function writerStateAt(rv: number): Map<string, number> {
  const state = new Map<string, number>();
  let next = 0;
  for (let i = 0; next < rv; i++) {
    const name = `p${i}`;
    state.set(name, ++next);                        // create
    if (next < rv) state.set(name, ++next);         // update
    if (i % 3 === 0 && next < rv) {                 // delete
      ++next;
      state.delete(name);
    }
  }
  return state;
}

/** Runs the writer until `acks` operations are acknowledged, SIGKILLs it, returns the acknowledgements. */
async function writeThenKill(path: string, synchronous: 'FULL' | 'NORMAL', acks: number,
  whileRunning: () => void): Promise<Ack[]> {
  const moduleUrl = new URL('./object-store.js', import.meta.url).href;
  const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, moduleUrl, path, synchronous],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const seen: Ack[] = [];
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const [op, name, rv] = line.split(' ');
    seen.push({ op: op as Ack['op'], name: name ?? '', rv: Number(rv) });
    if (seen.length === acks) {
      whileRunning();
      child.kill('SIGKILL');
      break;
    }
  }
  assert.equal(await exited, 'SIGKILL');
  return seen;
}

for (const synchronous of ['FULL', 'NORMAL'] as const) {
  test(`kill -9 mid-write loses no acknowledged write (synchronous=${synchronous})`, async (t) => {
    const s = tempStore(t);
    s.store.close();
    const acks = await writeThenKill(s.path, synchronous, 1500, () => {
      // The running writer holds the database: a second process cannot open it.
      assert.throws(() => SqliteObjectStore.open(s.path, { busyTimeoutMs: 10 }),
        { code: 'Unavailable', message: `object store ${s.path} is in use by another process` });
    });
    const store = s.reopen();
    // The writer runs ahead of what we read before the kill, so the store may hold more than was acknowledged;
    // but it must hold exactly the state after some prefix of the writer's (deterministic) operations, and
    // that prefix must include every acknowledged one.
    const lastAcked = acks.at(-1)?.rv ?? 0;
    assert.deepEqual(acks.map((a) => a.rv), acks.map((_a, i) => i + 1));
    const recovered = Number(store.resourceVersion());
    assert.ok(recovered >= lastAcked, `recovered resourceVersion ${recovered} covers the last acknowledged ${lastAcked}`);
    const expected = writerStateAt(recovered);
    const actual = new Map(store.list('pods', 'default').items.map((p) => [p.metadata.name ?? '', Number(p.metadata.resourceVersion)]));
    assert.deepEqual(actual, expected);
    assert.equal(Number(store.create('pods', pod('after-crash')).metadata.resourceVersion), recovered + 1);
    // The change log survived as well: a watch can replay the tail.
    store.watch('pods', undefined, String(lastAcked - 10), () => undefined).stop();
  });
}

test('the database and its WAL are private (0600) in a private directory (0700)', (t) => {
  const { store, path } = tempStore(t);
  store.create('secrets', pod('token'));
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(`${path}-wal`).mode & 0o777, 0o600);
  assert.equal(statSync(dirname(path)).mode & 0o777, 0o700);
});

test('an existing database file with a wider mode is tightened to 0600', (t) => {
  const s = tempStore(t);
  s.store.close();
  chmodSync(s.path, 0o644);
  s.reopen();
  assert.equal(statSync(s.path).mode & 0o777, 0o600);
});

test('a second store on the same file in this process is refused too', (t) => {
  const { path } = tempStore(t);
  assert.throws(() => SqliteObjectStore.open(path, { busyTimeoutMs: 10 }), { code: 'Unavailable' });
});
