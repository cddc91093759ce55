// volumeMount.subPath as the kubelet prepares it (subpath_linux.go): the subPath is resolved, checked to be inside
// the volume, opened component by component without following symlinks, and that open file is bind-mounted to
// <podDir>/volume-subpaths/<volume>/<container>/<index> through /proc/<pid>/fd. A container that swaps a path
// component for a symlink between the check and the mount gets an error, never the host's files
// (CVE-2017-1002101).
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, realpath, rmdir, stat, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Container } from '../../api/types.js';
import { PoddError } from '../../core/errors.js';
import { volumeMountSubPath } from '../../core/volume/container-mounts.js';
import { subPathsDir, subPathTarget } from '../../core/volume/layout.js';
import type { PreparedVolume } from '../../core/volume/types.js';
import { Rollback } from '../rollback.js';
import { bindMount, removeTree, unmountAllUnder } from './mounts.js';

/** Linux O_PATH (not in fs.constants): a handle that pins an inode without opening it for I/O. */
const O_PATH = 0o10000000;
const OPEN_NOFOLLOW = O_PATH | constants.O_NOFOLLOW;

function withinBase(path: string, base: string): boolean {
  const rel = relative(base, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !rel.startsWith(sep));
}

function fdPath(handle: FileHandle): string {
  return `/proc/self/fd/${handle.fd}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Opens `path` inside `base` one component at a time, refusing any symlink (the kubelet's doSafeOpen). */
async function safeOpen(path: string, base: string): Promise<FileHandle> {
  if (!withinBase(path, base)) throw new Error(`path ${path} is outside of allowed base ${base}`);
  let current = await open(base, OPEN_NOFOLLOW | constants.O_DIRECTORY);
  try {
    let currentPath = base;
    for (const segment of relative(base, path).split(sep).filter((s) => s !== '')) {
      currentPath = join(currentPath, segment);
      const child = await open(`${fdPath(current)}/${segment}`, OPEN_NOFOLLOW).catch((err: unknown) => {
        throw new Error(`cannot open ${currentPath}: ${err instanceof Error ? err.message : String(err)}`);
      });
      await current.close();
      current = child;
      if ((await current.stat()).isSymbolicLink()) throw new Error(`unexpected symlink found ${currentPath}`);
    }
    return current;
  } catch (err) {
    await current.close();
    throw err;
  }
}

/** Creates the missing directories of `path` inside `base` without following symlinks (doSafeMakeDir). */
async function safeMakeDir(path: string, base: string, perm: number): Promise<void> {
  if (!withinBase(path, base)) throw new Error(`path ${path} is outside of allowed base ${base}`);
  let existing = path;
  const toCreate: string[] = [];
  while (!(await lstat(existing).then(() => true, () => false))) {
    toCreate.unshift(existing.slice(dirname(existing).length + 1));
    existing = dirname(existing);
  }
  const fullExisting = await realpath(existing);
  if (!withinBase(fullExisting, base)) throw new Error(`path ${fullExisting} is outside of allowed base ${base}`);
  let parent = await safeOpen(fullExisting, base);
  try {
    for (const dir of toCreate) {
      const childPath = `${fdPath(parent)}/${dir}`;
      await mkdir(childPath, { mode: perm });
      const child = await open(childPath, OPEN_NOFOLLOW | constants.O_DIRECTORY);
      await parent.close();
      parent = child;
      await chmod(fdPath(parent), perm); // mkdir's mode went through the umask
    }
  } finally {
    await parent.close();
  }
}

export interface SubPathMountTarget {
  podDir: string;
  containerName: string;
  /** Index of the volumeMount in the container's volumeMounts. */
  mountIndex: number;
  /** The volumeMount's name, for error messages. */
  mountName?: string;
}

/**
 * Makes `<volume>/<subPath>` available at subPathTarget(...) and returns that path. A missing subPath is created as
 * a directory with the volume root's permissions, as the kubelet does for every volume kind. Re-preparing (a
 * container restart) replaces an earlier bind mount.
 */
export async function prepareSubPath(volume: PreparedVolume, subPath: string, target: SubPathMountTarget): Promise<string> {
  const what = `volumeMount "${target.mountName ?? volume.name}" of container "${target.containerName}"`;
  if (subPath.startsWith('/')) throw new PoddError('Invalid', `error SubPath \`${subPath}\` must not be an absolute path`);
  if (subPath.split('/').includes('..')) throw new PoddError('Invalid', `unable to provision SubPath \`${subPath}\`: must not contain '..'`);

  const volumePath = await realpath(volume.hostPath);
  const hostPath = join(volumePath, subPath);
  if (!(await exists(hostPath))) {
    const perm = (await stat(volumePath)).mode & 0o777;
    try {
      await safeMakeDir(hostPath, volumePath, perm);
    } catch (err) {
      throw new PoddError('FailedPrecondition', `failed to create subPath directory for ${what}: ${messageOf(err)}`, { cause: err });
    }
  }

  const bindTarget = subPathTarget(target.podDir, volume.name, target.containerName, target.mountIndex);
  const rb = new Rollback();
  let handle: FileHandle | undefined;
  try {
    const resolved = await realpath(hostPath);
    if (!withinBase(resolved, volumePath)) throw new Error(`subpath "${resolved}" not within volume path "${volumePath}"`);
    handle = await safeOpen(resolved, volumePath);
    const isDir = (await handle.stat()).isDirectory();

    await unmountAllUnder(bindTarget); // an earlier start's bind: replaced, never stacked
    await mkdir(dirname(bindTarget), { recursive: true, mode: 0o750 });
    const existing = await lstat(bindTarget).catch(() => undefined);
    if (existing !== undefined && existing.isDirectory() !== isDir) await removeTree(bindTarget);
    if (isDir) await mkdir(bindTarget, { mode: 0o750 }).catch((err: unknown) => ignoreExists(err));
    else await writeFile(bindTarget, '', { mode: 0o640, flag: 'a' });
    rb.push(`remove ${bindTarget}`, () => removeTree(bindTarget));

    await bindMount(`/proc/${process.pid}/fd/${handle.fd}`, bindTarget);
    rb.release();
    return bindTarget;
  } catch (err) {
    await rb.unwind();
    if (err instanceof PoddError) throw err;
    throw new PoddError('FailedPrecondition', `failed to prepare subPath for ${what}: ${messageOf(err)}`, { cause: err });
  } finally {
    await handle?.close();
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function ignoreExists(err: unknown): void {
  if (!(err instanceof Error && 'code' in err && err.code === 'EEXIST')) throw err;
}

export interface ContainerSubPathOptions {
  podDir: string;
  /** The container's resolved environment, for subPathExpr. */
  env?: readonly (readonly [string, string])[];
}

/**
 * Prepares every subPath of the container's volumeMounts (what containerMounts then binds). All or nothing: a
 * failure releases the ones already made.
 */
export async function prepareContainerSubPaths(container: Container, volumes: ReadonlyMap<string, PreparedVolume>,
  opts: ContainerSubPathOptions): Promise<void> {
  const rb = new Rollback();
  try {
    for (const [index, mount] of (container.volumeMounts ?? []).entries()) {
      const subPath = volumeMountSubPath(mount, opts.env);
      if (subPath === '') continue;
      const volume = volumes.get(mount.name);
      if (volume === undefined) {
        throw new PoddError('FailedPrecondition', `cannot find volume "${mount.name}" to mount into container "${container.name}"`);
      }
      const bound = await prepareSubPath(volume, subPath, { podDir: opts.podDir, containerName: container.name, mountIndex: index, mountName: mount.name });
      rb.push(`subPath mount ${bound}`, async () => {
        await unmountAllUnder(bound);
        await removeTree(bound);
      });
    }
    rb.release();
  } catch (err) {
    await rb.unwind();
    throw err;
  }
}

/** Releases a container's subPath mounts (the kubelet's CleanSubPaths), e.g. when the container is removed. */
export async function cleanSubPaths(podDir: string, containerName: string): Promise<void> {
  const root = subPathsDir(podDir);
  const volumeNames = await readdir(root).catch(() => [] as string[]);
  for (const volumeName of volumeNames) {
    const dir = join(root, volumeName, containerName);
    await unmountAllUnder(dir);
    await removeTree(dir);
    await rmdir(join(root, volumeName)).catch(() => undefined); // only when no other container uses it
  }
}
