// `npm run bench`, the networking part:
//   CNI cost:  `podd run` of a one-container pod (`true`) with the default network (CNI: bridge podd0 + portmap)
//              against PODD_NETWORK=none (a private namespace with loopback only), interleaved, medians; twice: with
//              no other pod on podd0 (the bridge itself stays up between pods), and with
//              the bench's two long-running pods on podd0
//   TCP:       the same Node.js program (net-tool.ts) as server and client over host loopback, between two plain
//              network namespaces joined by a veth pair, and from pod to pod over podd0: MB/s, round-trip µs
// The pods are two `podd run`s in the background; server and client run on the host inside the pods' pinned network
// namespaces (nsenter --net=/run/podd/netns/<networkId>), so only the network path differs from loopback. Pods,
// namespaces, veths and processes are removed, and the host checked clean of them, even when the bench fails.
import { execFile, execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Interrupt, RUNS, poddBin, repoRoot } from './common.js';
import { LONG_RUNNING } from './serve-bench.js';
import { runcIds } from './serve-process.js';

export const NET_BYTES = Number(process.env['BENCH_NET_MIB'] ?? 256) * 1024 * 1024;
export const PINGS = Number(process.env['BENCH_NET_PINGS'] ?? 10_000);
/**
 * The CPU every server and client runs on (BENCH_NET_CPU, default the last; "any": unpinned). On one CPU a round trip
 * is two local wakeups; left to the scheduler, the ends sometimes land on different CPUs and the same path measures
 * 4× slower, run to run.
 */
export const NET_CPU = ((c) => (c === 'any' ? undefined : c))(process.env['BENCH_NET_CPU'] ?? String(cpus().length - 1));
const TOOL = join(repoRoot, 'dist', 'bench', 'net-tool.js');
const STATE = process.env['PODD_STATE'] ?? '/run/podd';
const TAG = `podd-bench-net-${process.pid}`;
const TIMEOUT_MS = 120_000;

export interface PodRuns {
  /** ms from `podd run`'s start to the app's Started event, and to its exit (pod gone, network removed). */
  started: number[];
  done: number[];
}

/** One round of the CNI cost: the pod with PODD_NETWORK=none and with CNI, interleaved. */
export interface CniRound {
  none: PodRuns;
  cni: PodRuns;
  /** CNI runs that found podd0 up when they started (another pod on the host keeps it). */
  bridgeUp: number;
}

export interface PathFigures {
  what: string;
  mbps: number[];
  /** Every measured round trip of every run, µs. */
  rtt: number[];
}

export interface NetFigures {
  /** No pod of the bench on podd0: podd removes the idle bridge, so each CNI run makes it and removes it again. */
  idle: CniRound;
  /** The bench's two long-running pods on podd0: it stays up. */
  busy: CniRound;
  /** Host loopback first: the baseline. */
  paths: PathFigures[];
  /** net.bridge.bridge-nf-call-iptables (undefined: br_netfilter not loaded). */
  bridgeNetfilter: boolean | undefined;
}

function bridgeNetfilter(): boolean | undefined {
  try {
    return readFileSync('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8').trim() === '1';
  } catch {
    return undefined;
  }
}

function poddEnv(network: 'cni' | 'none'): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['PODD_NETWORK'];
  if (network === 'none') env['PODD_NETWORK'] = 'none';
  return env;
}

function podFile(dir: string, name: string, command: string[]): string {
  const file = join(dir, `${name}.yaml`);
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 5, containers: [{ name: 'app', image: 'busybox', command }] },
  };
  writeFileSync(file, stringify(pod));
  return file;
}

interface PoddRun {
  proc: ChildProcess;
  /** Resolves with ms from the spawn to the app's Started event; rejects if podd run exits first. */
  started: Promise<number>;
  /** Resolves with ms from the spawn to the exit, once podd run exited 0. */
  exited: Promise<number>;
  log: () => string;
}

