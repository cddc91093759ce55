// The CNI configuration directory: the first configuration file in byte order is the pod network (libcni's rule, so
// a user's 10-mynet.conflist takes over). podd writes its default conflist only into a directory with none.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { confFilesInOrder, parseConfFile } from '../../core/network/conflist.js';
import { DEFAULT_CONFLIST_FILE, type DefaultNetworkOptions, defaultConfList, renderConfList } from '../../core/network/default-conflist.js';
import { NetworkError } from '../../core/network/errors.js';
import type { NetConfList } from '../../core/network/types.js';

export interface LoadedNetwork {
  list: NetConfList;
  /** The file it came from. */
  path: string;
  /** True when the file is podd's own default (written by podd, possibly edited since). */
  isPoddDefault: boolean;
}

async function confFiles(dir: string): Promise<string[]> {
  try {
    return confFilesInOrder(await readdir(dir));
  } catch (err) {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT') return [];
    throw err;
  }
}

async function writeDefault(dir: string, opts: DefaultNetworkOptions): Promise<void> {
  const text = renderConfList(defaultConfList(opts));
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const tmp = join(dir, `.${DEFAULT_CONFLIST_FILE}.${randomUUID()}.tmp`);
  try {
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, join(dir, DEFAULT_CONFLIST_FILE));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Loads the pod network from `dir`. `defaults` is what to write when the directory has no configuration; false
 * means a missing configuration is an error (the host's CNI setup belongs to someone else).
 */
export async function loadNetwork(dir: string, defaults: DefaultNetworkOptions | false): Promise<LoadedNetwork> {
  let files = await confFiles(dir);
  if (files.length === 0) {
    if (defaults === false) throw new NetworkError('InvalidConfig', `no CNI network configuration (.conflist, .conf, .json) in ${dir}`);
    await writeDefault(dir, defaults);
    files = await confFiles(dir);
  }
  const first = files[0];
  if (first === undefined) throw new NetworkError('InvalidConfig', `no CNI network configuration in ${dir}`);
  const path = join(dir, first);
  const list = parseConfFile(path, await readFile(path, 'utf8'));
  return { list, path, isPoddDefault: first === DEFAULT_CONFLIST_FILE };
}
