// A `podd run` that was killed (kill -9, a crash) leaves its pod behind: conmon keeps the containers alive by design.
// Each run records itself as the pod's owner; the next run (or `podd cleanup`) removes the pods whose owner is gone.
// A `podd serve` records its database too: its pods outlive it on purpose, and only a serve on the same database
// (which re-adopts them) may remove them, unless that database is gone.
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeCgroup, podCgroupPath } from '../runtime/oci/cgroups.js';
import type { PodNetwork } from '../runtime/network/types.js';
import type { ContainerRuntime } from '../runtime/oci/container-runtime.js';
import { unmountAllUnder } from '../runtime/volume/mounts.js';
import type { PodVolumeManager } from '../runtime/volume/pod-volumes.js';
import { removePodShm } from '../runtime/volume/pod-shm.js';

export type PodOwner = { agent: 'run'; pid: number } | { agent: 'serve'; pid: number; db: string };

function ownersDir(stateDir: string): string {
  return join(stateDir, 'owners');
}

export async function recordOwner(stateDir: string, podUid: string, owner: PodOwner): Promise<void> {
  await mkdir(ownersDir(stateDir), { recursive: true, mode: 0o700 });
  await writeFile(join(ownersDir(stateDir), podUid), JSON.stringify(owner));
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

export async function readOwner(stateDir: string, podUid: string): Promise<PodOwner | undefined> {
  const text = await readFile(join(ownersDir(stateDir), podUid), 'utf8').catch(() => '');
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'number') return { agent: 'run', pid: parsed };
    if (typeof parsed === 'object' && parsed !== null && 'pid' in parsed && 'agent' in parsed) return parsed as PodOwner;
  } catch {
    // no record, or one cut short by a crash: the pod has no living owner
  }
  return undefined;
}

/** Who may remove a pod whose owner is not running: `podd run` and `podd cleanup`, or the serve on `db`. */
export type Reaper = { agent: 'run' } | { agent: 'serve'; db: string; keep: (podUid: string) => boolean };

function mayReap(owner: PodOwner | undefined, reaper: Reaper): boolean {
  if (owner !== undefined && owner.pid !== process.pid && alive(owner.pid)) return false;
  if (owner?.agent !== 'serve') return true;
  if (!existsSync(owner.db)) return true;
  return reaper.agent === 'serve' && reaper.db === owner.db;
}

export interface OrphanDeps {
  runtime: ContainerRuntime;
  volumes: PodVolumeManager;
  stateDir: string;
  podsDir: string;
  /** Pod networks to release (CNI DEL, pinned namespaces); none when pods have no CNI network. */
  network?: PodNetwork;
  /** A pod that could not be removed this time (it is tried again on the next reap). */
  onError?: (podUid: string, err: unknown) => void;
}

/**
 * Removes every pod whose owner is gone and that `reaper` may take (a serve keeps the pods still in its store, to
 * re-adopt them); returns the pod uids it removed.
 */
export async function reapOrphanedPods(deps: OrphanDeps, reaper: Reaper = { agent: 'run' }): Promise<string[]> {
  const instances = await deps.runtime.list();
  const podDirs = await readdir(deps.podsDir).catch(() => [] as string[]);
  // A network may outlive its pause container's record (an agent killed between CNI ADD and runc create).
  const networks = (await deps.network?.list()) ?? [];
  const networkPod = (sandboxId: string): string => sandboxId.replace(/-\d+$/, '');
  const uids = new Set([...instances.map((m) => m.podUid), ...podDirs, ...networks.map((n) => networkPod(n.sandboxId))]);
  const reaped: string[] = [];
  for (const uid of uids) {
    if (!mayReap(await readOwner(deps.stateDir, uid), reaper)) continue;
    if (reaper.agent === 'serve' && reaper.keep(uid)) continue;
    // One pod that cannot be removed (a busy mount) must not stop the others, nor the run that is reaping.
    try {
      for (const m of instances.filter((i) => i.podUid === uid)) await deps.runtime.removeContainer(m.id);
      for (const n of networks.filter((r) => networkPod(r.sandboxId) === uid)) await deps.network?.tearDown(n.sandboxId);
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
