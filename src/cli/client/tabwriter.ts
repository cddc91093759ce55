// Go's text/tabwriter (left-aligned, space padding, no flags), which kubectl prints every table and description
// through: a cell is tab-terminated, the last cell of a line is not part of any column, and a column's width is
// decided per block of consecutive lines that have that column. Reproducing it (rather than padding to the widest
// cell) is what makes `podd describe` and `podd get` line up exactly as kubectl's do.

export interface TabwriterOptions {
  /** Minimal cell width including padding (kubectl get: 6, describe: 0). */
  minwidth: number;
  /** Added to the text width of a cell (kubectl get: 3, describe: 2). */
  padding: number;
}

/** kubectl's printers.GetNewTabWriter. */
export const GET_TABWRITER: TabwriterOptions = { minwidth: 6, padding: 3 };
/** kubectl describe's tabbedString. */
export const DESCRIBE_TABWRITER: TabwriterOptions = { minwidth: 0, padding: 2 };

/** Width in runes, as tabwriter counts (UTF-8 characters, not UTF-16 units). */
function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Formats `text` (lines of tab-separated cells) the way tabwriter.Writer does on Flush. With `remember` (one array
 * kept across calls), columns never shrink between flushes: the RememberWidths flag of kubectl's fork of tabwriter,
 * which keeps `get -w` rows aligned under the header printed before them.
 */
export function tabwrite(text: string, opts: TabwriterOptions, remember?: number[]): string {
  const trailingNewline = text.endsWith('\n');
  const rawLines = (trailingNewline ? text.slice(0, -1) : text).split('\n');
  const lines = rawLines.map((l) => l.split('\t'));
  const widths: number[] = [];
  const out: string[] = [];

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const cells = lines[i] ?? [];
      let s = '';
      cells.forEach((c, j) => {
        s += c;
        const w = widths[j];
        if (j < cells.length - 1 && w !== undefined) s += ' '.repeat(Math.max(0, w - width(c)));
      });
      out.push(s);
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let i = line0; i < line1; i++) {
      if (column >= (lines[i]?.length ?? 0) - 1) continue;
      writeLines(line0, i);
      line0 = i;
      let w = opts.minwidth;
      for (; i < line1; i++) {
        const cells = lines[i] ?? [];
        if (column >= cells.length - 1) break;
        w = Math.max(w, width(cells[column] ?? '') + opts.padding);
      }
      if (remember !== undefined) {
        if (remember.length < widths.length) remember.push(...widths.slice(remember.length));
        const seen = remember[column];
        if (seen === undefined) remember.push(w);
        else if (seen > w) w = seen;
        else remember[column] = w;
      }
      widths.push(w);
      format(line0, i);
      widths.pop();
      line0 = i;
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('\n') + (trailingNewline ? '\n' : '');
}