/** `podd run -f file` (events on, timeline off), timed from the spawn. */
function poddRun(file: string, network: 'cni' | 'none'): PoddRun {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [poddBin, 'run', '-f', file, '--no-timeline'], { env: poddEnv(network), stdio: ['ignore', 'ignore', 'pipe'] });
  let tail = '';
  let buf = '';
  let onStarted: (ms: number) => void = () => undefined;
  const started = new Promise<number>((resolve) => (onStarted = resolve));
  proc.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    if (lines.some((l) => /Started +pod\/\S+ spec\.containers\{app\}/.test(l))) onStarted(performance.now() - t0);
  });
  const exited = new Promise<number>((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', (code, signal) => {
      const ms = performance.now() - t0;
      if (code === 0) resolve(ms);
      else reject(new Error(`podd run ${file} exited ${code ?? signal}: ${tail.trim()}`));
    });
  });
  exited.catch(() => undefined);
  const log = (): string => tail.trim();
  return { proc, started: Promise.race([started, exited.then(() => Promise.reject(new Error(`podd run ${file} exited before its app started`)))]), exited, log };
}

interface Instance {
  id: string;
  role: string;
  podName: string;
  podUid: string;
  networkId?: string;
  ips?: string[];
}

/** podd's container instances now (meta.json under <state>/containers) whose pod name starts with this bench's tag. */
function benchInstances(): Instance[] {
  const dir = join(STATE, 'containers');
  const out: Instance[] = [];
  for (const id of existsSync(dir) ? readdirSync(dir) : []) {
    try {
      const meta = JSON.parse(readFileSync(join(dir, id, 'meta.json'), 'utf8')) as Instance;
      if (meta.podName.startsWith(TAG)) out.push(meta);
    } catch {
      // being created or removed meanwhile
    }
  }
  return out;
}

/** Host veth interfaces: name by ifindex. */
function hostVeths(): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of execFileSync('ip', ['-o', 'link', 'show', 'type', 'veth'], { encoding: 'utf8' }).split('\n')) {
    const m = /^(\d+): ([^@:]+)/.exec(line);
    if (m) out.set(Number(m[1]), m[2] ?? '');
  }
  return out;
}

/** The host end of a namespace's eth0 (a veth whose peer the bridge plugin left in the host namespace). */
function hostEndOf(netns: string): string | undefined {
  const line = execFileSync('nsenter', [`--net=${netns}`, 'ip', '-o', 'link', 'show', 'eth0'], { encoding: 'utf8' });
  const peer = /eth0@if(\d+)/.exec(line)?.[1];
  return peer === undefined ? undefined : hostVeths().get(Number(peer));
}

interface Pod {
  name: string;
  run: PoddRun;
  sandbox: Instance;
  netns: string;
  ip: string;
  hostVeth: string | undefined;
}

/** The bench's background pods, for the cleanup. */
const pods: Pod[] = [];
/** The bench's long-running processes (the TCP servers), for the cleanup. */
const servers: ChildProcess[] = [];
/** Plain network namespaces the bench made with `ip netns add`, for the cleanup. */
const plainNetns: string[] = [];

/** `p`, or a rejection once `signal` aborts or `ms` pass. */
function bounded<T>(p: Promise<T>, signal: AbortSignal, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms);
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}

async function backgroundPod(dir: string, name: string, signal: AbortSignal): Promise<Pod> {
  const run = poddRun(podFile(dir, name, LONG_RUNNING), 'cni');
  const pod: Pod = { name, run, sandbox: { id: '', role: 'sandbox', podName: name, podUid: '' }, netns: '', ip: '', hostVeth: undefined };
  pods.push(pod);
  await bounded(run.started, signal, TIMEOUT_MS, `${name}'s app started`);
  const sandbox = benchInstances().find((i) => i.role === 'sandbox' && i.podName === name);
  const ip = sandbox?.ips?.find((a) => !a.includes(':'));
  if (!sandbox?.networkId || ip === undefined) throw new Error(`${name}: no sandbox with a network and an IPv4 address in ${STATE}/containers`);
  pod.sandbox = sandbox;
  pod.netns = join(STATE, 'netns', sandbox.networkId);
  pod.ip = ip;
  pod.hostVeth = hostEndOf(pod.netns);
  return pod;
}

/** net-tool in `netns` (undefined: the host's), on NET_CPU when set. */
function inNetns(netns: string | undefined, args: string[]): [string, string[]] {
  const cmd = [...(NET_CPU === undefined ? [] : ['taskset', '-c', NET_CPU]), ...(netns === undefined ? [] : ['nsenter', `--net=${netns}`]), process.execPath, ...args];
  return [cmd[0] ?? '', cmd.slice(1)];
}

