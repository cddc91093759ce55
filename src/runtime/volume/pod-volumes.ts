// Pod volumes as the kubelet sets them up under the pod directory (see core/volume/layout.ts), with the plugins'
// behaviour: emptyDir (a 0777 directory, or a tmpfs for medium Memory), hostPath (type checks only), secret (a tmpfs,
// so secrets never reach a disk) and configMap (a directory), the last two filled by the atomic writer.
import { chmod, lstat, mkdir } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { ConfigMap, Pod, Secret, Volume } from '../../api/types.js';
import { isPoddError, PoddError } from '../../core/errors.js';
import type { ErrorCode } from '../../core/errors.js';
import { isSafePathComponent, subPathsDir, volumeDir, volumesDir } from '../../core/volume/layout.js';
import { emptyDirMemorySize } from '../../core/volume/memory-size.js';
import { configMapPayload, secretPayload } from '../../core/volume/payload.js';
import type { Payload, PayloadResult } from '../../core/volume/payload.js';
import type { PreparedVolume, VolumeKind } from '../../core/volume/types.js';
import { Rollback } from '../rollback.js';
import { writePayloadAtomic } from './atomic-writer.js';
import { setVolumeOwnership } from './fs-group.js';
import { checkHostPathType } from './host-path.js';
import { mountAt, mountTmpfs, removeTree, unmount, unmountAllUnder } from './mounts.js';

export type { PreparedVolume, VolumeKind } from '../../core/volume/types.js';

export interface VolumeSources {
  secrets: ReadonlyMap<string, Secret>;
  configMaps: ReadonlyMap<string, ConfigMap>;
}

export interface PodVolumeManager {
  /**
   * Creates every volume of the pod under podDir. Idempotent: a second call for the same pod reuses what exists
   * (agent restarts) and refreshes secret and configMap contents. Throws PoddError('FailedPrecondition') with the
   * kubelet's event message (`MountVolume.SetUp failed for volume "v" : secret "x" not found`) for a missing
   * non-optional Secret/ConfigMap or key, or a failed hostPath type check. What this call created is undone on failure.
   */
  setUp(pod: Pod, podDir: string, sources: VolumeSources): Promise<Map<string, PreparedVolume>>;
  /**
   * Unmounts and removes everything setUp (and prepareSubPath) made for the pod, working from the mount table and
   * what is on disk, so it is safe to call twice or after a crash. Never touches hostPath sources; podDir stays.
   */
  tearDown(podDir: string): Promise<void>;
}

export interface LinuxPodVolumeManagerOptions {
  /** Upper bound of memory-backed volumes (the node's allocatable memory); defaults to the host's total memory. */
  nodeAllocatableMemory?: number;
}

const EMPTY_DIR_MODE = 0o777;
const PARENT_DIR_MODE = 0o755;

function setUpFailed(volume: string, message: string, code: ErrorCode = 'FailedPrecondition', cause?: unknown): PoddError {
  // the kubelet's FailedMount event text, space before the colon included
  return new PoddError(code, `MountVolume.SetUp failed for volume "${volume}" : ${message}`, cause === undefined ? undefined : { cause });
}

function kindOf(volume: Volume): VolumeKind | undefined {
  if (volume.emptyDir !== undefined) return 'emptyDir';
  if (volume.hostPath !== undefined) return 'hostPath';
  if (volume.secret !== undefined) return 'secret';
  if (volume.configMap !== undefined) return 'configMap';
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(() => true, () => false);
}

/** mkdir -p that records each directory it creates, so a failed setUp removes exactly those. */
async function ensureDir(path: string, mode: number, rb: Rollback): Promise<boolean> {
  if (await exists(path)) return false;
  const parent = dirname(path);
  if (parent !== path) await ensureDir(parent, PARENT_DIR_MODE, rb);
  await mkdir(path, { mode });
  await chmod(path, mode); // the umask narrowed mkdir's mode
  rb.push(`directory ${path}`, () => removeTree(path));
  return true;
}

async function ensureTmpfs(dir: string, sizeBytes: number, rb: Rollback): Promise<void> {
  // an existing tmpfs is the one an earlier setUp made (idempotency); anything else mounted there is not
  const current = await mountAt(dir);
  if (current?.fsType === 'tmpfs') return;
  if (current !== undefined) throw new PoddError('FailedPrecondition', `${dir} is already a ${current.fsType} mount`);
  await mountTmpfs(dir, [`size=${sizeBytes}`]);
  rb.push(`tmpfs ${dir}`, () => unmount(dir));
}

export class LinuxPodVolumeManager implements PodVolumeManager {
  readonly #nodeAllocatableMemory: number;

  constructor(opts: LinuxPodVolumeManagerOptions = {}) {
    this.#nodeAllocatableMemory = opts.nodeAllocatableMemory ?? totalmem();
  }

