// The kubelet's AtomicWriter layout for secret and configMap volumes:
//   <dir>/..2024_05_01_10_22_33.123456/<files>   the payload, written whole into a fresh directory
//   <dir>/..data -> ..2024_05_01_10_22_33.123456 swapped by rename(2), so readers see the old or the new set
//   <dir>/<name> -> ..data/<name>                one link per top-level name of the payload
// Updates (a changed Secret) therefore appear all at once in running containers.
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Payload } from '../../core/volume/payload.js';

export const DATA_DIR = '..data';
const DATA_DIR_TMP = '..data_tmp';
const DIR_MODE = 0o755;

function timestampPrefix(now: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `..${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.`;
}

async function readlinkOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readlink(path);
  } catch {
    return undefined;
  }
}

/** Relative paths of the regular files under `dir`. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out;
}

async function samePayload(dir: string, payload: Payload): Promise<boolean> {
  try {
    const files = await listFiles(dir);
    if (files.length !== payload.size) return false;
    for (const [path, file] of payload) {
      const full = join(dir, path);
      const st = await lstat(full);
      if (!st.isFile() || (st.mode & 0o7777) !== file.mode) return false;
      if (!Buffer.from(await readFile(full)).equals(file.data)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

function topLevelNames(payload: Payload): Set<string> {
  return new Set([...payload.keys()].map((p) => p.split('/')[0] ?? p));
}

export interface WriteOptions {
  /** Runs on the new payload directory before it becomes visible (ownership for fsGroup). */
  beforeSwap?: (payloadDir: string) => Promise<void>;
  now?: Date;
}

/**
 * Makes `targetDir` show exactly `payload`. Returns false when it already did (nothing written). Safe to rerun
 * after a crash at any point: leftovers of an interrupted write are removed.
 */
export async function writePayloadAtomic(targetDir: string, payload: Payload, opts: WriteOptions = {}): Promise<boolean> {
  const dataLink = join(targetDir, DATA_DIR);
  const oldTsName = await readlinkOrUndefined(dataLink);
  const unchanged = oldTsName !== undefined && (await samePayload(join(targetDir, oldTsName), payload));
  let tsName = oldTsName;
  if (!unchanged) {
    const tsDir = await mkdtemp(join(targetDir, timestampPrefix(opts.now ?? new Date())));
    try {
      await chmod(tsDir, DIR_MODE); // mkdtemp makes 0700; other users in the container must be able to traverse it
      for (const [path, file] of payload) {
        const full = join(tsDir, path);
        await mkdir(dirname(full), { recursive: true, mode: DIR_MODE });
        await writeFile(full, file.data, { mode: file.mode });
        await chmod(full, file.mode); // the umask narrowed the mode given to open(2)
      }
      await opts.beforeSwap?.(tsDir);
      const tmpLink = join(targetDir, DATA_DIR_TMP);
      await rm(tmpLink, { force: true });
      await symlink(basename(tsDir), tmpLink);
      await rename(tmpLink, dataLink);
    } catch (err) {
      await rm(tsDir, { recursive: true, force: true });
      throw err;
    }
    tsName = basename(tsDir);
  }

  const wanted = topLevelNames(payload);
  for (const name of wanted) {
    try {
      await lstat(join(targetDir, name));
    } catch {
      await symlink(join(DATA_DIR, name), join(targetDir, name));
    }
  }
  for (const entry of await readdir(targetDir)) {
    if (entry === DATA_DIR || entry === tsName) continue;
    // '..'-names are ours (payload paths may not start with '..'): old payloads and interrupted writes
    if (entry.startsWith('..')) await rm(join(targetDir, entry), { recursive: true, force: true });
    else if (!wanted.has(entry) && (await readlinkOrUndefined(join(targetDir, entry))) === join(DATA_DIR, entry)) {
      await rm(join(targetDir, entry), { force: true });
    }
  }
  return !unchanged;
}