/** net-tool's server on `host` inside `netns` (undefined: the host's); resolves with its port. */
function startServer(netns: string | undefined, host: string): Promise<number> {
  const [cmd, args] = inNetns(netns, [TOOL, 'server', host]);
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(proc);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`net-tool server in ${netns ?? 'the host'}: no port in 10 s`)), 10_000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const port = /listening (\d+)/.exec(out)?.[1];
      if (port !== undefined) {
        clearTimeout(timer);
        resolve(Number(port));
      }
    });
    proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    proc.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    proc.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`net-tool server in ${netns ?? 'the host'} exited ${code}: ${err.trim()}`));
    });
  });
}

function runClient(netns: string | undefined, host: string, port: number, signal: AbortSignal): Promise<{ mbps: number; rtt: number[] }> {
  const [cmd, args] = inNetns(netns, [TOOL, 'client', host, String(port), String(NET_BYTES), String(PINGS)]);
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: TIMEOUT_MS, signal }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`net-tool client → ${host}:${port}: ${err.message} ${stderr.trim()}`));
      resolve(JSON.parse(stdout) as { mbps: number; rtt: number[] });
    });
  });
}

/** Two plain network namespaces joined by a veth pair, addresses 10.255.255.1 and .2: no bridge, no netfilter rules. */
function vethPair(): { server: string; client: string; ip: string } {
  const [a, b] = [`${TAG}-a`, `${TAG}-b`];
  const ifName = `pbv${process.pid % 1_000_000}`;
  for (const ns of [a, b]) {
    execFileSync('ip', ['netns', 'add', ns]);
    plainNetns.push(ns);
  }
  execFileSync('ip', ['link', 'add', `${ifName}a`, 'netns', a, 'type', 'veth', 'peer', 'name', `${ifName}b`, 'netns', b]);
  for (const [ns, end, ip] of [[a, `${ifName}a`, '10.255.255.1/30'], [b, `${ifName}b`, '10.255.255.2/30']] as const) {
    execFileSync('ip', ['-n', ns, 'addr', 'add', ip, 'dev', end]);
    execFileSync('ip', ['-n', ns, 'link', 'set', end, 'up']);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  }
  return { server: `/run/netns/${a}`, client: `/run/netns/${b}`, ip: '10.255.255.1' };
}

/** The CNI cost: the one-container pod with and without the pod network, N runs each, the order alternating. */
async function cniCost(dir: string, intr: Interrupt): Promise<CniRound> {
  const file = podFile(dir, `${TAG}-cni`, ['true']);
  const out: CniRound = { none: { started: [], done: [] }, cni: { started: [], done: [] }, bridgeUp: 0 };
  const once = async (network: 'cni' | 'none', record: boolean): Promise<void> => {
    intr.check();
    if (record && network === 'cni' && existsSync('/sys/class/net/podd0')) out.bridgeUp++;
    const run = poddRun(file, network);
    const onAbort = (): boolean => run.proc.kill('SIGTERM');
    intr.controller.signal.addEventListener('abort', onAbort);
    try {
      const [started, done] = await Promise.all([run.started, run.exited]);
      if (record) {
        out[network].started.push(started);
        out[network].done.push(done);
      }
    } finally {
      intr.controller.signal.removeEventListener('abort', onAbort);
    }
  };
  await once('cni', false);
  await once('none', false);
  for (let i = 0; i < RUNS; i++) {
    for (const network of i % 2 === 0 ? (['none', 'cni'] as const) : (['cni', 'none'] as const)) await once(network, true);
  }
  return out;
}

