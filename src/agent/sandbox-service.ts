// The sandbox controller: the pause container that holds a pod's network, IPC and UTS namespaces (and PID with
// shareProcessNamespace). Creating a sandbox never starts an app container.
import { chmod, copyFile, mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from '../api/types.js';
import { sandboxSpec } from '../core/oci/spec.js';
import { containerCgroupPath } from '../runtime/oci/cgroups.js';
import type { ContainerRuntime, InstanceMeta } from '../runtime/oci/container-runtime.js';
import { type NodePaths, podUid } from './pod-paths.js';

/** Copies the pause binary into a tiny root filesystem of its own (once). */
export async function ensurePauseRootfs(pauseBinary: string, rootfs: string): Promise<void> {
  const target = join(rootfs, 'pause');
  const [src, dst] = await Promise.all([stat(pauseBinary), stat(target).catch(() => undefined)]);
  for (const d of ['proc', 'dev', 'sys']) await mkdir(join(rootfs, d), { recursive: true });
  if (dst && dst.size === src.size && dst.mtimeMs >= src.mtimeMs) return;
  await copyFile(pauseBinary, `${target}.tmp`);
  await chmod(`${target}.tmp`, 0o755);
  await rename(`${target}.tmp`, target);
}

export function podHostname(pod: Pod): string {
  // The kubelet truncates to 63 characters (a DNS label).
  return (pod.spec.hostname ?? pod.metadata.name ?? 'pod').slice(0, 63).replace(/[-.]+$/, '');
}

export class SandboxService {
  constructor(private readonly runtime: ContainerRuntime, private readonly paths: NodePaths, private readonly runtimeStateDir: string) {}

  /** Creates and starts the pause container; the caller records it and rolls back on failure. */
  async runPodSandbox(pod: Pod, attempt: number): Promise<InstanceMeta> {
    const uid = podUid(pod);
    const cgroupsPath = containerCgroupPath(uid, `sandbox-${attempt}`);
    const spec = sandboxSpec({
      rootfs: this.paths.pauseRootfs,
      hostname: podHostname(pod),
      sharePid: pod.spec.shareProcessNamespace === true,
      cgroupsPath,
      annotations: { 'io.kubernetes.cri.container-type': 'sandbox', 'io.kubernetes.pod.uid': uid },
    });
    const meta = await this.runtime.createContainer({
      meta: {
        role: 'sandbox',
        podUid: uid,
        podName: pod.metadata.name ?? '',
        namespace: pod.metadata.namespace ?? 'default',
        name: 'POD',
        sandboxId: '',
        attempt,
        restartCount: 0,
        specHash: '',
        image: 'podd/pause',
        imageId: '',
        // pause prints only its shutdown line; it is kept beside its bundle, not among the pod's container logs
        logPath: join(this.runtimeStateDir, 'pause-logs', `${uid}-${attempt}.log`),
        cgroupsPath,
      },
      spec,
      rootfs: { kind: 'dir', path: this.paths.pauseRootfs },
    });
    try {
      return await this.runtime.startContainer(meta.id);
    } catch (err) {
      await this.runtime.removeContainer(meta.id).catch(() => undefined);
      throw err;
    }
  }
}
