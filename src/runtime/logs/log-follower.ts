// Follows a container's CRI log file as conmon appends to it (`podd run` prints each line prefixed by the name).
import { open, type FileHandle } from 'node:fs/promises';
import { CriLineAssembler, parseCriLogLine } from '../../core/logs/cri-log.js';

export type LogSink = (line: { stream: 'stdout' | 'stderr'; time: string; text: string }) => void;

export class LogFollower {
  private offset = 0;
  private rest = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly assembler = new CriLineAssembler();
  private reading: Promise<void> = Promise.resolve();

  constructor(private readonly path: string, private readonly sink: LogSink, private readonly intervalMs = 100) {}

  start(): void {
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref();
  }

  private poll(): void {
    this.reading = this.reading.then(() => this.readMore()).catch(() => undefined);
  }

  private async readMore(): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await open(this.path, 'r');
    } catch {
      return; // not written yet
    }
    try {
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.rest += buf.subarray(0, bytesRead).toString('utf8');
        const lines = this.rest.split('\n');
        this.rest = lines.pop() ?? '';
        for (const l of lines) {
          const rec = parseCriLogLine(l);
          const out = rec && this.assembler.push(rec);
          if (out) this.sink(out);
        }
      }
    } finally {
      await fh.close();
    }
  }

  /** Reads what is left and stops. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.poll();
    await this.reading;
  }
}
