// The probe figures as the "Probes" section of bench/results.md: podd serve's CPU with 100 probed containers against
// the same containers without probes, and liveness failure → restarted against a plain crash → restarted, all
// measured in the same run.
import { cpus } from 'node:os';
import { RUNS, median } from './common.js';
import { PROBE_CONTAINERS, PROBE_DELAY_S, PROBE_PERIOD_S, PROBE_PODS, PROBE_SECONDS, SETTLE_MS } from './probe-bench.js';
import type { CpuWindow, ProbeFigures, ProbeKind, RestartRun } from './probe-bench.js';

export const PROBE_HEADING = '## Probes';

const WHAT: Record<ProbeKind, string> = {
  none: 'no probes (the baseline)',
  exec: 'exec readiness probe, every 1 s',
  http: 'httpGet readiness probe (busybox httpd), every 1 s',
};

const pct = (x: number): string => x.toFixed(1);

export function probeSection(fig: ProbeFigures, measuredOn: string): string[] {
  const n = PROBE_PODS * PROBE_CONTAINERS;
  const none = fig.windows.find((w) => w.kind === 'none');
  const base = none === undefined ? 0 : none.self + none.children;
  const cpuRow = (w: CpuWindow): string => {
    const total = w.self + w.children;
    const rate = w.probes === undefined ? '' : (w.probes / w.seconds).toFixed(1);
    return `| ${WHAT[w.kind]} | ${pct(w.self)} | ${pct(w.children)} | ${pct(total)} | ${w.kind === 'none' ? '' : `+${pct(total - base)}`} | ` +
      `${pct(w.perSecondMedian)} | ${pct(w.host)} | ${rate} | ${w.kind === 'none' ? '' : w.unhealthy} | ${w.readyAtEnd}/${PROBE_PODS}, ${w.restarts} |`;
  };
  const ms = (xs: number[]): string => median(xs).toFixed(0);
  const range = (xs: number[]): string => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
  const restartRow = (what: string, pickLive: (r: RestartRun) => number, pickCrash?: (r: RestartRun) => number): string => {
    const live = fig.liveness.map(pickLive);
    const l = median(live);
    if (pickCrash === undefined) return `| ${what} | ${ms(live)} (${range(live)}) | | | |`;
    const crash = fig.crash.map(pickCrash);
    const c = median(crash);
    // The crash's exit is the failure itself (0 ± the exit file's timestamp granularity): no ratio to that.
    return `| ${what} | ${ms(live)} (${range(live)}) | ${ms(crash)} (${range(crash)}) | ${(l - c).toFixed(0)} | ${c >= 10 ? (l / c).toFixed(2) : ''} |`;
  };
  const detected = (r: RestartRun): number => r.detected ?? 0;
  const times = (pick: (w: CpuWindow) => number | undefined): string =>
    fig.windows.map((w) => ((ms) => `${w.kind} ${ms === undefined ? 'not by the window\'s end' : `${(ms / 1000).toFixed(1)} s`}`)(pick(w))).join(', ');
  return [
    PROBE_HEADING,
    '',
    `Measured ${measuredOn} on \`podd serve\` driven by kubectl.`,
    '',
    `${n} containers (${PROBE_PODS} pods × ${PROBE_CONTAINERS}, busybox \`sleep 3600\` under a shell, or busybox httpd), ` +
      `all applied at once; once all containers run, their probes have begun (initialDelaySeconds ${PROBE_DELAY_S}) and ${SETTLE_MS / 1000} s more, podd serve's CPU over ${PROBE_SECONDS} s, ` +
      'in % of one core. The sets run one after the other on the same serve, each deleted before the next; the difference ' +
      'is against the set without probes.',
    '',
    '| probes on every container | serve itself, % | its reaped children (runc), % | serve + children, % | − no probes, points | ' +
      'serve + children, median 1-s sample, % | whole host busy, % (all cores) | probe runs/s | failed runs | Ready at end, restarts |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...fig.windows.map(cpuRow),
    '',
    'serve itself: utime+stime of the `podd serve` process (/proc/<pid>/stat); its reaped children: cutime+cstime, the',
    'runc processes serve spawns and waits for: with or without probes, a `runc state` of every running instance on each',
    'pod worker\'s 2-s resync tick (the PLEG relist), and for an exec probe a `runc exec` (with the command it runs in the',
    `container). conmon and the containers are not serve's children; the whole host's busy time (/proc/stat, all ${cpus().length}`,
    `cores, so up to ${cpus().length * 100} %) has them.`,
    'The exec probe is `sh -c \'echo >> /tmp/probes\'` rather than `true`, so that its runs can be counted afterwards',
    '(through /proc/<pid>/root; a run killed at its 1-s timeout may count too); failed runs are the counts of the',
    'Unhealthy events in the window (probe timeouts included), ' +
      `out of ${PROBE_SECONDS * n} wanted. After \`kubectl apply\`, all containers running: ${times((w) => w.runningMs)}; all ${PROBE_PODS} pods`,
    `Ready: ${times((w) => w.readyMs)}. After \`kubectl delete\`, all gone: ${times((w) => w.deleteMs)}.`,
    '',
    `Liveness failure → restarted, ${RUNS} pods of each kind, interleaved, medians (min–max):`,
    '',
    '| from … to … | liveness probe fails, ms | plain crash (exit 1), ms | liveness − crash, ms | × crash |',
    '| --- | ---: | ---: | ---: | ---: |',
    restartRow(`the failure → the failing probe run (detection: 0–${PROBE_PERIOD_S * 1000} ms, the period)`, detected),
    restartRow('the failure → the first instance exited', (r) => r.exited, (r) => r.exited),
    restartRow('the failure → the new instance started', (r) => r.started, (r) => r.started),
    restartRow('the failure → the pod\'s status: restartCount 1, running (watch event)', (r) => r.watch, (r) => r.watch),
    restartRow('the failing probe run → the first instance exited (the kill)', (r) => r.exited - detected(r)),
    restartRow('the failing probe run (liveness), the exit (crash) → the new instance started', (r) => r.started - detected(r), (r) => r.started - r.exited),
    '',
    `Liveness: exec \`test -f /tmp/alive\` (after an \`echo\` to the container's stdout, see below), period ${PROBE_PERIOD_S} s,`,
    'failureThreshold 1; the bench removes the file (through /proc/<pid>/root) and times from that moment. Crash: the',
    'container\'s shell exits 1 on a SIGUSR1 the bench sends. Every pod is fresh, so the restart is its first one and no',
    'crash-loop back-off applies. Times: the failing probe run is the timestamp conmon gave the line the probe writes',
    'to the container\'s stdout before its test; the exit is the exit file\'s mtime (conmon writes it); the start is',
    'podd\'s startedAt; all on the host\'s clock with ms resolution, so the crash\'s exit shows as 0 ± a few ms.',
    `The probe period bounds the detection: the failure is seen at the next probe run, 0–${PROBE_PERIOD_S * 1000} ms after the`,
    `removal (${PROBE_PERIOD_S * 500} ms on average); then the container is killed (SIGTERM; it exits at once) and started again.`,
  ];
}
