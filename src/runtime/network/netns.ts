// Network namespaces pinned by a bind mount of nsfs onto a file, so a sandbox's network outlives its pause process
// (a crashed pause is replaced without losing the pod's IP). Like `ip netns` and podman, the directory is made a
// shared mount of itself: mount namespaces created later (a debugging shell, a container given /run) see
// namespaces created after them, and an unmount here removes their copies too, which would otherwise keep a
// deleted namespace alive unseen.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PoddError } from '../../core/errors.js';
import { NetworkError } from '../../core/network/errors.js';
import { containerIdProblem } from '../../core/network/invocation.js';
import { run } from '../exec.js';
import { mountAt, readMounts, resolvedPath, unmount } from '../volume/mounts.js';

export interface PinnedNetns {
  id: string;
  path: string;
  /** False for a file a crash left between creating it and pinning the namespace on it. */
  pinned: boolean;
}

export interface NetnsOptions {
  timeoutMs?: number;
}

function failed(message: string, cause: unknown): NetworkError {
  return new NetworkError('NetnsFailed', `${message}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
}

export class NetnsManager {
  readonly #timeoutMs: number;

  constructor(readonly dir: string, opts: NetnsOptions = {}) {
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
  }

  path(id: string): string {
    const problem = containerIdProblem(id);
    if (problem !== undefined) throw new NetworkError('InvalidConfig', `network namespace name "${id}" ${problem}`);
    return join(this.dir, id);
  }

  async #ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o755 });
    if ((await mountAt(this.dir)) !== undefined) return;
    await run('mount', ['--bind', this.dir, this.dir], { timeoutMs: this.#timeoutMs });
    await run('mount', ['--make-shared', this.dir], { timeoutMs: this.#timeoutMs });
  }

  /** Creates a namespace pinned at path(id) with `lo` up; AlreadyExists if one is pinned there. */
  async create(id: string): Promise<string> {
    const path = this.path(id);
    try {
      await this.#ensureDir();
    } catch (err) {
      throw failed(`preparing ${this.dir}`, err);
    }
    if ((await mountAt(path))?.fsType === 'nsfs') throw new PoddError('AlreadyExists', `network namespace ${path} already exists`);
    try {
      await writeFile(path, '', { mode: 0o444 });
      // unshare pins the namespace on `path` before running ip inside it; lo is the one interface CNI leaves alone
      await run('unshare', [`--net=${path}`, 'ip', 'link', 'set', 'lo', 'up'], { timeoutMs: this.#timeoutMs });
      return path;
    } catch (err) {
      await this.remove(id).catch(() => undefined);
      throw failed(`creating network namespace ${path}`, err);
    }
  }

  /** Unpins and deletes; a namespace already gone is not an error. */
  async remove(id: string): Promise<void> {
    const path = this.path(id);
    try {
      // a failed create may have stacked pins; each unmount removes one
      for (let i = 0; i < 8 && (await mountAt(path)) !== undefined; i++) await unmount(path);
      if ((await mountAt(path)) !== undefined) throw new Error('still mounted');
      await rm(path, { force: true });
    } catch (err) {
      throw failed(`removing network namespace ${path}`, err);
    }
  }

  async isPinned(id: string): Promise<boolean> {
    return (await mountAt(this.path(id)))?.fsType === 'nsfs';
  }

  /** Every namespace file in the directory (pinned or not), for cleanup after a crash. */
  async list(): Promise<PinnedNetns[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const base = await resolvedPath(this.dir);
    const pinned = new Set((await readMounts()).filter((m) => m.fsType === 'nsfs').map((m) => m.mountPoint));
    return names
      .filter((n) => containerIdProblem(n) === undefined)
      .sort()
      .map((id) => ({ id, path: join(this.dir, id), pinned: pinned.has(join(base, id)) }));
  }
}
