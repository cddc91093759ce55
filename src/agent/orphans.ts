// A `podd run` that was killed (kill -9, a crash) leaves its pod behind: conmon keeps the containers alive by design.
// Each run records its pid per pod; the next run (or `podd cleanup`) removes the pods whose owner is gone.
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeCgroup, podCgroupPath } from '../runtime/oci/cgroups.js';
import type { ContainerRuntime } from '../runtime/oci/container-runtime.js';
import { unmountAllUnder } from '../runtime/volume/mounts.js';
import type { PodVolumeManager } from '../runtime/volume/pod-volumes.js';
import { removePodShm } from '../runtime/volume/pod-shm.js';

function ownersDir(stateDir: string): string {
  return join(stateDir, 'owners');
}

export async function recordOwner(stateDir: string, podUid: string, pid: number): Promise<void> {
  await mkdir(ownersDir(stateDir), { recursive: true, mode: 0o700 });
  await writeFile(join(ownersDir(stateDir), podUid), String(pid));
}

export async function forgetOwner(stateDir: string, podUid: string): Promise<void> {
  await rm(join(ownersDir(stateDir), podUid), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function ownerAlive(stateDir: string, podUid: string): Promise<boolean> {
  const text = await readFile(join(ownersDir(stateDir), podUid), 'utf8').catch(() => '');
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid);
}

export interface OrphanDeps {
  runtime: ContainerRuntime;
  volumes: PodVolumeManager;
  stateDir: string;
  podsDir: string;
  /** A pod that could not be removed this time (it is tried again on the next reap). */
  onError?: (podUid: string, err: unknown) => void;
}

/** Removes every pod whose `podd run` is gone; returns the pod uids it removed. */
export async function reapOrphanedPods(deps: OrphanDeps): Promise<string[]> {
  const instances = await deps.runtime.list();
  const podDirs = await readdir(deps.podsDir).catch(() => [] as string[]);
  const uids = new Set([...instances.map((m) => m.podUid), ...podDirs]);
  const reaped: string[] = [];
  for (const uid of uids) {
    if (await ownerAlive(deps.stateDir, uid)) continue;
    // One pod that cannot be removed (a busy mount) must not stop the others, nor the run that is reaping.
    try {
      for (const m of instances.filter((i) => i.podUid === uid)) await deps.runtime.removeContainer(m.id);
      const dir = join(deps.podsDir, uid);
      await deps.volumes.tearDown(dir);
      await removePodShm(dir);
      await unmountAllUnder(dir);
      await rm(dir, { recursive: true, force: true });
      await removeCgroup(podCgroupPath(uid));
      await forgetOwner(deps.stateDir, uid);
      reaped.push(uid);
    } catch (err) {
      deps.onError?.(uid, err);
    }
  }
  return reaped;
}
