// A container's volumeMounts as OCI bind mounts (the kubelet's makeMounts, then containerd's WithMounts), and the
// pod-level /etc files every container gets.
import type { Container, VolumeMount } from '../../api/types.js';
import { expandVars } from '../env/resolve-env.js';
import { PoddError } from '../errors.js';
import type { OciMount } from '../oci/types.js';
import { subPathTarget } from './layout.js';
import type { PreparedVolume } from './types.js';

export interface ContainerMountOptions {
  podDir: string;
  /** The container's resolved environment, for subPathExpr. */
  env?: readonly (readonly [string, string])[];
}

/** path.Clean for an absolute path. */
export function cleanAbsolutePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

function depth(path: string): number {
  return path === '/' ? 0 : path.split('/').length - 1;
}

function propagation(mount: VolumeMount): string {
  switch (mount.mountPropagation ?? 'None') {
    case 'None': return 'rprivate';
    case 'HostToContainer': return 'rslave';
    case 'Bidirectional': return 'rshared';
    default: throw new PoddError('Invalid', `invalid mountPropagation "${mount.mountPropagation ?? ''}" in volumeMount "${mount.name}"`);
  }
}

/**
 * The subPath of `mount` with subPathExpr expanded from the container's environment, or '' when there is none.
 * Throws the kubelet's errors for an unset variable, an absolute path or one climbing out with '..'.
 */
export function volumeMountSubPath(mount: VolumeMount, env: readonly (readonly [string, string])[] = []): string {
  let subPath = mount.subPath ?? '';
  const expr = mount.subPathExpr ?? '';
  if (expr !== '') {
    const vars = new Map(env);
    const missing = new Set<string>();
    subPath = expandVars(expr, (name) => {
      const value = vars.get(name);
      if (value === undefined || value === '') missing.add(name);
      return value ?? '';
    });
    if (missing.size > 0) throw new PoddError('Invalid', `missing value for ${[...missing].sort().join(', ')}`);
  }
  if (subPath === '') return '';
  if (subPath.startsWith('/')) throw new PoddError('Invalid', `error SubPath \`${subPath}\` must not be an absolute path`);
  if (subPath.split('/').includes('..')) throw new PoddError('Invalid', `unable to provision SubPath \`${subPath}\`: must not contain '..'`);
  return subPath;
}

/**
 * Bind mounts for the container's volumeMounts, parents before children. A mount with a subPath binds the host-side
 * subPath mount (subPathTarget), which the runtime must have prepared first: binding `<volume>/<subPath>` directly
 * would follow symlinks the container may have planted in the volume.
 */
export function containerMounts(container: Container, volumes: ReadonlyMap<string, PreparedVolume>, opts: ContainerMountOptions): OciMount[] {
  const mounts = (container.volumeMounts ?? []).map((mount, index): OciMount => {
    const volume = volumes.get(mount.name);
    if (volume === undefined) {
      throw new PoddError('FailedPrecondition', `cannot find volume "${mount.name}" to mount into container "${container.name}"`);
    }
    const subPath = volumeMountSubPath(mount, opts.env);
    const source = subPath === '' ? volume.hostPath : subPathTarget(opts.podDir, volume.name, container.name, index);
    const readOnly = mount.readOnly === true || volume.readOnlyByDefault;
    const destination = cleanAbsolutePath(mount.mountPath);
    return { destination, type: 'bind', source, options: ['rbind', propagation(mount), readOnly ? 'ro' : 'rw'] };
  });
  // containerd's orderedMounts: a mount inside another volume's mountPath must come after it (the sort is stable)
  return mounts.map((m, i) => ({ m, i })).sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.i - b.i).map(({ m }) => m);
}

export interface PodEtcFiles {
  hosts: string;
  hostname: string;
  resolvConf: string;
  /** The service account directory (its `namespace` file), when the pod automounts one. */
  serviceAccount?: string;
}

/** Where the kubelet mounts the kube-api-access projected volume. */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface PodEtcMountOptions {
  /** containerd mounts /etc/hostname and /etc/resolv.conf read-only then; the kubelet's /etc/hosts stays writable. */
  readOnlyRootFilesystem?: boolean;
  /** The container's own mounts: a volume mounted at one of these paths wins over the pod's file. */
  userMounts?: readonly OciMount[];
}

export function podEtcMounts(files: PodEtcFiles, opts: PodEtcMountOptions = {}): OciMount[] {
  const taken = new Set((opts.userMounts ?? []).map((m) => cleanAbsolutePath(m.destination)));
  const ro = opts.readOnlyRootFilesystem === true ? 'ro' : 'rw';
  const all: OciMount[] = [
    { destination: '/etc/hostname', type: 'bind', source: files.hostname, options: ['rbind', 'rprivate', ro] },
    { destination: '/etc/hosts', type: 'bind', source: files.hosts, options: ['rbind', 'rprivate', 'rw'] },
    { destination: '/etc/resolv.conf', type: 'bind', source: files.resolvConf, options: ['rbind', 'rprivate', ro] },
    ...(files.serviceAccount === undefined ? [] : [{ destination: SERVICE_ACCOUNT_MOUNT_PATH, type: 'bind', source: files.serviceAccount, options: ['rbind', 'rprivate', 'ro'] }]),
  ];
  return all.filter((m) => !taken.has(m.destination));
}
