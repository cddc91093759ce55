// `npm run bench`, the `podd serve` part, driven by the real kubectl:
//   one pod:  `kubectl apply` of init-demo → both apps running, → Ready; `kubectl delete` → gone from the API
//   50 pods:  one `kubectl apply` of 50 small pods (an init, a long-running app) → all Ready; delete → all gone
//   memory:   podd serve's RSS idle with 0 pods, with the 50 running, and after deleting them
// Times come from a watch on the API in this process, so no kubectl start is counted after the apply. Every pod is
// deleted, serve stopped and the host checked clean of the pods' containers, even when the bench fails.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { RUNS, poddBin, repoRoot, runcFloor } from './common.js';
import { PodWatch, allRunning, isReady } from './kube-api.js';
import { conmonMemory, instancesOf, kubectl, runcIds, serveMemory, startServe, stopServe } from './serve-process.js';
import type { Memory, Serve } from './serve-process.js';

export const BULK = Number(process.env['BENCH_BULK_PODS'] ?? 50);
export const BULK_RUNS = Number(process.env['BENCH_BULK_RUNS'] ?? 3);
const LABEL = 'podd-bench';
const RUN_ID = String(process.pid);
const TIMEOUT_MS = 180_000;
/** Keeps running, and stops at once on SIGTERM (a bare `sleep` as pid 1 ignores it until the grace period ends). */
export const LONG_RUNNING = ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"];

export interface ServeFigures {
  /** The runc floor of init-demo's shape, measured before each single-pod run. */
  floor: number[];
  applied: number[];
  running: number[];
  ready: number[];
  deleted: number[];
  /** The runc floor of one small pod (pause + 1 init + 1 app), measured before each 50-pod round. */
  smallFloor: number[];
  bulkApplied: number[];
  bulkReady: number[];
  bulkDeleted: number[];
  idle: Memory;
  at50: Memory[];
  conmon50: { kb: number; count: number }[];
  after: Memory;
}

/** init-demo as in examples/, but its apps keep running, so that it stays Ready (the floor's apps sleep too). */
function initDemo(name: string): unknown {
  const pod = parse(readFileSync(join(repoRoot, 'examples', 'init-demo.yaml'), 'utf8')) as {
    metadata: { name: string; labels?: Record<string, string> };
    spec: { containers: { command: string[] }[] };
  };
  pod.metadata = { ...pod.metadata, name, labels: { ...pod.metadata.labels, [LABEL]: RUN_ID } };
  for (const c of pod.spec.containers) c.command = LONG_RUNNING;
  return pod;
}

function smallPod(name: string, round: number): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { [LABEL]: RUN_ID, round: String(round) } },
    spec: {
      terminationGracePeriodSeconds: 5,
      initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'true'] }],
      containers: [{ name: 'app', image: 'busybox', command: LONG_RUNNING }],
    },
  };
}

/** What the pods seen so far left, once deleted from the API: nothing, or this fails. */
async function expectClean(watch: PodWatch, what: string): Promise<void> {
  const left = await instancesOf(watch.uids);
  if (left.length > 0) throw new Error(`${what}: ${left.length} container(s) of deleted pods still on the host`);
}

async function onePod(serve: Serve, watch: PodWatch, name: string, ids: Set<string>): Promise<{ applied: number; running: number; ready: number; deleted: number }> {
  const running = watch.until(`${name}'s apps running`, (p) => allRunning(p.get(name), ['web', 'client']), TIMEOUT_MS);
  const ready = watch.until(`${name} Ready`, (p) => isReady(p.get(name)), TIMEOUT_MS);
  const t0 = performance.now();
  await kubectl(serve, ['apply', '-f', '-'], stringify(initDemo(name)));
  const applied = performance.now() - t0;
  const [runningAt, readyAt] = await Promise.all([running, ready]);
  for (const inst of await instancesOf(watch.uids)) ids.add(inst.id);

  const gone = watch.until(`${name} gone`, (p) => !p.has(name), TIMEOUT_MS);
  const t1 = performance.now();
  await kubectl(serve, ['delete', 'pod', name, '--wait=false']);
  const deleted = (await gone) - t1;
  await expectClean(watch, name);
  return { applied, running: runningAt - t0, ready: readyAt - t0, deleted };
}

