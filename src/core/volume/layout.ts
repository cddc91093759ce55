// The kubelet's on-disk layout of a pod's volumes, so that a crash leaves a tree a later tearDown can read back.
//   <podDir>/volumes/kubernetes.io~<plugin>/<volume>
//   <podDir>/volume-subpaths/<volume>/<container>/<volumeMount index>
import type { VolumeKind } from './types.js';

export type DirVolumeKind = Exclude<VolumeKind, 'hostPath'>;

/** The kubelet escapes '/' in plugin names as '~'. hostPath has no directory of its own. */
export const PLUGIN_DIRS: Readonly<Record<DirVolumeKind, string>> = {
  emptyDir: 'kubernetes.io~empty-dir',
  secret: 'kubernetes.io~secret',
  configMap: 'kubernetes.io~configmap',
};

export function joinPath(...parts: string[]): string {
  return parts.map((p, i) => (i === 0 ? p.replace(/\/+$/, '') : p.replace(/^\/+|\/+$/g, ''))).join('/');
}

export function volumesDir(podDir: string): string {
  return joinPath(podDir, 'volumes');
}

export function volumeDir(podDir: string, kind: DirVolumeKind, name: string): string {
  return joinPath(volumesDir(podDir), PLUGIN_DIRS[kind], name);
}

export function subPathsDir(podDir: string): string {
  return joinPath(podDir, 'volume-subpaths');
}

/** The host-side bind mount of one volumeMount's subPath, which is what the container then mounts. */
export function subPathTarget(podDir: string, volumeName: string, containerName: string, mountIndex: number): string {
  return joinPath(subPathsDir(podDir), volumeName, containerName, String(mountIndex));
}

/** A name used as one path component must not be able to climb out of its parent. */
export function isSafePathComponent(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');
}
