// The killer's clockwork on a fake clock: simulated containers (how long their preStop takes, how long they take to
// exit after the stop signal) and the times at which things happen.
import { afterEach, beforeEach, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerKiller, type KillRequest } from './container-killer.js';

interface Sim {
  /** ms the preStop hook takes (Infinity: never ends). */
  preStopMs?: number;
  /** ms from the stop signal to the exit (Infinity: ignores it, only SIGKILL ends it). */
  exitMs?: number;
}

let now = 0;
const log: string[] = [];

beforeEach(() => {
  now = 0;
  log.length = 0;
  mock.timers.enable({ apis: ['setTimeout'] });
});
afterEach(() => mock.timers.reset());

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** Moves the fake clock forward in 50 ms steps, letting timers and promise chains run at each. */
async function advance(ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 50) {
    now += 50;
    mock.timers.tick(50);
    await flush();
  }
}

function killer(sims: Record<string, Sim>): ContainerKiller {
  const exits = new Map<string, () => void>();
  const at = (): string => (now / 1000).toFixed(2);
  return new ContainerKiller({
    clock: () => now,
    preStop: (req, signal) => new Promise<void>((resolve) => {
      log.push(`${at()} ${req.name} preStop`);
      const ms = sims[req.name]?.preStopMs ?? 0;
      let ended = false;
      const end = (why: string): void => {
        if (ended) return;
        ended = true;
        log.push(`${at()} ${req.name} preStop ${why}`);
        resolve();
      };
      if (Number.isFinite(ms)) setTimeout(() => end('done'), ms);
      signal.addEventListener('abort', () => end('abandoned'), { once: true });
    }),
    stop: (req, graceMs) => new Promise<void>((resolve) => {
      log.push(`${at()} ${req.name} signal window=${graceMs / 1000}`);
      const exit = (how: string): void => {
        if (!exits.has(req.name)) return;
        exits.delete(req.name);
        log.push(`${at()} ${req.name} exit ${how}`);
        resolve();
      };
      exits.set(req.name, () => exit('SIGKILL'));
      const ms = sims[req.name]?.exitMs ?? 0;
      if (Number.isFinite(ms) && ms < graceMs) setTimeout(() => exit('TERM'), ms);
      setTimeout(() => exit('SIGKILL'), graceMs);
    }),
    sigkill: (req) => {
      exits.get(req.name)?.();
      return Promise.resolve();
    },
  });
}

const req = (name: string, graceSeconds: number, o: Partial<KillRequest> = {}): KillRequest =>
  ({ id: name, name, graceSeconds, runPreStop: false, waitFor: [], ...o });

test('no preStop: the stop signal at once with the whole grace', async () => {
  const done = killer({ a: { exitMs: 1200 } }).kill(req('a', 30));
  await advance(2000);
  await done;
  assert.deepEqual(log, ['0.00 a signal window=30', '1.20 a exit TERM']);
});

test('preStop and the stop signal share the budget: whole seconds taken off, truncated (preStop of 1.5 s of 5 → 4 s window)', async () => {
  const done = killer({ a: { preStopMs: 1500, exitMs: Infinity } }).kill(req('a', 5, { runPreStop: true }));
  await advance(6000);
  await done;
  assert.deepEqual(log, ['0.00 a preStop', '1.50 a preStop done', '1.50 a signal window=4', '5.50 a exit SIGKILL']);
});

test('a preStop that never ends: abandoned at the grace, then the stop signal with the 2 s minimum, SIGKILL at grace + 2 s', async () => {
  const done = killer({ a: { preStopMs: Infinity, exitMs: Infinity } }).kill(req('a', 3, { runPreStop: true }));
  await advance(6000);
  await done;
  assert.deepEqual(log, ['0.00 a preStop', '3.00 a signal window=2', '5.00 a exit SIGKILL', '5.00 a preStop abandoned']);
});

test('grace 0: no preStop at all, the 2 s minimum', async () => {
  const done = killer({ a: { exitMs: Infinity } }).kill(req('a', 0, { runPreStop: true }));
  await advance(3000);
  await done;
  assert.deepEqual(log, ['0.00 a signal window=2', '2.00 a exit SIGKILL']);
});

test('killAll: every preStop at once; sidecars signalled after the apps and the later sidecar exited, in reverse order', async () => {
  const k = killer({ a: { preStopMs: 500, exitMs: 1000 }, s1: { preStopMs: 200, exitMs: 1000 }, s2: { exitMs: 1000 } });
  const done = k.killAll([
    req('a', 30, { runPreStop: true }),
    req('s1', 30, { runPreStop: true, waitFor: ['a', 's2'] }),
    req('s2', 30, { waitFor: ['a'] }),
  ]);
  await advance(5000);
  await done;
  assert.deepEqual(log, [
    '0.00 a preStop', '0.00 s1 preStop',
    '0.20 s1 preStop done',
    '0.50 a preStop done', '0.50 a signal window=30',
    '1.50 a exit TERM', '1.50 s2 signal window=29',
    '2.50 s2 exit TERM', '2.50 s1 signal window=28',
    '3.50 s1 exit TERM',
  ]);
});

test('waiting for the turn uses up the budget: a sidecar whose apps outlive the grace gets the 2 s minimum', async () => {
  const k = killer({ a: { exitMs: Infinity }, s: { exitMs: Infinity } });
  const done = k.killAll([req('a', 3), req('s', 3, { waitFor: ['a'] })]);
  await advance(8000);
  await done;
  assert.deepEqual(log, ['0.00 a signal window=3', '3.00 a exit SIGKILL', '3.00 s signal window=2', '5.00 s exit SIGKILL']);
});

test('shorten during the preStop: the stop signal by now + the new grace', async () => {
  const k = killer({ a: { preStopMs: Infinity, exitMs: 500 } });
  const done = k.kill(req('a', 30, { runPreStop: true }));
  await advance(2000);
  k.shorten(1);
  await advance(2000);
  await done;
  assert.deepEqual(log, ['0.00 a preStop', '3.00 a signal window=2', '3.50 a exit TERM', '3.50 a preStop abandoned']);
});

test('shorten after the stop signal: SIGKILL at now + the new grace, never sooner than 2 s after the signal', async () => {
  const k = killer({ a: { exitMs: Infinity }, b: { exitMs: Infinity } });
  const a = k.kill(req('a', 30));
  await advance(5000);
  const b = k.kill(req('b', 30));
  await advance(500);
  k.shorten(1);
  await advance(3000);
  await Promise.all([a, b]);
  assert.deepEqual(log, ['0.00 a signal window=30', '5.00 b signal window=30', '6.50 a exit SIGKILL', '7.00 b exit SIGKILL']);
});

test('a longer grace later changes nothing', async () => {
  const k = killer({ a: { exitMs: Infinity } });
  const a = k.kill(req('a', 3));
  await advance(1000);
  k.shorten(30);
  await advance(3000);
  await a;
  assert.deepEqual(log, ['0.00 a signal window=3', '3.00 a exit SIGKILL']);
});
