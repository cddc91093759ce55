// The sandbox controller: the pause container that holds a pod's network, IPC and UTS namespaces (and PID with
// shareProcessNamespace). Creating a sandbox never starts an app container.
import { chmod, copyFile, mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from '../api/types.js';
import { sandboxSpec } from '../core/oci/spec.js';
import { containerCgroupPath } from '../runtime/oci/cgroups.js';
import type { ContainerRuntime, InstanceMeta } from '../runtime/oci/container-runtime.js';
import { hostPortMappings } from '../core/network/port-mappings.js';
import type { PodNetwork } from '../runtime/network/types.js';
import { Rollback } from '../runtime/rollback.js';
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

/** The CNI container id of a sandbox: known before the pause container exists, unique per pod and attempt. */
export function sandboxNetworkId(podUid: string, attempt: number): string {
  return `${podUid}-${attempt}`;
}

export class SandboxService {
  /** `network` undefined: every sandbox gets a private network namespace with loopback only. */
  constructor(
    private readonly runtime: ContainerRuntime, private readonly paths: NodePaths, private readonly runtimeStateDir: string,
    private readonly network?: PodNetwork,
  ) {}

  /**
   * As containerd's RunPodSandbox: the pod's network first (a pinned namespace, CNI ADD), then the pause container
   * in it. A failure unwinds whatever was made; the caller records the sandbox it gets.
   */
  async runPodSandbox(pod: Pod, attempt: number): Promise<InstanceMeta> {
    const uid = podUid(pod);
    const hostNetwork = pod.spec.hostNetwork === true;
    const rollback = new Rollback();
    try {
      let network: { networkId: string; netnsPath: string; ips: string[] } | undefined;
      if (!hostNetwork && this.network) {
        const networkId = sandboxNetworkId(uid, attempt);
        const net = this.network;
        const setup = await net.setUp({
          podUid: uid, podName: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? 'default', sandboxId: networkId,
          portMappings: hostPortMappings(pod),
        });
        rollback.push('pod network', () => net.tearDown(networkId));
        network = { networkId, netnsPath: setup.netnsPath, ips: setup.status.ips };
      }
      const cgroupsPath = containerCgroupPath(uid, `sandbox-${attempt}`);
      const spec = sandboxSpec({
        rootfs: this.paths.pauseRootfs,
        hostname: podHostname(pod),
        sharePid: pod.spec.shareProcessNamespace === true,
        cgroupsPath,
        annotations: { 'io.kubernetes.cri.container-type': 'sandbox', 'io.kubernetes.pod.uid': uid },
        hostNetwork,
        ...(network ? { networkNamespace: network.netnsPath } : {}),
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
          ...(network ? { networkId: network.networkId, ips: network.ips } : {}),
        },
        spec,
        rootfs: { kind: 'dir', path: this.paths.pauseRootfs },
      });
      rollback.push('pause container', () => this.runtime.removeContainer(meta.id));
      const started = await this.runtime.startContainer(meta.id);
      rollback.release();
      return started;
    } catch (err) {
      await rollback.unwind();
      throw err;
    }
  }

  /** As StopPodSandbox, once pause has stopped: the network goes (CNI DEL, namespace), the record stays. */
  async releaseNetwork(sandbox: InstanceMeta): Promise<void> {
    if (sandbox.networkId !== undefined && this.network) await this.network.tearDown(sandbox.networkId);
  }

  /** As RemovePodSandbox: the network (if still there), then the pause container and its files. */
  async removePodSandbox(sandbox: InstanceMeta): Promise<void> {
    await this.runtime.stopContainer(sandbox.id, 2_000).catch(() => undefined);
    await this.releaseNetwork(sandbox);
    await this.runtime.removeContainer(sandbox.id);
  }
}
