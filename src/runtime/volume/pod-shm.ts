// The pod's /dev/shm: one tmpfs per sandbox that every container binds, as containerd's sandbox shm, so
// containers of a pod share POSIX shared memory the way they share the IPC namespace.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { mountAt, mountTmpfs, removeTree, unmountAllUnder } from './mounts.js';

const SHM_OPTIONS = ['nosuid', 'nodev', 'noexec', 'mode=1777', 'size=65536k'];

export function podShmDir(podDir: string): string {
  return join(podDir, 'shm');
}

/** Mounts the tmpfs once (idempotent across syncs and agent restarts); returns its host path. */
export async function ensurePodShm(podDir: string): Promise<string> {
  const dir = podShmDir(podDir);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  if (!(await mountAt(dir))) await mountTmpfs(dir, SHM_OPTIONS);
  return dir;
}

export async function removePodShm(podDir: string): Promise<void> {
  const dir = podShmDir(podDir);
  await unmountAllUnder(dir);
  await removeTree(dir);
}