  async setUp(pod: Pod, podDir: string, sources: VolumeSources): Promise<Map<string, PreparedVolume>> {
    const rb = new Rollback();
    const prepared = new Map<string, PreparedVolume>();
    try {
      for (const volume of pod.spec.volumes ?? []) prepared.set(volume.name, await this.#setUpVolume(pod, podDir, volume, sources, rb));
      rb.release();
      return prepared;
    } catch (err) {
      const cleanup = await rb.unwind();
      if (cleanup.length === 0) throw err;
      const code = isPoddError(err) ? err.code : 'Internal';
      const message = err instanceof Error ? err.message : String(err);
      throw new PoddError(code, message, { cause: new AggregateError([err, ...cleanup], 'setUp failed and so did part of its cleanup') });
    }
  }

  async #setUpVolume(pod: Pod, podDir: string, volume: Volume, sources: VolumeSources, rb: Rollback): Promise<PreparedVolume> {
    const name = volume.name;
    if (!isSafePathComponent(name)) throw setUpFailed(name, 'invalid volume name', 'Invalid');
    const kind = kindOf(volume);
    if (kind === undefined) throw setUpFailed(name, 'volume has no supported source', 'Invalid');
    try {
      switch (kind) {
        case 'hostPath': {
          const path = volume.hostPath?.path ?? '';
          await checkHostPathType(path, volume.hostPath?.type);
          return { name, hostPath: path, readOnlyByDefault: false, kind };
        }
        case 'emptyDir':
          return await this.#setUpEmptyDir(pod, podDir, volume, rb);
        case 'secret':
        case 'configMap':
          return await this.#setUpProjected(pod, podDir, volume, kind, sources, rb);
      }
    } catch (err) {
      const code = isPoddError(err) ? err.code : kind === 'hostPath' ? 'FailedPrecondition' : 'Internal';
      throw setUpFailed(name, err instanceof Error ? err.message : String(err), code, err);
    }
  }

  async #setUpEmptyDir(pod: Pod, podDir: string, volume: Volume, rb: Rollback): Promise<PreparedVolume> {
    const dir = volumeDir(podDir, 'emptyDir', volume.name);
    const created = await ensureDir(dir, EMPTY_DIR_MODE, rb);
    if (volume.emptyDir?.medium === 'Memory') {
      await ensureTmpfs(dir, emptyDirMemorySize(volume.emptyDir.sizeLimit, pod.spec, this.#nodeAllocatableMemory), rb);
    }
    // only on creation: a restart must not rewrite the group of files the containers made since
    const fsGroup = pod.spec.securityContext?.fsGroup;
    if (created && fsGroup !== undefined) await setVolumeOwnership(dir, fsGroup, false);
    return { name: volume.name, hostPath: dir, readOnlyByDefault: false, kind: 'emptyDir' };
  }

  async #setUpProjected(pod: Pod, podDir: string, volume: Volume, kind: 'secret' | 'configMap',
    sources: VolumeSources, rb: Rollback): Promise<PreparedVolume> {
    const result = this.#payload(volume, kind, sources);
    if (!result.ok) throw new PoddError('FailedPrecondition', result.message);
    const dir = volumeDir(podDir, kind, volume.name);
    await ensureDir(dir, EMPTY_DIR_MODE, rb);
    if (kind === 'secret') await ensureTmpfs(dir, emptyDirMemorySize(undefined, pod.spec, this.#nodeAllocatableMemory), rb);
    await this.#write(dir, result.payload, pod.spec.securityContext?.fsGroup);
    return { name: volume.name, hostPath: dir, readOnlyByDefault: true, kind };
  }

  #payload(volume: Volume, kind: 'secret' | 'configMap', sources: VolumeSources): PayloadResult {
    if (kind === 'secret') {
      const source = volume.secret ?? {};
      const secretName = source.secretName ?? '';
      const secret = sources.secrets.get(secretName);
      if (secret === undefined && source.optional !== true) return { ok: false, message: `secret "${secretName}" not found` };
      return secretPayload(source, secret);
    }
    const source = volume.configMap ?? {};
    const cmName = source.name ?? '';
    const configMap = sources.configMaps.get(cmName);
    if (configMap === undefined && source.optional !== true) return { ok: false, message: `configmap "${cmName}" not found` };
    return configMapPayload(source, configMap);
  }

  async #write(dir: string, payload: Payload, fsGroup: number | undefined): Promise<void> {
    await writePayloadAtomic(dir, payload, fsGroup === undefined ? {} : {
      // as the kubelet's setPerms: the group owns the new files before they become visible
      beforeSwap: async (payloadDir) => {
        await setVolumeOwnership(payloadDir, fsGroup, true);
        await setVolumeOwnership(dir, fsGroup, true, false);
      },
    });
  }

  async tearDown(podDir: string): Promise<void> {
    // subPath binds first: they may pin files inside the volumes
    for (const dir of [subPathsDir(podDir), volumesDir(podDir)]) {
      await unmountAllUnder(dir);
      await removeTree(dir);
    }
  }
}
