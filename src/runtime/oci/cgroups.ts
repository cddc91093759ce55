// Cgroup facts runc does not report: OOM kills (conmon/runc only see SIGKILL) and the pod's parent cgroup,
// which runc creates for the first container and nobody removes. Handles v1 (this kind of host) and v2.
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const ROOT = '/sys/fs/cgroup';

export function isCgroupV2(root = ROOT): boolean {
  return existsSync(join(root, 'cgroup.controllers'));
}

export const PODD_CGROUP_PARENT = '/podd';

export function podCgroupPath(podUid: string): string {
  return `${PODD_CGROUP_PARENT}/pod${podUid.replace(/[^a-zA-Z0-9-]/g, '_')}`;
}

export function containerCgroupPath(podUid: string, id: string): string {
  return `${podCgroupPath(podUid)}/${id}`;
}

function oomKillCount(text: string): number {
  const m = /^oom_kill (\d+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

/** True when the kernel OOM-killed a process of the cgroup (read before `runc delete` removes it). */
export async function wasOomKilled(cgroupsPath: string, root = ROOT): Promise<boolean> {
  const file = isCgroupV2(root) ? join(root, cgroupsPath, 'memory.events') : join(root, 'memory', cgroupsPath, 'memory.oom_control');
  try {
    return oomKillCount(await readFile(file, 'utf8')) > 0;
  } catch {
    return false;
  }
}

async function rmdirTree(dir: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) await rmdirTree(join(dir, e.name));
  try {
    await rmdir(dir);
  } catch {
    // busy (a process is still inside) or already gone: the next cleanup tries again
  }
}

/** Removes the pod's cgroup directories in every hierarchy (child cgroups first). */
export async function removeCgroup(cgroupsPath: string, root = ROOT): Promise<void> {
  if (isCgroupV2(root)) {
    await rmdirTree(join(root, cgroupsPath));
    return;
  }
  const hierarchies = await readdir(root).catch(() => [] as string[]);
  await Promise.all(hierarchies.map((h) => rmdirTree(join(root, h, cgroupsPath))));
}

/** Lists leftover pod cgroups under podd's parent (for the leak check and crash cleanup). */
export async function listPodCgroups(root = ROOT): Promise<string[]> {
  const base = isCgroupV2(root) ? join(root, PODD_CGROUP_PARENT) : join(root, 'memory', PODD_CGROUP_PARENT);
  return readdir(base).catch(() => [] as string[]);
}

export interface PodCgroupLimits {
  /** Bytes. */
  memory?: number;
  /** Cores. */
  cpu?: number;
}

async function writeIfExists(file: string, value: string): Promise<void> {
  await writeFile(file, value).catch(() => undefined);
}

/**
 * Creates the pod-level cgroup every container of the pod nests under, with the effective pod limits
 * (the kubelet's pod cgroup). runc creates container cgroups below it.
 */
export async function ensurePodCgroup(podUid: string, limits: PodCgroupLimits, root = ROOT): Promise<void> {
  const path = podCgroupPath(podUid);
  if (isCgroupV2(root)) {
    const dir = join(root, path);
    await mkdir(dir, { recursive: true });
    if (limits.memory !== undefined) await writeIfExists(join(dir, 'memory.max'), String(Math.floor(limits.memory)));
    if (limits.cpu !== undefined) await writeIfExists(join(dir, 'cpu.max'), `${Math.max(1000, Math.floor(limits.cpu * 100_000))} 100000`);
    return;
  }
  for (const h of ['memory', 'cpu,cpuacct', 'cpu', 'pids']) {
    const base = join(root, h);
    if (!existsSync(base)) continue;
    await mkdir(join(base, path), { recursive: true });
  }
  if (limits.memory !== undefined) await writeIfExists(join(root, 'memory', path, 'memory.limit_in_bytes'), String(Math.floor(limits.memory)));
  if (limits.cpu !== undefined) {
    await writeIfExists(join(root, 'cpu', path, 'cpu.cfs_period_us'), '100000');
    await writeIfExists(join(root, 'cpu', path, 'cpu.cfs_quota_us'), String(Math.max(1000, Math.floor(limits.cpu * 100_000))));
  }
}