async function manyPods(serve: Serve, watch: PodWatch, round: number, ids: Set<string>, fig: ServeFigures): Promise<void> {
  const names = Array.from({ length: BULK }, (_, k) => `bulk-${round}-${k}`);
  const ready = watch.until(`${BULK} pods Ready`, (p) => names.every((n) => isReady(p.get(n))), TIMEOUT_MS);
  const t0 = performance.now();
  await kubectl(serve, ['apply', '-f', '-'], names.map((n) => stringify(smallPod(n, round))).join('---\n'));
  fig.bulkApplied.push(performance.now() - t0);
  fig.bulkReady.push((await ready) - t0);

  fig.at50.push(serveMemory(serve));
  const instances = await instancesOf(watch.uids);
  for (const inst of instances) ids.add(inst.id);
  fig.conmon50.push(conmonMemory(instances));

  const gone = watch.until(`${BULK} pods gone`, (p) => names.every((n) => !p.has(n)), TIMEOUT_MS);
  const t1 = performance.now();
  await kubectl(serve, ['delete', 'pods', '-l', `${LABEL}=${RUN_ID},round=${round}`, '--wait=false']);
  fig.bulkDeleted.push((await gone) - t1);
  await expectClean(watch, `round ${round}`);
}

/**
 * Deletes whatever pods of this run are left, stops serve, and checks the host. Returns the problems found; if
 * serve left containers behind, its database is removed and `podd cleanup` (which takes the pods of a serve that is
 * gone with its database) removes them.
 */
async function cleanUp(serve: Serve, watch: PodWatch, ids: Set<string>): Promise<string[]> {
  const problems: string[] = [];
  watch.stop();
  try {
    await kubectl(serve, ['delete', 'pods', '-l', `${LABEL}=${RUN_ID}`, '--grace-period=1', '--wait=true', '--timeout=120s']);
  } catch (err) {
    problems.push(err instanceof Error ? err.message : String(err));
  }
  await stopServe(serve);
  const running = runcIds();
  const left = [...new Set([...(await instancesOf(watch.uids)).map((i) => i.id), ...[...ids].filter((id) => running.has(id))])];
  rmSync(serve.dir, { recursive: true, force: true });
  if (left.length > 0) {
    problems.push(`${left.length} container(s) of the bench's pods were left on the host`);
    execFileSync(process.execPath, [poddBin, 'cleanup'], { stdio: 'inherit' });
  }
  return problems;
}

export async function serveBench(layer: string): Promise<ServeFigures> {
  const serve = await startServe();
  const watch = new PodWatch(serve.kubeconfig, 'default', `${LABEL}=${RUN_ID}`);
  const interrupt = (): void => watch.fail(new Error('interrupted'));
  process.once('SIGINT', interrupt).once('SIGTERM', interrupt);
  const ids = new Set<string>();
  let failure: unknown;
  const fig: ServeFigures = {
    floor: [], applied: [], running: [], ready: [], deleted: [], smallFloor: [], bulkApplied: [], bulkReady: [], bulkDeleted: [],
    idle: serveMemory(serve), at50: [], conmon50: [], after: serveMemory(serve),
  };
  try {
    await watch.opened;
    await new Promise((r) => setTimeout(r, 1000));
    fig.idle = serveMemory(serve);
    await onePod(serve, watch, 'init-demo-warmup', ids); // kubectl's discovery cache, podd's first pod
    for (let i = 0; i < RUNS; i++) {
      fig.floor.push(runcFloor(layer));
      const r = await onePod(serve, watch, `init-demo-${i}`, ids);
      fig.applied.push(r.applied);
      fig.running.push(r.running);
      fig.ready.push(r.ready);
      fig.deleted.push(r.deleted);
    }
    for (let round = 0; round < BULK_RUNS; round++) {
      fig.smallFloor.push(runcFloor(layer, ['init'], ['app']));
      await manyPods(serve, watch, round, ids, fig);
    }
    fig.after = serveMemory(serve);
  } catch (err) {
    failure = err;
  }
  process.off('SIGINT', interrupt).off('SIGTERM', interrupt);
  const problems = await cleanUp(serve, watch, ids);
  if (failure !== undefined) {
    process.stderr.write(`bench: podd serve's log ends with:\n${serve.log()}\n`);
    for (const p of problems) process.stderr.write(`bench: cleanup: ${p}\n`);
    throw failure;
  }
  if (problems.length > 0) throw new Error(`podd serve bench: ${problems.join('; ')}`);
  return fig;
}
