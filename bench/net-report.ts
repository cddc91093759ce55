// The networking figures as the "Networking" section of bench/results.md: the CNI cost against PODD_NETWORK=none,
// TCP throughput and round trips against host loopback, all measured in the same run.
import { RUNS, median } from './common.js';
import { NET_BYTES, NET_CPU, PINGS } from './net-bench.js';
import type { CniRound, NetFigures, PodRuns } from './net-bench.js';

export const NET_HEADING = '## Networking';

/** Nearest-rank percentile. */
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
}

const ratio = (x: number, basis: number): string => (basis > 0 ? (x / basis).toFixed(2) : '');

function bridgeNf(on: boolean | undefined): string {
  if (on === undefined) return 'br_netfilter not loaded: no iptables on bridged packets';
  return on ? 'net.bridge.bridge-nf-call-iptables=1: bridged packets traverse iptables' : 'bridge-nf-call-iptables=0: no iptables on bridged packets';
}

export function netSection(fig: NetFigures, measuredOn: string): string[] {
  const paths = fig.paths.map((p) => ({ what: p.what, mbps: median(p.mbps), rtt: median(p.rtt), p99: percentile(p.rtt, 99) }));
  const base = paths[0];
  const ms = (x: number): string => x.toFixed(1);
  const medians = (r: PodRuns): { started: number; done: number } => ({ started: median(r.started), done: median(r.done) });
  const cniRows = (round: CniRound, cniWhat: string, noneWhat: string): string[] => {
    const none = medians(round.none);
    const cni = medians(round.cni);
    return [
      `| ${noneWhat} | ${ms(none.started)} | 1.00 | ${ms(none.done)} | 1.00 |`,
      `| ${cniWhat} | ${ms(cni.started)} | ${ratio(cni.started, none.started)} | ${ms(cni.done)} | ${ratio(cni.done, none.done)} |`,
      `| (difference: the CNI cost) | ${ms(cni.started - none.started)} | | ${ms(cni.done - none.done)} | |`,
    ];
  };
  const idleUp = fig.idle.bridgeUp;
  return [
    NET_HEADING,
    '',
    `Measured ${measuredOn}, ${RUNS} runs of each, interleaved, medians.`,
    'Ratios are against the baselines measured in the same run: PODD_NETWORK=none, and host loopback.',
    '',
    '| `podd run` of a one-container pod (`true`) | app started, ms | × none | to completion and cleanup, ms | × none |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...cniRows(fig.idle, 'default network, no other pod on podd0²', 'PODD_NETWORK=none (own netns, loopback only)'),
    ...cniRows(fig.busy, 'default network, podd0 up (the bench\'s 2 pods on it)', 'PODD_NETWORK=none, the bench\'s 2 pods running'),
    '',
    'Times from the `podd run` process start to the app\'s Started event, and to its exit (pod, namespace and CNI state',
    'removed). The default network is the bridge plugin (podd0, host-local IPAM, ipMasq) chained with portmap.',
    `² podd0 stays up between pods, as cni0 does; only the first pod on a host makes it. ${idleUp} of the ${RUNS} measured ` +
      `run${idleUp === 1 ? '' : 's'} found it up.`,
    '',
    '| TCP, one Node.js program as server and client | MB/s | × loopback | round trip µs, median | × loopback | p99 µs | × loopback |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...paths.map((p) =>
      `| ${p.what} | ${p.mbps.toFixed(0)} | ${ratio(p.mbps, base?.mbps ?? 0)} | ${p.rtt.toFixed(1)} | ${ratio(p.rtt, base?.rtt ?? 0)} | ` +
      `${p.p99.toFixed(1)} | ${ratio(p.p99, base?.p99 ?? 0)} |`),
    '',
    `Throughput: ${NET_BYTES / 1024 / 1024} MiB in 64 KiB writes to a sink, timed to its ack, median of ${RUNS} runs.`,
    `Round trips: 1 byte each way with TCP_NODELAY, ${PINGS.toLocaleString('en-US')} per run after 1,000 unmeasured, median and p99 of ` +
      `all ${RUNS} runs.`,
    'Server and client (bench/net-tool.ts) are host processes entered into the pods\' pinned network namespaces',
    '(`nsenter --net=/run/podd/netns/<id>`), so only the path differs from loopback: pod to pod crosses two veth pairs and',
    'the bridge podd0, the plain pair one veth pair (no bridge, no rules).',
    `Bridge netfilter: ${bridgeNf(fig.bridgeNetfilter)}.`,
    `${NET_CPU === undefined ? 'Both ends of each path share the host\'s CPUs' : `Both ends of every path run on CPU ${NET_CPU} (BENCH_NET_CPU)`}: ` +
      'CPU-bound figures of the kernel path plus Node, not of a NIC.',
  ];
}
