// Runs the real `podd` CLI against real runc/conmon, and checks the host for anything a pod left behind.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pod } from '../../src/api/types.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The CLI as users run it (scripts/setup.sh bundles it). */
export const poddBin = join(repoRoot, 'dist', 'src', 'bin', 'podd.bundle.mjs');

/**
 * The busybox rootfs tarball the base image is made from, for tests that import it under other names.
 * scripts/setup.sh builds it; it is built here too when missing, since the image store can outlive `.cache/`.
 */
export function baseRootfsTar(): string {
  const tar = join(repoRoot, '.cache', 'busybox-rootfs.tar');
  if (!existsSync(tar)) execFileSync('sh', [join(repoRoot, 'scripts', 'build-base-image.sh'), tar], { stdio: 'ignore' });
  return tar;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The final Pod (from -o json), when podd printed one. */
  pod?: Pod;
  /** Output lines of one container, from podd's `[name] line` prefix. */
  output(container: string): string[];
}

export function tempDir(prefix = 'podd-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeManifest(yaml: string): string {
  const file = join(tempDir('podd-manifest-'), 'pod.yaml');
  writeFileSync(file, yaml);
  return file;
}

export interface RunOptions {
  args?: string[];
  /** Called once the podd process is running, with its pid (to send signals). */
  onSpawn?: (pid: number) => void;
  /** Called for each stderr line as it arrives. */
  onLine?: (line: string, pid: number) => void;
  env?: Record<string, string>;
}

/** Every run is bounded: a broken engine fails its test instead of hanging the suite. */
const SAFETY_TIMEOUT = ['--timeout', '60s'];

export function runPodFile(file: string, opts: RunOptions = {}): Promise<RunResult> {
  const args = opts.args ?? [];
  const bounded = args.some((a) => a === '--timeout' || a.startsWith('--timeout=')) ? args : [...args, ...SAFETY_TIMEOUT];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [poddBin, 'run', '-f', file, '-o', 'json', ...bounded], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString();
      stderr += text;
      partial += text;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) opts.onLine?.(l, child.pid ?? 0);
    });
    child.on('spawn', () => opts.onSpawn?.(child.pid ?? 0));
    child.on('error', reject);
    child.on('close', (code) => {
      let pod: Pod | undefined;
      try {
        pod = stdout.trim() === '' ? undefined : (JSON.parse(stdout) as Pod);
      } catch {
        pod = undefined;
      }
      const result: RunResult = {
        code,
        stdout,
        stderr,
        output: (name) => stderr.split('\n').filter((l) => l.startsWith(`[${name}] `)).map((l) => l.slice(name.length + 3)),
      };
      if (pod) result.pod = pod;
      resolvePromise(result);
    });
  });
}

export function runPod(yaml: string, opts: RunOptions = {}): Promise<RunResult> {
  return runPodFile(writeManifest(yaml), opts);
}

export function containerStatus(pod: Pod | undefined, name: string): NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number] | undefined {
  return [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])].find((s) => s.name === name);
}

/** `runc list -q`, asked again when a container removed while it lists makes it fail (a stat of a gone state dir). */
export function runcList(): string {
  for (let attempt = 1; ; attempt++) {
    try {
      return execFileSync('runc', ['list', '-q'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    } catch (err) {
      if (attempt >= 5) throw err;
    }
  }
}

/** Everything on the host that a finished pod must not leave behind, as readable lines ([] when clean). */
export function leftovers(): string[] {
  const found: string[] = [];
  const runc = runcList();
  if (runc !== '') found.push(`runc containers: ${runc.split('\n').join(' ')}`);
  // An exited conmon waits as a zombie until init reaps it: it holds nothing, so it is not a leftover.
  // (A process reaped between pgrep and the read has no stat any more: gone, not left over.)
  const conmons = execFileSync('sh', ['-c', 'for p in $(pgrep -x conmon); do s=$(cut -d" " -f3 /proc/$p/stat 2>/dev/null); [ -n "$s" ] && [ "$s" != Z ] && echo $p; done; true'], { encoding: 'utf8' }).trim();
  if (conmons !== '') found.push(`conmon processes: ${conmons.split('\n').join(' ')}`);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith('/var/lib/podd/') || m.startsWith('/run/podd/'))
    // The namespace directory is a shared mount of itself (as `ip netns` makes /run/netns): podd's, not a pod's.
    .filter((m) => m !== '/run/podd/netns');
  if (mounts.length > 0) found.push(`mounts: ${mounts.join(' ')}`);
  for (const hierarchy of ['memory', 'pids', 'cpu']) {
    const dir = `/sys/fs/cgroup/${hierarchy}/podd`;
    if (existsSync(dir)) {
      const pods = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
      if (pods.length > 0) found.push(`cgroups in ${dir}: ${pods.join(' ')}`);
    }
  }
  if (existsSync('/sys/fs/cgroup/cgroup.controllers') && existsSync('/sys/fs/cgroup/podd')) {
    const pods = readdirSync('/sys/fs/cgroup/podd', { withFileTypes: true }).filter((e) => e.isDirectory());
    if (pods.length > 0) found.push(`cgroups: ${pods.map((p) => p.name).join(' ')}`);
  }
  for (const dir of ['/var/lib/podd/pods', '/run/podd/containers', '/run/podd/netns', '/var/lib/podd/cni/results']) {
    if (existsSync(dir) && readdirSync(dir).length > 0) found.push(`${dir}: ${readdirSync(dir).join(' ')}`);
  }
  const veths = execFileSync('ip', ['-o', 'link', 'show', 'type', 'veth'], { encoding: 'utf8' }).trim();
  if (veths !== '') found.push(`veths: ${veths.split('\n').map((l) => l.split(':')[1]?.trim() ?? '').join(' ')}`);
  return found;
}

/** The YAML of an example, with the image and anything else left as written. */
export function example(name: string): string {
  return join(repoRoot, 'examples', name);
}

/** Lines a container appended to a file of a hostPath dir ([] when it never wrote). */
export function lines(dir: string, file: string): string[] {
  const path = join(dir, file);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
}

/** The order log containers and hooks write ("<name> <what> <uptime>" lines): "<name> <what>" → its first uptime. */
export function stamps(dir: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines(dir, 'log')) {
    const [name, what, t] = l.split(' ');
    const key = `${name ?? ''} ${what ?? ''}`;
    if (!m.has(key)) m.set(key, Number(t));
  }
  return m;
}

/** The uptime of `key` in `stamps`; fails the test when the line is missing. */
export function at(s: Map<string, number>, key: string): number {
  const t = s.get(key);
  assert.ok(t !== undefined && Number.isFinite(t), `no "${key}" line in the log`);
  return t;
}

/** The STATUS column of podd's `STATUS` lines, in order; `dedupe` drops lines where only RESTARTS changed. */
export function statuses(r: RunResult, opts: { dedupe?: boolean } = {}): string[] {
  const all = r.stderr.split('\n')
    .map((l) => /^STATUS\s+\S+\s+\S+\s+(\S+)\s+restarts/.exec(l)?.[1])
    .filter((s): s is string => s !== undefined);
  return opts.dedupe === true ? all.filter((s, i) => i === 0 || all[i - 1] !== s) : all;
}

/** podd's `EVENT` lines: type (Normal/Warning), reason, and the whole line. */
export function events(r: RunResult): { type: string; reason: string; text: string }[] {
  return r.stderr.split('\n').filter((l) => l.startsWith('EVENT ')).map((l) => {
    const [, type = '', reason = ''] = l.split(/\s+/);
    return { type, reason, text: l };
  });
}
