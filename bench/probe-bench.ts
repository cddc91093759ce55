// `npm run bench`, the probes part (issue 6), on `podd serve` driven by kubectl:
//   overhead:  BENCH_PROBE_PODS pods × BENCH_PROBE_CONTAINERS containers (20 × 5 = 100) of a long-running busybox
//              shell, applied at once, all running, then podd serve's CPU over BENCH_PROBE_SECONDS (30) s, from
//              /proc/<serve>/stat: utime+stime of serve itself, and cutime+cstime of the children it reaped (an exec
//              probe is a `runc exec` serve spawns and waits for); and the whole host's busy time from /proc/stat.
//              Three sets in turn, each deleted before the next: no probes (the baseline), an exec readiness probe
//              every 1 s (`sh -c 'echo >> /tmp/probes'`: `true` that also counts its runs, read afterwards through
//              /proc/<pid>/root), and an httpGet readiness probe every 1 s on busybox httpd in every container
//   restart:   BENCH_RUNS pods whose liveness probe (exec `test -f /tmp/alive`, period 1 s, failureThreshold 1)
//              fails once the bench removes the file (through /proc/<pid>/root: the moment is the bench's own), against
//              as many pods whose container exits 1 when the bench signals it (a plain crash, the baseline): from that
//              moment to the failing probe run (the probe writes a line to the container's stdout first: its log
//              timestamp), to the first instance's exit (its exit file's mtime), to the new instance's start (its
//              meta.json startedAt) and to the pod's status showing restartCount 1 and running (a watch);
//              interleaved, medians
// Every pod is deleted, serve stopped and the host checked clean of the pods' containers (runc list), even on failure.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { stringify } from 'yaml';
import { Interrupt, RUNS, median, poddBin } from './common.js';
import { PodWatch, allRunning, isReady } from './kube-api.js';
import type { BenchPod } from './kube-api.js';
import { LONG_RUNNING } from './serve-bench.js';
import { instancesOf, kubectl, runcIds, startServe, stopServe } from './serve-process.js';
import type { Instance, Serve } from './serve-process.js';

export const PROBE_PODS = Number(process.env['BENCH_PROBE_PODS'] ?? 20);
export const PROBE_CONTAINERS = Number(process.env['BENCH_PROBE_CONTAINERS'] ?? 5);
export const PROBE_SECONDS = Number(process.env['BENCH_PROBE_SECONDS'] ?? 30);
/** BENCH_PROBE_HTTP=0 leaves the httpGet set out. */
export const PROBE_HTTP = process.env['BENCH_PROBE_HTTP'] !== '0';
/** Between all containers running (and the probes begun) and the window: first probes and status updates settle. */
export const SETTLE_MS = 2_000;
export const PROBE_PERIOD_S = 1;
/**
 * The readiness probes' initialDelaySeconds, so that the 100 containers start before the probes begin: 100 exec
 * probes a second saturate 2 cores, and under them the last container of the 100 ran 56 s after the apply (4 s
 * without probes). The window starts once all run and this delay has passed since the apply.
 */
export const PROBE_DELAY_S = 8;
const LABEL = 'podd-bench-probes';
const RUN_ID = String(process.pid);
const TIMEOUT_MS = 180_000;
const RESTART_TIMEOUT_MS = 30_000;
const HTTP_PORT = 8080;
/** The liveness probe's line in the container's log. */
const PROBE_MARK = 'liveness-probe-run';
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export type ProbeKind = 'none' | 'exec' | 'http';

export interface CpuWindow {
  kind: ProbeKind;
  /**
   * ms from `kubectl apply` to all containers running, to all pods Ready (undefined: not all Ready by the window's
   * end), and from `kubectl delete` to all gone from the API.
   */
  runningMs: number;
  readyMs: number | undefined;
  deleteMs: number;
  /** The window's length, s. */
  seconds: number;
  /** CPU % of one core over the window: serve itself, the children it reaped, the whole host (all cores). */
  self: number;
  children: number;
  host: number;
  /** serve itself + reaped children, % of one core, each 1-s sample: its median. */
  perSecondMedian: number;
  /** exec: probe runs in the window, counted by the probes themselves (undefined: not counted). */
  probes?: number;
  /** Failed probe runs in the window: the Unhealthy events' counts (timeouts included). */
  unhealthy: number;
  /** Pods Ready at the window's end, and container restarts seen by then. */
  readyAtEnd: number;
  restarts: number;
}

export interface RestartRun {
  /** liveness: ms from the file's removal to the failing probe run (its line in the container's log). */
  detected?: number;
  /** ms from the failure (file removed / signal sent) to the old instance's exit (its exit file's mtime). */
  exited: number;
  /** ms from the failure to the new instance's startedAt (podd's clock, ms). */
  started: number;
  /** ms from the failure to the watch event with restartCount 1 and running. */
  watch: number;
}