/** TCP over loopback, a veth pair and pod to pod (`server` and `client`), interleaved, RUNS client runs each. */
async function tcp(server: Pod, client: Pod, intr: Interrupt): Promise<PathFigures[]> {
  const veth = vethPair();
  const paths = [
    { what: 'host loopback, 127.0.0.1', server: undefined, client: undefined, host: '127.0.0.1', bind: '127.0.0.1' },
    { what: 'two plain netns, one veth pair', server: veth.server, client: veth.client, host: veth.ip, bind: veth.ip },
    { what: `pod → pod over podd0 (${client.ip} → ${server.ip})`, server: server.netns, client: client.netns, host: server.ip, bind: '0.0.0.0' },
  ];
  const ports: number[] = [];
  for (const p of paths) ports.push(await startServer(p.server, p.bind));
  const figures: PathFigures[] = paths.map((p) => ({ what: p.what, mbps: [], rtt: [] }));
  for (let i = 0; i < RUNS; i++) {
    for (const [k, p] of paths.entries()) {
      intr.check();
      const r = await runClient(p.client, p.host, ports[k] ?? 0, intr.controller.signal);
      figures[k]?.mbps.push(r.mbps);
      figures[k]?.rtt.push(...r.rtt);
    }
  }
  return figures;
}

/** Whether `proc` exited within `ms`. */
function waitExit(proc: ChildProcess, ms: number): Promise<boolean> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Removes all the bench made and checks the host: returns the problems found. */
async function cleanUp(): Promise<string[]> {
  const problems: string[] = [];
  for (const s of servers) s.kill('SIGTERM');
  for (const s of servers) if (!(await waitExit(s, 5_000))) s.kill('SIGKILL');
  const ids = new Set(benchInstances().map((i) => i.id));
  for (const p of pods) p.run.proc.kill('SIGTERM');
  let killed = false;
  for (const p of pods) {
    if (await waitExit(p.run.proc, 30_000)) continue;
    problems.push(`${p.name}: podd run did not stop in 30 s after SIGTERM: ${p.run.log()}`);
    p.run.proc.kill('SIGKILL');
    killed = true;
  }
  if (killed || benchInstances().length > 0) execFileSync(process.execPath, [poddBin, 'cleanup'], { stdio: 'inherit' });
  for (const ns of plainNetns) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'pipe' });
    } catch (err) {
      problems.push(`ip netns del ${ns}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const left = benchInstances();
  if (left.length > 0) problems.push(`${left.length} container instance(s) of the bench's pods left in ${STATE}/containers`);
  const running = runcIds();
  const inRunc = [...ids].filter((id) => running.has(id));
  if (inRunc.length > 0) problems.push(`runc still lists ${inRunc.length} container(s) of the bench's pods`);
  const netns = pods.filter((p) => p.netns !== '' && existsSync(p.netns)).map((p) => p.netns);
  if (netns.length > 0) problems.push(`pinned network namespaces left: ${netns.join(' ')}`);
  const veths = new Set(hostVeths().values());
  const vethsLeft = pods.flatMap((p) => (p.hostVeth !== undefined && veths.has(p.hostVeth) ? [p.hostVeth] : []));
  if (vethsLeft.length > 0) problems.push(`host veths of the bench's pods left: ${vethsLeft.join(' ')}`);
  const plainLeft = plainNetns.filter((ns) => existsSync(`/run/netns/${ns}`));
  if (plainLeft.length > 0) problems.push(`network namespaces left in /run/netns: ${plainLeft.join(' ')}`);
  pods.length = 0;
  servers.length = 0;
  plainNetns.length = 0;
  return problems;
}

export async function netBench(): Promise<NetFigures> {
  if (!existsSync(TOOL)) throw new Error(`${TOOL} missing: npm run build`);
  const dir = mkdtempSync(join(tmpdir(), 'podd-bench-net-'));
  const intr = new Interrupt();
  let failure: unknown;
  let fig: NetFigures | undefined;
  try {
    const idle = await cniCost(dir, intr);
    const server = await backgroundPod(dir, `${TAG}-server`, intr.controller.signal);
    intr.check();
    const client = await backgroundPod(dir, `${TAG}-client`, intr.controller.signal);
    const busy = await cniCost(dir, intr);
    fig = { idle, busy, paths: await tcp(server, client, intr), bridgeNetfilter: bridgeNetfilter() };
  } catch (err) {
    failure = err;
  }
  const problems = await cleanUp();
  intr.release();
  rmSync(dir, { recursive: true, force: true });
  if (failure !== undefined) {
    for (const p of problems) process.stderr.write(`bench: cleanup: ${p}\n`);
    throw failure;
  }
  if (problems.length > 0) throw new Error(`networking bench: ${problems.join('; ')}`);
  if (fig === undefined) throw new Error('networking bench: no figures');
  return fig;
}
