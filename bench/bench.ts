// `npm run bench`: podd against the floor measured in the same run, on the init-demo pod's shape.
//   floor:  raw runc of the same containers (pause detached, init-1 then init-2 to exit, both apps started)
//   podd:   `podd run -f examples/init-demo.yaml` to all apps started, and to completion
//   podman: `podman kube play` of the same pod, when podman is installed
//   serve:  `podd serve` driven by kubectl: init-demo apply → Ready, 50 pods at once, serve's memory (serve-bench.ts)
// Prints medians and ratios and writes bench/results.md.
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { RUNS, busyboxLayer, median, poddBin, repoRoot, runcFloor } from './common.js';
import { BULK, BULK_RUNS, serveBench } from './serve-bench.js';
import { serveNotes, serveRows } from './serve-report.js';
import type { Row } from './serve-report.js';

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
  const serve = await serveBench(layer);
  const f = median([...floor, ...serve.floor]);
  const rows: Row[] = [
    ['runc floor: pause + 2 sequential inits + 2 apps started', f, f],
    ['podd run init-demo: all apps started (from process start)', median(started), f],
    ['podd run init-demo: to completion and cleanup', median(done), f],
    ['(of which node start + podd load: `podd version`)', median(startup), f],
  ];
  if (podman.length > 0) rows.push(['podman kube play init-demo', median(podman), f]);
  rows.push(...serveRows(serve, f));
  const lines = [
    '# podd benchmark results',
    '',
    `Measured ${new Date().toISOString()} on ${execFileSync('uname', ['-srm'], { encoding: 'utf8' }).trim()}, ${cpus().length} cores, ` +
      `${RUNS} runs (${BULK} pods at once: ${BULK_RUNS} rounds), medians.`,
    'Ratios are against the runc floor measured in the same run.',
    '',
    '| what | median ms | × floor |',
    '| --- | ---: | ---: |',
    ...rows.map(([name, ms, basis]) => `| ${name} | ${ms.toFixed(1)} | ${basis === undefined ? '' : (ms / basis).toFixed(2)} |`),
    '',
    ...serveNotes(serve),
    '',
    podman.length === 0 ? 'podman is not installed here, so it was not measured.' : '',
  ];
  const out = lines.join('\n');
  process.stdout.write(`${out}\n`);
  writeFileSync(join(repoRoot, 'bench', 'results.md'), `${out}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