export interface ProbeFigures {
  windows: CpuWindow[];
  liveness: RestartRun[];
  crash: RestartRun[];
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** utime+stime and cutime+cstime of `pid`, in clock ticks. */
function processTicks(pid: number): { self: number; children: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  // fields 14..17 of proc(5), counted from field 3 (state) here
  return { self: (f[11] ?? 0) + (f[12] ?? 0), children: (f[13] ?? 0) + (f[14] ?? 0) };
}

/** Busy clock ticks of the whole host (all but idle and iowait), from /proc/stat. */
function hostTicks(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return total - (cpu[3] ?? 0) - (cpu[4] ?? 0);
}

function container(kind: ProbeKind, k: number): unknown {
  if (kind === 'http') {
    const port = HTTP_PORT + k;
    return {
      name: `c${k}`,
      image: 'busybox',
      command: ['sh', '-c', `mkdir -p /tmp/www && echo ok > /tmp/www/index.html && trap 'exit 0' TERM; httpd -f -p ${port} -h /tmp/www & wait`],
      readinessProbe: { httpGet: { path: '/index.html', port }, initialDelaySeconds: PROBE_DELAY_S, periodSeconds: PROBE_PERIOD_S },
    };
  }
  return {
    name: `c${k}`,
    image: 'busybox',
    command: LONG_RUNNING,
    ...(kind === 'exec'
      ? { readinessProbe: { exec: { command: ['sh', '-c', 'echo >> /tmp/probes'] }, initialDelaySeconds: PROBE_DELAY_S, periodSeconds: PROBE_PERIOD_S } }
      : {}),
  };
}

function probePod(kind: ProbeKind, name: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { [LABEL]: RUN_ID, set: kind } },
    spec: { terminationGracePeriodSeconds: 5, containers: Array.from({ length: PROBE_CONTAINERS }, (_, k) => container(kind, k)) },
  };
}

function restartPod(kind: 'liveness' | 'crash', name: string): unknown {
  const app = kind === 'liveness'
    ? {
      name: 'app',
      image: 'busybox',
      command: ['sh', '-c', "touch /tmp/alive; trap 'exit 0' TERM; sleep 3600 & wait"],
      // Each run first writes a line to the container's stdout, which conmon timestamps in its log.
      livenessProbe: {
        exec: { command: ['sh', '-c', `echo ${PROBE_MARK} > /proc/1/fd/1; test -f /tmp/alive`] },
        initialDelaySeconds: 1, periodSeconds: PROBE_PERIOD_S, failureThreshold: 1,
      },
    }
    : { name: 'app', image: 'busybox', command: ['sh', '-c', "trap 'exit 1' USR1; trap 'exit 0' TERM; sleep 3600 & wait"] };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { [LABEL]: RUN_ID, set: 'restart' } },
    spec: { terminationGracePeriodSeconds: 5, containers: [app] },
  };
}

/** The last probe run before `until` (ms since the epoch), from the CRI log's timestamps. */
function probeRunBefore(logPath: string, until: number): number | undefined {
  let last: number | undefined;
  for (const line of readFileSync(logPath, 'utf8').split('\n')) {
    const m = /^(\S+) stdout [FP] (.*)$/.exec(line);
    if (m?.[2] !== PROBE_MARK) continue;
    const at = Date.parse(m[1] ?? '');
    if (at <= until) last = at;
  }
  return last;
}

const restarts = (p: BenchPod | undefined): number => p?.status?.containerStatuses?.reduce((sum, s) => sum + (s.restartCount ?? 0), 0) ?? 0;

/** Every instance id seen, for the check that runc lists none of them at the end. */
async function remember(watch: PodWatch, ids: Set<string>): Promise<Instance[]> {
  const instances = await instancesOf(watch.uids);
  for (const inst of instances) ids.add(inst.id);
  return instances;
}

/** The pods' app instances' probe counters: bytes in /tmp/probes (one per run), read through /proc/<pid>/root. */
function probeCount(instances: Instance[]): number {
  let n = 0;
  for (const inst of instances) {
    if (inst.role !== 'app' || inst.pid === undefined) continue;
    try {
      n += statSync(`/proc/${inst.pid}/root/tmp/probes`).size;
    } catch {
      // no run yet
    }
  }
  return n;
}

/** Failed probe runs of a set's pods so far: the counts of their Unhealthy events (podd aggregates repeats). */
async function unhealthy(serve: Serve, kind: ProbeKind): Promise<number> {
  const list = JSON.parse(await kubectl(serve, ['get', 'events', '-o', 'json'])) as {
    items: { reason?: string; count?: number; series?: { count?: number }; involvedObject?: { name?: string } }[];
  };
  return list.items
    .filter((e) => e.reason === 'Unhealthy' && (e.involvedObject?.name ?? '').startsWith(`${kind}-`))
    .reduce((sum, e) => sum + (e.series?.count ?? e.count ?? 1), 0);
}

