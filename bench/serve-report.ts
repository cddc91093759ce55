// The `podd serve` figures as rows of bench/results.md: times against the runc floor, memory in MiB.
import { median } from './common.js';
import { BULK } from './serve-bench.js';
import type { ServeFigures } from './serve-bench.js';
import type { Memory } from './serve-process.js';

/** what, median ms, and the floor it is a multiple of (none: not comparable to a floor). */
export type Row = [string, number, number | undefined];

export function serveRows(fig: ServeFigures, floor: number): Row[] {
  const small = median(fig.smallFloor);
  return [
    ['podd serve: `kubectl apply` init-demo¹ → both apps running (watch)', median(fig.running), floor],
    ['podd serve: `kubectl apply` init-demo¹ → Ready (watch)', median(fig.ready), floor],
    ['(of which `kubectl apply` itself, to its exit)', median(fig.applied), floor],
    ['podd serve: `kubectl delete` init-demo¹ → gone, containers removed', median(fig.deleted), undefined],
    ['runc floor, small pod: pause + 1 init + 1 app started', small, small],
    [`podd serve: ${BULK} small pods in one \`kubectl apply\` → all Ready (× ${BULK} small floors)`, median(fig.bulkReady), BULK * small],
    [`(of which \`kubectl apply\` of the ${BULK} itself, to its exit)`, median(fig.bulkApplied), BULK * small],
    [`podd serve: \`kubectl delete\` of the ${BULK} → all gone, containers removed`, median(fig.bulkDeleted), undefined],
  ];
}

const mib = (kb: number): string => (kb / 1024).toFixed(1);

function medianMemory(ms: Memory[]): Memory {
  return { rss: median(ms.map((m) => m.rss)), hwm: median(ms.map((m) => m.hwm)), tree: median(ms.map((m) => m.tree)), treeProcs: median(ms.map((m) => m.treeProcs)) };
}

export function serveNotes(fig: ServeFigures): string[] {
  const ready = median(fig.bulkReady);
  const at50 = medianMemory(fig.at50);
  const conmon = { kb: median(fig.conmon50.map((c) => c.kb)), count: median(fig.conmon50.map((c) => c.count)) };
  const row = (what: string, m: Memory): string => `| ${what} | ${mib(m.rss)} | ${mib(m.tree)} (${m.treeProcs}) |`;
  return [
    '¹ init-demo as in examples/, its apps replaced by a long-running `sleep`, so that the pod stays Ready (the floor\'s',
    'apps sleep too). Each pod is applied, watched to Ready through the API, and deleted before the next.',
    '',
    `${BULK} pods at once: ${((BULK * 1000) / ready).toFixed(1)} pods/s, ${(ready / BULK).toFixed(1)} ms per pod ` +
      `(${fig.bulkReady.length} rounds, median).`,
    '',
    '| podd serve memory | serve VmRSS MiB | serve + children but conmon, MiB (processes) |',
    '| --- | ---: | ---: |',
    row('idle, 0 pods', fig.idle),
    row(`${BULK} pods Ready (median of rounds)`, at50),
    row(`after deleting the ${BULK}`, fig.after),
    `| peak (VmHWM) | ${mib(fig.after.hwm)} | |`,
    '',
    `With ${BULK} pods running, their ${conmon.count} conmon processes hold ${mib(conmon.kb)} MiB RSS in all ` +
      `(${(conmon.kb / BULK).toFixed(0)} kB per pod).`,
  ];
}
