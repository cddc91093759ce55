// One file per sandbox under the cache directory. Writes go through a temporary file and a rename, so a crash leaves
// the old record or the new one, never half of one.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CacheEntry, decodeCacheEntry, encodeCacheEntry } from '../../core/network/cache.js';
import { containerIdProblem } from '../../core/network/invocation.js';

const SUFFIX = '.json';

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT';
}

export class ResultCache {
  constructor(readonly dir: string) {}

  file(sandboxId: string): string {
    return join(this.dir, `${sandboxId}${SUFFIX}`);
  }

  /** The record, undefined when there is none; a corrupt record throws (InvalidConfig). */
  async read(sandboxId: string): Promise<CacheEntry | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(sandboxId), 'utf8');
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    return decodeCacheEntry(text, this.file(sandboxId));
  }

  async write(entry: CacheEntry): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = join(this.dir, `.${entry.sandboxId}.${randomUUID()}.tmp`);
    try {
      await writeFile(tmp, encodeCacheEntry(entry), { mode: 0o600 });
      await rename(tmp, this.file(entry.sandboxId));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async remove(sandboxId: string): Promise<void> {
    await rm(this.file(sandboxId), { force: true });
  }

  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    return names
      .filter((n) => n.endsWith(SUFFIX))
      .map((n) => n.slice(0, -SUFFIX.length))
      .filter((id) => containerIdProblem(id) === undefined)
      .sort();
  }
}