async function applyAll(serve: Serve, docs: unknown[]): Promise<void> {
  await kubectl(serve, ['apply', '-f', '-'], docs.map((d) => stringify(d)).join('---\n'));
}

/** Deletes a set's pods; resolves with ms from `kubectl delete` to all gone from the API. */
async function deleteSet(serve: Serve, watch: PodWatch, names: string[], set: string): Promise<number> {
  const gone = watch.until(`${set} pods gone`, (p) => names.every((n) => !p.has(n)), TIMEOUT_MS);
  const t0 = performance.now();
  await kubectl(serve, ['delete', 'pods', '-l', `${LABEL}=${RUN_ID},set=${set}`, '--wait=false']);
  const ms = (await gone) - t0;
  const left = await instancesOf(watch.uids);
  if (left.length > 0) throw new Error(`${set}: ${left.length} container(s) of deleted pods still on the host`);
  return ms;
}

async function cpuWindow(serve: Serve, watch: PodWatch, kind: ProbeKind, ids: Set<string>, signal: AbortSignal): Promise<CpuWindow> {
  const names = Array.from({ length: PROBE_PODS }, (_, i) => `${kind}-${i}`);
  const containers = Array.from({ length: PROBE_CONTAINERS }, (_, k) => `c${k}`);
  const running = watch.until(`${PROBE_PODS} ${kind} pods' containers running`, (p) => names.every((n) => allRunning(p.get(n), containers)), TIMEOUT_MS);
  // The window starts once all run and the probes have begun, Ready or not: under 100 exec probes a second on 2 cores
  // the last pod took 35 s more to turn Ready, and the probes run every period either way.
  const ready = watch.until(`${PROBE_PODS} ${kind} pods Ready`, (p) => names.every((n) => isReady(p.get(n))), TIMEOUT_MS);
  let readyAt: number | undefined;
  void ready.then((at) => (readyAt = at), () => undefined);
  const t0 = performance.now();
  await applyAll(serve, names.map((n) => probePod(kind, n)));
  const runningMs = (await running) - t0;
  const instances = await remember(watch, ids);
  const probesFrom = kind === 'none' ? 0 : t0 + PROBE_DELAY_S * 1000;
  await sleep(Math.max(0, probesFrom - performance.now()) + SETTLE_MS, signal);
  const u0 = await unhealthy(serve, kind);

  const w0 = performance.now();
  const p0 = processTicks(serve.pid);
  const h0 = hostTicks();
  const c0 = kind === 'exec' ? probeCount(instances) : 0;
  const perSecond: number[] = [];
  let prev = { at: w0, ticks: p0.self + p0.children };
  for (let s = 0; s < PROBE_SECONDS; s++) {
    await sleep(Math.max(0, w0 + (s + 1) * 1000 - performance.now()), signal);
    const now = performance.now();
    const t = processTicks(serve.pid);
    perSecond.push(((t.self + t.children - prev.ticks) / CLK_TCK / ((now - prev.at) / 1000)) * 100);
    prev = { at: now, ticks: t.self + t.children };
  }
  const p1 = processTicks(serve.pid);
  const h1 = hostTicks();
  const c1 = kind === 'exec' ? probeCount(instances) : 0;
  const seconds = (performance.now() - w0) / 1000;
  const u1 = await unhealthy(serve, kind);
  const pct = (ticks: number): number => (ticks / CLK_TCK / seconds) * 100;
  const fig: CpuWindow = {
    kind, runningMs, readyMs: readyAt === undefined ? undefined : readyAt - t0, deleteMs: 0, seconds,
    self: pct(p1.self - p0.self), children: pct(p1.children - p0.children), host: pct(h1 - h0),
    perSecondMedian: median(perSecond),
    ...(kind === 'exec' ? { probes: c1 - c0 } : {}),
    unhealthy: u1 - u0,
    readyAtEnd: names.filter((n) => isReady(watch.pods.get(n))).length,
    restarts: names.reduce((sum, n) => sum + restarts(watch.pods.get(n)), 0),
  };
  fig.deleteMs = await deleteSet(serve, watch, names, kind);
  return fig;
}

