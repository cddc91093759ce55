// Small filesystem helpers shared by the image store: crash-safe writes and path confinement.
import { randomBytes } from 'node:crypto';
import { lstat, open, realpath, rename, rm } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { PoddError } from '../../core/errors.js';

export function randomSuffix(): string {
  return randomBytes(6).toString('hex');
}

/**
 * "<base>.tmp-<pid>-<random>": scratch names carry their owner's pid, so a process cleaning up
 * after a crash removes only what dead processes left, never another live pull's work.
 */
export function tempName(base: string): string {
  return `${base}.tmp-${process.pid}-${randomSuffix()}`;
}

/** Whether a name from tempName belongs to a process that no longer runs (names without a pid count as stale). */
export function isStaleTemp(name: string): boolean {
  const pid = Number(/\.tmp-(\d+)-[0-9A-Za-z]+$/.exec(name)?.[1] ?? NaN);
  return !Number.isSafeInteger(pid) || pid <= 0 || processGone(pid);
}

export function processGone(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return isErrno(err, 'ESRCH');
  }
}

/** fsyncs a directory, so a rename into it survives a crash. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes via temp file + fsync + rename, so readers see the old or the new content, never a torn file. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(file), `.${randomSuffix()}.tmp`);
  try {
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

export function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && 'code' in err && err.code === code;
}

/**
 * Splits a relative archive path into components, dropping "." and empty parts.
 * Absolute paths and ".." are refused outright: nothing in an image may name a place outside it.
 */
export function relativeParts(path: string, what: string): string[] {
  if (path.startsWith('/')) throw new PoddError('Invalid', `${what} "${path}" is absolute`);
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw new PoddError('Invalid', `${what} "${path}" contains ".."`);
  return parts;
}

/**
 * Resolves a path named inside an archive (e.g. a layer in manifest.json) to a real file that
 * stays under `base` even after following symlinks (old `docker save` links duplicate layers).
 */
export async function resolveInside(base: string, path: string, what: string): Promise<string> {
  const parts = relativeParts(path, what);
  if (parts.length === 0) throw new PoddError('Invalid', `${what} "${path}" is empty`);
  const realBase = await realpath(base);
  let real: string;
  try {
    real = await realpath(join(realBase, ...parts));
  } catch (err) {
    if (isErrno(err, 'ENOENT')) throw new PoddError('Invalid', `${what} "${path}" is missing from the archive`);
    throw err;
  }
  if (!real.startsWith(realBase + sep)) throw new PoddError('Invalid', `${what} "${path}" points outside the archive`);
  return real;
}
