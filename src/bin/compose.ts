// The composition root: the one place real implementations are wired together.
import { join } from 'node:path';
import type { OrphanDeps } from '../agent/orphans.js';
import type { AgentDeps } from '../agent/pod-context.js';
import { CniPodNetwork } from '../runtime/network/pod-network.js';
import { RuncContainerExec } from '../runtime/hooks/container-exec.js';
import type { PodNetwork } from '../runtime/network/types.js';
import { SandboxService, ensurePauseRootfs } from '../agent/sandbox-service.js';
import { LocalImageStore } from '../runtime/image/local-store.js';
import { registrySettingsFromEnv } from '../runtime/image/registry/settings.js';
import { ContainerRuntime } from '../runtime/oci/container-runtime.js';
import { Runc } from '../runtime/oci/runc.js';
import { hostCapabilities } from '../runtime/oci/host-capabilities.js';
import { RuntimeProbeHandlers } from '../runtime/probe/handlers.js';
import { LinuxPodVolumeManager } from '../runtime/volume/pod-volumes.js';
import type { NodeConfig } from './node-config.js';

export interface Node {
  deps: AgentDeps;
  images: LocalImageStore;
  network: PodNetwork;
  /** What the orphan reaper needs to remove a pod that its agent left. */
  orphans: OrphanDeps;
  close(): void;
}

/** The image store, pulling with PODD_INSECURE_REGISTRIES and the node's docker config (see registry/settings.ts). */
export function imageStore(cfg: NodeConfig, env: NodeJS.ProcessEnv = process.env): LocalImageStore {
  return new LocalImageStore(cfg.dataDir, { registry: registrySettingsFromEnv(env, cfg.dataDir) });
}

/** A crash exactly where a test wants one: the same SIGKILL a user's `kill -9` sends, at a known point. */
function killSelfAt(target: string): (point: string) => void {
  return (point) => {
    if (point === target) process.kill(process.pid, 'SIGKILL');
  };
}

export async function composeNode(cfg: NodeConfig): Promise<Node> {
  const runtime = new ContainerRuntime(new Runc(cfg.runcPath), { stateDir: cfg.stateDir, conmonPath: cfg.conmonPath });
  await runtime.init();
  const paths = { podsDir: join(cfg.dataDir, 'pods'), logsDir: cfg.logsDir, pauseRootfs: join(cfg.dataDir, 'pause', 'rootfs') };
  await ensurePauseRootfs(cfg.pauseBinary, paths.pauseRootfs);
  const images = imageStore(cfg);
  const network = new CniPodNetwork({
    confDir: cfg.cniConfDir,
    binDirs: cfg.cniBinDirs,
    cacheDir: join(cfg.dataDir, 'cni', 'results'),
    netnsDir: join(cfg.stateDir, 'netns'),
    defaultNetwork: cfg.podCidr === undefined ? {} : { podCidr: cfg.podCidr },
    // The bridge stays, as cni0 or docker0 do: no pod pays for making it again, and the cluster DNS address on it lives on.
    removeIdleBridge: false,
  });
  const volumes = new LinuxPodVolumeManager();
  const deps: AgentDeps = {
    runtime,
    sandboxes: new SandboxService(runtime, paths, cfg.stateDir, cfg.podNetwork === 'cni' ? network : undefined),
    images,
    volumes,
    paths,
    clock: Date.now,
    backoff: { initialMs: cfg.backoffBaseMs, maxMs: cfg.backoffMaxMs },
    nodeName: cfg.nodeName,
    ...(cfg.nodeIP === undefined ? {} : { hostIP: cfg.nodeIP }),
    pidsLimit: cfg.pidsLimit,
    hostResolvConf: cfg.hostResolvConf,
    clusterDomain: cfg.clusterDomain,
    hostCapabilities: hostCapabilities(),
    hookExec: new RuncContainerExec(cfg.runcPath),
    ...(cfg.failpoint === undefined ? {} : { failpoint: killSelfAt(cfg.failpoint) }),
    probes: new RuntimeProbeHandlers({ runcPath: cfg.runcPath, stateDir: cfg.stateDir }),
  };
  const orphans: OrphanDeps = { runtime, volumes, network, stateDir: cfg.stateDir, podsDir: paths.podsDir };
  return { deps, images, network, orphans, close: () => runtime.close() };
}
