// The CRI log format conmon writes: `<RFC3339Nano> <stdout|stderr> <P|F> <content>`, P marking a partial line.

export interface CriLogLine {
  time: string;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  content: string;
}

export function parseCriLogLine(line: string): CriLogLine | undefined {
  const m = /^(\S+) (stdout|stderr) ([PF]) ?(.*)$/.exec(line);
  if (!m) return undefined;
  return { time: m[1] ?? '', stream: m[2] === 'stderr' ? 'stderr' : 'stdout', partial: m[3] === 'P', content: m[4] ?? '' };
}

/** Joins partial records into whole lines, per stream. */
export class CriLineAssembler {
  private readonly pending = { stdout: '', stderr: '' };

  push(rec: CriLogLine): { stream: 'stdout' | 'stderr'; time: string; text: string } | undefined {
    if (rec.partial) {
      this.pending[rec.stream] += rec.content;
      return undefined;
    }
    const text = this.pending[rec.stream] + rec.content;
    this.pending[rec.stream] = '';
    return { stream: rec.stream, time: rec.time, text };
  }
}
