// What every benchmark here shares: paths, medians, and the raw runc floor of a pod's shape.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const poddBin = join(repoRoot, 'dist', 'src', 'bin', 'podd.bundle.mjs');
export const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function busyboxLayer(): string {
  const index = JSON.parse(readFileSync('/var/lib/podd/images/index.json', 'utf8')) as { images: Record<string, { layers: string[] }> };
  const img = index.images['docker.io/library/busybox:latest'];
  const layer = img?.layers[0];
  if (!layer) throw new Error('busybox image not imported: run scripts/setup.sh first');
  return join('/var/lib/podd/images/layers', layer.replace(/^sha256:/, ''));
}

function runcBundle(dir: string, rootfs: string, args: string[], join_?: number): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('runc', ['spec'], { cwd: dir });
  const spec = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
    root: { path: string; readonly: boolean }; process: { args: string[]; terminal: boolean }; hostname?: string;
    linux: { namespaces: { type: string; path?: string }[] };
  };
  spec.root = { path: rootfs, readonly: true };
  spec.process.args = args;
  spec.process.terminal = false;
  if (join_ !== undefined) {
    delete spec.hostname;
    spec.linux.namespaces = spec.linux.namespaces.map((n) => (['network', 'ipc', 'uts'].includes(n.type) ? { type: n.type, path: `/proc/${join_}/ns/${n.type === 'network' ? 'net' : n.type}` } : n));
  }
  writeFileSync(join(dir, 'config.json'), JSON.stringify(spec));
}

/**
 * The same containers with raw runc, no conmon, no overlay: what any runtime built on runc must pay. A pause
 * container detached, the init containers run to exit one after the other, then the apps started detached.
 * Defaults to init-demo's shape (2 inits, 2 apps).
 */
export function runcFloor(layer: string, inits = ['init-1', 'init-2'], apps = ['web', 'client']): number {
  const dir = mkdtempSync(join(tmpdir(), 'podd-bench-'));
  const id = `bench${process.pid}`;
  const created: string[] = [];
  try {
    const t0 = performance.now();
    runcBundle(join(dir, 'pause'), layer, ['sleep', '60']);
    created.push(`${id}-pause`);
    execFileSync('runc', ['run', '-d', `${id}-pause`], { cwd: join(dir, 'pause'), stdio: 'ignore' });
    const pid = (JSON.parse(execFileSync('runc', ['state', `${id}-pause`], { encoding: 'utf8' })) as { pid: number }).pid;
    for (const name of inits) {
      runcBundle(join(dir, name), layer, ['sh', '-c', 'true'], pid);
      created.push(`${id}-${name}`);
      execFileSync('runc', ['run', `${id}-${name}`], { cwd: join(dir, name), stdio: 'ignore' });
    }
    for (const name of apps) {
      runcBundle(join(dir, name), layer, ['sleep', '60'], pid);
      created.push(`${id}-${name}`);
      execFileSync('runc', ['run', '-d', `${id}-${name}`], { cwd: join(dir, name), stdio: 'ignore' });
    }
    return performance.now() - t0;
  } finally {
    for (const c of created.reverse()) {
      try {
        execFileSync('runc', ['delete', '-f', c], { stdio: 'ignore' });
      } catch {
        // never created (the run failed before it)
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Aborts the bench's waits on ^C or SIGTERM, so that the cleanup still runs. */
export class Interrupt {
  readonly controller = new AbortController();
  private readonly onSignal = (): void => this.controller.abort(new Error('interrupted'));
  constructor() {
    process.once('SIGINT', this.onSignal).once('SIGTERM', this.onSignal);
  }
  check(): void {
    this.controller.signal.throwIfAborted();
  }
  release(): void {
    process.off('SIGINT', this.onSignal).off('SIGTERM', this.onSignal);
  }
}
