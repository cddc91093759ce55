// conmon writes `<exitDir>/<id>` holding the exit code when a container ends. This turns those files into events,
// with an inotify watch for speed and a periodic scan in case an event is lost (the PLEG relist idea).
import { EventEmitter } from 'node:events';
import { type FSWatcher, watch } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface ExitRecord {
  id: string;
  exitCode: number;
  finishedAt: number;
}

export async function readExitFile(exitDir: string, id: string): Promise<ExitRecord | undefined> {
  const file = join(exitDir, id);
  try {
    const [text, st] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    const code = Number.parseInt(text.trim(), 10);
    if (Number.isNaN(code)) return undefined; // conmon is still writing it
    return { id, exitCode: code, finishedAt: st.mtimeMs };
  } catch {
    return undefined;
  }
}

export class ExitWatcher extends EventEmitter<{ exit: [ExitRecord] }> {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly seen = new Set<string>();

  constructor(private readonly exitDir: string, private readonly relistMs = 1000) {
    super();
    // One listener per pod worker (and one per stop in progress): a node runs many.
    this.setMaxListeners(0);
  }

  start(): void {
    this.watcher = watch(this.exitDir, (_event, name) => {
      if (name) void this.check(name.toString());
    });
    this.timer = setInterval(() => void this.scan(), this.relistMs);
    this.timer.unref();
  }

  /** Forget an id (its container was removed), so a later container reusing nothing is not confused. */
  forget(id: string): void {
    this.seen.delete(id);
  }

  async scan(): Promise<void> {
    const names = await readdir(this.exitDir).catch(() => [] as string[]);
    await Promise.all(names.map((n) => this.check(n)));
  }

  private async check(id: string): Promise<void> {
    if (this.seen.has(id)) return;
    const rec = await readExitFile(this.exitDir, id);
    if (!rec || this.seen.has(id)) return;
    this.seen.add(id);
    this.emit('exit', rec);
  }

  close(): void {
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
  }
}
