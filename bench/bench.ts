// `npm run bench`: podd against the floor measured in the same run, on the init-demo pod's shape.
//   floor:  raw runc of the same containers (pause detached, init-1 then init-2 to exit, both apps started)
//   podd:   `podd run -f examples/init-demo.yaml` to all apps started, and to completion
//   podman: `podman kube play` of the same pod, when podman is installed
//   serve:  `podd serve` driven by kubectl: init-demo apply → Ready, 50 pods at once, serve's memory (serve-bench.ts)
//   network: the CNI cost against PODD_NETWORK=none, pod-to-pod TCP against host loopback (net-bench.ts)
//   images:  `podd pull` of a multi-layer image from a loopback registry against `skopeo copy`, unpack MB/s
//            (image-bench.ts)
//   probes:  podd serve's CPU with 100 probed containers against none probed; liveness failure → restarted against a
//            plain crash → restarted (probe-bench.ts)
// Prints medians and ratios and writes bench/results.md. BENCH_ONLY=network|images|probes runs that part alone and
// replaces only its section of bench/results.md.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { RUNS, busyboxLayer, median, poddBin, repoRoot, runcFloor } from './common.js';
import { imageBench } from './image-bench.js';
import { IMAGE_HEADING, imageSection } from './image-report.js';
import { netBench } from './net-bench.js';
import { NET_HEADING, netSection } from './net-report.js';
import { probeBench } from './probe-bench.js';
import { PROBE_HEADING, probeSection } from './probe-report.js';
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

const resultsFile = join(repoRoot, 'bench', 'results.md');
const measuredOn = (): string =>
  `${new Date().toISOString()} on ${execFileSync('uname', ['-srm'], { encoding: 'utf8' }).trim()}, ${cpus().length} cores`;

/** The parts BENCH_ONLY can run alone: each makes one section of bench/results.md. */
const PARTS: Record<string, { heading: string; run: () => Promise<string[]> }> = {
  network: { heading: NET_HEADING, run: async () => netSection(await netBench(), measuredOn()) },
  images: { heading: IMAGE_HEADING, run: async () => imageSection(await imageBench(), measuredOn()) },
  probes: { heading: PROBE_HEADING, run: async () => probeSection(await probeBench(), measuredOn()) },
};

/** BENCH_ONLY=<part>: that part's section alone, in place of the one in bench/results.md (or appended). */
async function partOnly(heading: string, run: () => Promise<string[]>): Promise<void> {
  const section = (await run()).join('\n');
  process.stdout.write(`${section}\n`);
  const old = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '# podd benchmark results\n';
  const at = old.indexOf(`\n${heading}\n`);
  const before = (at < 0 ? old : old.slice(0, at)).trimEnd();
  const next = at < 0 ? -1 : old.indexOf('\n## ', at + heading.length + 1);
  const after = next < 0 ? '' : `\n${old.slice(next)}`;
  writeFileSync(resultsFile, `${before}\n\n${section}\n${after}`);
}

async function main(): Promise<void> {
  const only = process.env['BENCH_ONLY'];
  if (only !== undefined && only !== '') {
    const part = PARTS[only];
    if (part === undefined) throw new Error(`BENCH_ONLY=${only}: one of ${Object.keys(PARTS).map((k) => `"${k}"`).join(', ')}`);
    return partOnly(part.heading, part.run);
  }
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
  const net = await netBench();
  const images = await imageBench();
  const probes = await probeBench();
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
    `Measured ${measuredOn()}, ${RUNS} runs (${BULK} pods at once: ${BULK_RUNS} rounds), medians.`,
    'Ratios are against the runc floor measured in the same run.',
    '',
    '| what | median ms | × floor |',
    '| --- | ---: | ---: |',
    ...rows.map(([name, ms, basis]) => `| ${name} | ${ms.toFixed(1)} | ${basis === undefined ? '' : (ms / basis).toFixed(2)} |`),
    '',
    ...serveNotes(serve),
    '',
    podman.length === 0 ? 'podman is not installed here, so it was not measured.' : '',
    '',
    ...netSection(net, measuredOn()),
    '',
    ...imageSection(images, measuredOn()),
    '',
    ...probeSection(probes, measuredOn()),
  ];
  const out = lines.join('\n');
  process.stdout.write(`${out}\n`);
  writeFileSync(resultsFile, `${out}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
