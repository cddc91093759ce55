// Draws a pod's story on one time axis: a row per instance (sandbox, each init container, each app container,
// each restart), so "pause first, inits one by one, apps together" can be seen at a glance.

export interface TimelineRow {
  label: string;
  start: number;
  end?: number;
  /** Shown after the bar: "exit 0", "OOMKilled", "running"... */
  note: string;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return s < 10 ? `${s.toFixed(2)}s` : `${s.toFixed(1)}s`;
}

export function renderTimeline(rows: readonly TimelineRow[], now: number, width = 50): string {
  if (rows.length === 0) return '';
  const t0 = Math.min(...rows.map((r) => r.start));
  const t1 = Math.max(now, ...rows.map((r) => r.end ?? now));
  const span = Math.max(1, t1 - t0);
  const labelWidth = Math.max(...rows.map((r) => r.label.length), 8);
  const col = (t: number): number => Math.min(width - 1, Math.floor(((t - t0) / span) * width));
  const lines = [`${'timeline'.padEnd(labelWidth)}  |${formatSeconds(0).padEnd(width - formatSeconds(span).length)}${formatSeconds(span)}|`];
  for (const r of rows) {
    const from = col(r.start);
    const to = Math.max(from, col(r.end ?? t1));
    const bar = ' '.repeat(from) + '█'.repeat(to - from + 1) + ' '.repeat(Math.max(0, width - to - 1));
    lines.push(`${r.label.padEnd(labelWidth)}  |${bar}| ${formatSeconds(r.start - t0)} → ${r.end === undefined ? '…' : formatSeconds(r.end - t0)}  ${r.note}`);
  }
  return lines.join('\n');
}
