// Where a pod's host-side files live, in the kubelet's layout.
import { join } from 'node:path';
import type { Pod } from '../api/types.js';

export interface NodePaths {
  /** Per-pod data: volumes, /etc files (the kubelet's /var/lib/kubelet/pods). */
  podsDir: string;
  /** CRI logs: <logsDir>/<ns>_<name>_<uid>/<container>/<restartCount>.log (the kubelet's /var/log/pods). */
  logsDir: string;
  /** Read-only root of the pause container (holds /pause). */
  pauseRootfs: string;
}

export function podUid(pod: Pod): string {
  return pod.metadata.uid ?? '';
}

export function podDir(paths: NodePaths, pod: Pod): string {
  return join(paths.podsDir, podUid(pod));
}

export function podLogDir(paths: NodePaths, pod: Pod): string {
  return join(paths.logsDir, `${pod.metadata.namespace ?? 'default'}_${pod.metadata.name ?? ''}_${podUid(pod)}`);
}

export function containerLogPath(paths: NodePaths, pod: Pod, name: string, restartCount: number): string {
  return join(podLogDir(paths, pod), name, `${restartCount}.log`);
}