/** One failure: the file removed (liveness) or the signal sent (crash), timed to the restarted instance. */
async function restartOnce(watch: PodWatch, kind: 'liveness' | 'crash', name: string, ids: Set<string>): Promise<RestartRun> {
  const pod = watch.pods.get(name);
  if (pod === undefined || restarts(pod) !== 0) throw new Error(`${name}: restarted before the bench failed it (restartCount ${restarts(pod)})`);
  const app = (await instancesOf(new Set([pod.metadata.uid]))).find((i) => i.role === 'app' && i.pid !== undefined);
  if (app?.pid === undefined) throw new Error(`${name}: no running app instance in the state dir`);
  const restarted = watch.until(`${name} restarted and running`, (p) => {
    const s = p.get(name)?.status?.containerStatuses?.find((c) => c.name === 'app');
    return (s?.restartCount ?? 0) >= 1 && s?.state.running !== undefined;
  }, RESTART_TIMEOUT_MS);
  const wall = Date.now();
  const t0 = performance.now();
  if (kind === 'liveness') rmSync(`/proc/${app.pid}/root/tmp/alive`);
  else process.kill(app.pid, 'SIGUSR1');
  const at = await restarted;
  const instances = await remember(watch, ids);
  const fresh = instances.find((i) => i.podUid === pod.metadata.uid && i.role === 'app' && i.restartCount === 1);
  const old = instances.find((i) => i.id === app.id);
  if (fresh?.startedAt === undefined) throw new Error(`${name}: no started instance with restartCount 1 in the state dir`);
  if (old?.finishedAt === undefined) throw new Error(`${name}: the first instance has no finishedAt in the state dir`);
  const run: RestartRun = { exited: old.finishedAt - wall, started: fresh.startedAt - wall, watch: at - t0 };
  if (kind === 'liveness') {
    // The failing run is the last one before the kill (failureThreshold 1). Its line is written before its test, so
    // a run that began just before the removal and tested just after it shows as a few ms early.
    const probed = old.logPath === undefined ? undefined : probeRunBefore(old.logPath, old.finishedAt);
    if (probed === undefined || probed < wall - PROBE_PERIOD_S * 1000) {
      throw new Error(`${name}: no liveness probe run between the removal and the exit in ${old.logPath ?? 'its log'}`);
    }
    run.detected = probed - wall;
  }
  return run;
}

async function restartRuns(serve: Serve, watch: PodWatch, ids: Set<string>, intr: Interrupt, fig: ProbeFigures): Promise<void> {
  const live = Array.from({ length: RUNS }, (_, i) => `liveness-${i}`);
  const crash = Array.from({ length: RUNS }, (_, i) => `crash-${i}`);
  const all = [...live, ...crash];
  const ready = watch.until(`${all.length} restart pods Ready`, (p) => all.every((n) => isReady(p.get(n))), TIMEOUT_MS);
  await applyAll(serve, [...live.map((n) => restartPod('liveness', n)), ...crash.map((n) => restartPod('crash', n))]);
  await ready;
  await remember(watch, ids);
  // Past the liveness probes' initial delay, so that the probes run every period.
  await sleep(1_500, intr.controller.signal);
  for (let i = 0; i < RUNS; i++) {
    const order = i % 2 === 0 ? (['liveness', 'crash'] as const) : (['crash', 'liveness'] as const);
    for (const kind of order) {
      intr.check();
      const r = await restartOnce(watch, kind, `${kind}-${i}`, ids);
      fig[kind].push(r);
      await sleep(100, intr.controller.signal);
    }
  }
  await deleteSet(serve, watch, all, 'restart');
}

/** Deletes whatever pods of this run are left, stops serve, and checks the host; returns the problems found. */
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
    const still = [...ids].filter((id) => runcIds().has(id));
    if (still.length > 0) problems.push(`runc still lists ${still.length} of them after podd cleanup`);
  }
  return problems;
}

export async function probeBench(): Promise<ProbeFigures> {
  const serve = await startServe();
  const watch = new PodWatch(serve.kubeconfig, 'default', `${LABEL}=${RUN_ID}`);
  const intr = new Interrupt();
  const onAbort = (): void => watch.fail(new Error('interrupted'));
  intr.controller.signal.addEventListener('abort', onAbort);
  const ids = new Set<string>();
  const fig: ProbeFigures = { windows: [], liveness: [], crash: [] };
  let failure: unknown;
  try {
    await watch.opened;
    await kubectl(serve, ['get', 'pods']); // kubectl's discovery cache, before the first timed apply
    const kinds: ProbeKind[] = PROBE_HTTP ? ['none', 'exec', 'http'] : ['none', 'exec'];
    for (const kind of kinds) fig.windows.push(await cpuWindow(serve, watch, kind, ids, intr.controller.signal));
    await restartRuns(serve, watch, ids, intr, fig);
  } catch (err) {
    failure = err;
  }
  intr.controller.signal.removeEventListener('abort', onAbort);
  const problems = await cleanUp(serve, watch, ids);
  intr.release();
  if (failure !== undefined) {
    process.stderr.write(`bench: podd serve's log ends with:\n${serve.log()}\n`);
    for (const p of problems) process.stderr.write(`bench: cleanup: ${p}\n`);
    throw failure;
  }
  if (problems.length > 0) throw new Error(`probes bench: ${problems.join('; ')}`);
  return fig;
}
