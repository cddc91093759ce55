// `podd serve` as the benchmark drives it: on a free port, with its kubeconfig and database in a temp dir; kubectl
// against it; its memory; and what its pods leave on the host.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { poddBin } from './common.js';

export interface Serve {
  proc: ChildProcess;
  pid: number;
  dir: string;
  kubeconfig: string;
  /** The end of serve's stderr, for error messages. */
  log: () => string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Runs kubectl against `serve`; resolves with its stdout once it exits 0. */
export function kubectl(serve: Serve, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', serve.kubeconfig, '--cache-dir', join(serve.dir, 'kube-cache'), ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl ${args[0] ?? ''} exited ${code}: ${err.trim()}`))));
    child.stdin.end(input ?? '');
  });
}

/** Starts `podd serve` in its own process group (a ^C to the bench must not stop it before its pods are deleted). */
export async function startServe(): Promise<Serve> {
  const dir = mkdtempSync(join(tmpdir(), 'podd-bench-serve-'));
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  const port = await freePort();
  const proc = spawn(process.execPath, [poddBin, 'serve', '--port', String(port), '--kubeconfig', kubeconfig, '--db', join(dir, 'state.db')], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tail = '';
  proc.stderr?.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-4000)));
  const serve: Serve = { proc, pid: proc.pid ?? 0, dir, kubeconfig, log: () => tail.trim() };
  const deadline = Date.now() + 30_000;
  for (;;) {
    let error: string;
    try {
      await kubectl(serve, ['version', '-o', 'json']);
      return serve;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const exited = proc.exitCode !== null || proc.signalCode !== null;
    if (exited || Date.now() > deadline) {
      await stopServe(serve);
      rmSync(dir, { recursive: true, force: true });
      throw new Error(exited ? `podd serve exited: ${serve.log()}` : `podd serve did not answer kubectl version in 30 s: ${error}`);
    }
    await sleep(100);
  }
}

/** SIGTERM, then SIGKILL after 10 s. Its pods' containers outlive it (conmon): delete them first. */
export async function stopServe(serve: Serve): Promise<void> {
  const { proc } = serve;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  if (await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)])) return;
  proc.kill('SIGKILL');
  await exited;
}

/** A field of /proc/<pid>/status in kB; 0 once the process is gone. */
function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(m?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** pid → [ppid, comm] of every process now. */
function processTable(): Map<number, [number, string]> {
  const table = new Map<number, [number, string]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      table.set(Number(name), [Number(stat.slice(close + 2).split(' ')[1]), stat.slice(stat.indexOf('(') + 1, close)]);
    } catch {
      // exited meanwhile
    }
  }
  return table;
}

export interface Memory {
  /** VmRSS of the serve process, kB. */
  rss: number;
  /** Peak VmRSS so far (VmHWM), kB. */
  hwm: number;
  /** The serve process and its descendants but conmon (and so the containers), kB; and how many processes. */
  tree: number;
  treeProcs: number;
}

export function serveMemory(serve: Serve): Memory {
  const table = processTable();
  const tree = [serve.pid];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, [ppid, comm]] of table) if (ppid === tree[i] && comm !== 'conmon') tree.push(pid);
  }
  const treeKb = tree.reduce((sum, pid) => sum + statusKb(pid, 'VmRSS'), 0);
  return { rss: statusKb(serve.pid, 'VmRSS'), hwm: statusKb(serve.pid, 'VmHWM'), tree: treeKb, treeProcs: tree.length };
}

export interface Instance {
  id: string;
  podUid: string;
  /** The container's name ("POD" for the sandbox), its role ("sandbox", "app", "init"), its restart. */
  name: string;
  role: string;
  restartCount?: number;
  /** The container's log (CRI format, conmon's k8s-file). */
  logPath?: string;
  pid?: number;
  /** ms since the epoch (podd's clock when the start returned; the exit file's mtime). */
  startedAt?: number;
  finishedAt?: number;
}

const containersDir = join(process.env['PODD_STATE'] ?? '/run/podd', 'containers');

/** podd's container instances (bundle + meta.json under <stateDir>/containers) that belong to these pods. */
export async function instancesOf(uids: ReadonlySet<string>): Promise<Instance[]> {
  const out: Instance[] = [];
  for (const id of await readdir(containersDir).catch(() => [] as string[])) {
    const meta = await readFile(join(containersDir, id, 'meta.json'), 'utf8').then((t) => JSON.parse(t) as Instance, () => undefined);
    if (meta && uids.has(meta.podUid)) out.push(meta);
  }
  return out;
}

/** RSS of the conmon processes that watch these instances' processes, kB, and how many there are. */
export function conmonMemory(instances: Instance[]): { kb: number; count: number } {
  const table = processTable();
  const conmons = new Set<number>();
  for (const inst of instances) {
    const parent = inst.pid === undefined ? undefined : table.get(inst.pid)?.[0];
    if (parent !== undefined && table.get(parent)?.[1] === 'conmon') conmons.add(parent);
  }
  return { kb: [...conmons].reduce((sum, pid) => sum + statusKb(pid, 'VmRSS'), 0), count: conmons.size };
}

/** The runc container ids that exist now (podd's runc uses runc's default root). */
export function runcIds(): Set<string> {
  return new Set(execFileSync('runc', ['list', '-q'], { encoding: 'utf8' }).split('\n').filter((l) => l !== ''));
}
