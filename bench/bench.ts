// `npm run bench`: podd against the floor measured in the same run, on the init-demo pod's shape.
//   floor:  raw runc of the same containers (pause detached, init-1 then init-2 to exit, both apps started)
//   podd:   `podd run -f examples/init-demo.yaml` to all apps started, and to completion
//   podman: `podman kube play` of the same pod, when podman is installed
// Prints medians and ratios and writes bench/results.md.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const poddBin = join(repoRoot, 'dist', 'src', 'bin', 'podd.bundle.mjs');
const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function busyboxLayer(): string {
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

/** The same containers with raw runc, no conmon, no overlay: what any runtime built on runc must pay. */
function runcFloor(layer: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'podd-bench-'));
  const id = `bench${process.pid}`;
  const t0 = performance.now();
  runcBundle(join(dir, 'pause'), layer, ['sleep', '60']);
  execFileSync('runc', ['run', '-d', `${id}-pause`], { cwd: join(dir, 'pause'), stdio: 'ignore' });
  const pid = (JSON.parse(execFileSync('runc', ['state', `${id}-pause`], { encoding: 'utf8' })) as { pid: number }).pid;
  for (const name of ['init-1', 'init-2']) {
    runcBundle(join(dir, name), layer, ['sh', '-c', 'true'], pid);
    execFileSync('runc', ['run', `${id}-${name}`], { cwd: join(dir, name), stdio: 'ignore' });
  }
  for (const name of ['web', 'client']) {
    runcBundle(join(dir, name), layer, ['sleep', '60'], pid);
    execFileSync('runc', ['run', '-d', `${id}-${name}`], { cwd: join(dir, name), stdio: 'ignore' });
  }
  const elapsed = performance.now() - t0;
  for (const name of ['web', 'client', 'init-1', 'init-2', 'pause']) execFileSync('runc', ['delete', '-f', `${id}-${name}`], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
  return elapsed;
}

/** podd run of init-demo: ms to both apps "Started", and to exit. */
function poddRun(): Promise<{ started: number; done: number }> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    let started = 0;
    let seen = 0;
    const child = spawn(process.execPath, [poddBin, 'run', '-f', join(repoRoot, 'examples', 'init-demo.yaml'), '--no-timeline'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let buf = '';
    child.stderr.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        if (/Started +pod\/init-demo spec\.containers\{(web|client)\}/.test(l) && ++seen === 2) started = performance.now() - t0;
      }
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise({ started, done: performance.now() - t0 }) : reject(new Error(`podd run exited ${code}`))));
  });
}

/** Node's start and podd's module load alone: the part of every `podd run` that is not the pod. */
function poddStartup(): number {
  const t0 = performance.now();
  execFileSync(process.execPath, [poddBin, 'version'], { stdio: 'ignore' });
  return performance.now() - t0;
}

function podmanPlay(): number | undefined {
  try {
    execFileSync('podman', ['--version'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const t0 = performance.now();
  try {
    execFileSync('podman', ['kube', 'play', join(repoRoot, 'examples', 'init-demo.yaml')], { stdio: 'ignore' });
    return performance.now() - t0;
  } catch {
    return undefined;
  } finally {
    execFileSync('podman', ['kube', 'down', join(repoRoot, 'examples', 'init-demo.yaml')], { stdio: 'ignore' });
  }
}

async function main(): Promise<void> {
  const layer = busyboxLayer();
  runcFloor(layer);
  await poddRun(); // warm caches once
  const floor: number[] = [];
  const started: number[] = [];
  const done: number[] = [];
  const podman: number[] = [];
  const startup: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    startup.push(poddStartup());
    floor.push(runcFloor(layer));
    const r = await poddRun();
    started.push(r.started);
    done.push(r.done);
    const p = podmanPlay();
    if (p !== undefined) podman.push(p);
  }
  const f = median(floor);
  const rows: [string, number][] = [
    ['runc floor: pause + 2 sequential inits + 2 apps started', f],
    ['podd run init-demo: all apps started (from process start)', median(started)],
    ['podd run init-demo: to completion and cleanup', median(done)],
    ['(of which node start + podd load: `podd version`)', median(startup)],
  ];
  if (podman.length > 0) rows.push(['podman kube play init-demo', median(podman)]);
  const lines = [
    '# podd benchmark results',
    '',
    `Measured ${new Date().toISOString()} on ${execFileSync('uname', ['-srm'], { encoding: 'utf8' }).trim()}, ${RUNS} runs, medians.`,
    'Ratios are against the runc floor measured in the same run.',
    '',
    '| what | median ms | × floor |',
    '| --- | ---: | ---: |',
    ...rows.map(([name, ms]) => `| ${name} | ${ms.toFixed(1)} | ${(ms / f).toFixed(2)} |`),
    '',
    podman.length === 0 ? 'podman is not installed here, so it was not measured.' : '',
  ];
  const out = lines.join('\n');
  process.stdout.write(`${out}\n`);
  if (!existsSync(join(repoRoot, 'bench'))) mkdirSync(join(repoRoot, 'bench'));
  writeFileSync(join(repoRoot, 'bench', 'results.md'), `${out}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
