// A container's root filesystem: the image layers as read-only overlayfs lower dirs, plus a
// private upper dir. Even a one-layer image goes through overlay so the layer is never written.
import { execFile } from 'node:child_process';
import { mkdir, readFile, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PoddError, wrap } from '../../core/errors.js';

const execFileAsync = promisify(execFile);

/** mount(2) takes the options in one page. */
const MAX_MOUNT_OPTIONS = 4095;

export interface OverlayMount {
  merged: string;
  /** Unmounts and removes upper, work and merged (so the container's writes are discarded). Idempotent. */
  unmount(): Promise<void>;
}

function checkPath(path: string): void {
  // overlayfs splits lowerdir on ':' and options on ','; escaping is not worth supporting.
  if (/[:,\\]/.test(path)) throw new PoddError('Invalid', `overlay path "${path}" contains ':', ',' or '\\'`);
}

async function run(command: string, args: string[]): Promise<void> {
  try {
    await execFileAsync(command, args);
  } catch (err) {
    const stderr = typeof err === 'object' && err !== null && 'stderr' in err ? String(err.stderr).trim() : '';
    throw new PoddError('Internal', `${command} ${args.join(' ')} failed${stderr === '' ? '' : `: ${stderr}`}`, { cause: err });
  }
}

/**
 * Mounts `lowerDirs` (lowest first, as ImageStore.layerDirs returns them) with
 * `<baseDir>/upper` and `<baseDir>/work` at `<baseDir>/merged`.
 */
export async function mountOverlay(lowerDirs: string[], baseDir: string): Promise<OverlayMount> {
  if (lowerDirs.length === 0) throw new PoddError('Invalid', 'overlay needs at least one lower directory');
  const upper = join(baseDir, 'upper');
  const work = join(baseDir, 'work');
  const merged = join(baseDir, 'merged');
  for (const path of [...lowerDirs, upper, work, merged]) checkPath(path);
  // overlayfs lists the topmost layer first. index=off: the same layers are shared by many mounts.
  const options = `lowerdir=${[...lowerDirs].reverse().join(':')},upperdir=${upper},workdir=${work},index=off`;
  if (options.length > MAX_MOUNT_OPTIONS) {
    throw new PoddError('Invalid', `overlay options are ${options.length} bytes, over the ${MAX_MOUNT_OPTIONS}-byte limit (too many layers)`);
  }

  await mkdir(baseDir, { recursive: true });
  for (const dir of [upper, work, merged]) await mkdir(dir, { mode: 0o755 });
  try {
    await run('mount', ['-t', 'overlay', 'overlay', '-o', options, merged]);
  } catch (err) {
    await removeDirs(baseDir);
    throw wrap(err, 'failed to mount container rootfs');
  }

  let unmounting: Promise<void> | undefined;
  return {
    merged,
    unmount: () => {
      unmounting ??= unmountOverlay(baseDir).finally(() => {
        unmounting = undefined;
      });
      return unmounting;
    },
  };
}

function removeDirs(baseDir: string): Promise<void[]> {
  return Promise.all(['upper', 'work', 'merged'].map((dir) => rm(join(baseDir, dir), { recursive: true, force: true })));
}

async function isMountPoint(path: string): Promise<boolean> {
  const real = await realpath(path).catch(() => path);
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  // Field 5 is the mount point, with space, tab, newline and backslash octal-escaped.
  const escaped = real.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return mountinfo.split('\n').some((line) => line.split(' ')[4] === escaped);
}

/**
 * Unmounts `<baseDir>/merged` if mounted and removes upper, work and merged. Also for recovery
 * after a restart, when the OverlayMount handle is gone. Never deletes upper while still mounted.
 */
export async function unmountOverlay(baseDir: string): Promise<void> {
  const merged = join(baseDir, 'merged');
  if (await isMountPoint(merged)) {
    try {
      await run('umount', [merged]);
    } catch (err) {
      if (await isMountPoint(merged)) throw wrap(err, 'failed to unmount container rootfs');
    }
  }
  await removeDirs(baseDir);
}
