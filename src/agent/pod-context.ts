// Everything one pod worker knows and owns: its pod, its instances, the reason cache and back-off state.
import type { Service } from '../api/service-types.js';
import type { ConfigMap, Pod, Secret } from '../api/types.js';
import type { ContainerExec } from '../runtime/hooks/container-exec.js';
import type { PodEtcFiles } from '../core/volume/container-mounts.js';
import type { BackoffConfig, BackoffEntry } from '../core/plan/types.js';
import type { StartFailure } from '../core/pod-runtime.js';
import type { PreparedVolume } from '../core/volume/types.js';
import type { ImageStore } from '../runtime/image/types.js';
import type { ContainerRuntime, InstanceMeta } from '../runtime/oci/container-runtime.js';
import type { ProbeHandlers } from '../runtime/probe/handlers.js';
import type { PodVolumeManager } from '../runtime/volume/pod-volumes.js';
import type { EventSink } from './events.js';
import type { TrackedInstance } from './observe.js';
import type { NodePaths } from './pod-paths.js';
import type { SandboxService } from './sandbox-service.js';

export interface AgentDeps {
  runtime: ContainerRuntime;
  sandboxes: SandboxService;
  images: ImageStore;
  volumes: PodVolumeManager;
  paths: NodePaths;
  clock: () => number;
  backoff: BackoffConfig;
  nodeName: string;
  hostIP?: string;
  pidsLimit: number;
  hostResolvConf: string;
  /** The cluster domain (cluster.local): a pod's hostname.subdomain FQDN in /etc/hosts, the search list with clusterDns. */
  clusterDomain?: string;
  /**
   * The cluster DNS (`podd serve`): ClusterFirst pods get these nameservers, and their containers start after
   * `ready()` (the server listens, or gave up for now). Unset (`podd run`): ClusterFirst is Default, as for a kubelet
   * without --cluster-dns.
   */
  clusterDns?: { nameservers: readonly string[]; ready?: () => Promise<void> };
  /** Every Service of the node (`podd serve`), read as each container is made: its Service variables. */
  services?: () => readonly Service[];
  /** Capabilities podd holds: privileged containers get these. */
  hostCapabilities: readonly string[];
  /** Runs lifecycle hook commands in a container (runc exec). */
  hookExec: ContainerExec;
  /** Called at named points of a pod's start (`sandbox-started`, `created:NAME`, `started:NAME`): crash tests. */
  failpoint?: (point: string) => void;
  /** Runs startup, liveness and readiness probes; without it no probe runs (every probe result stays unreported). */
  probes?: ProbeHandlers;
}

export interface PodHooks {
  onEvent: EventSink;
  /** A container instance was created (to follow its log). */
  onInstanceCreated?: (meta: InstanceMeta) => void;
  onStatus?: (pod: Pod) => void;
}

/** The Secrets and ConfigMaps of a pod's namespace, by name. */
export interface PodSources {
  secrets: ReadonlyMap<string, Secret>;
  configMaps: ReadonlyMap<string, ConfigMap>;
}

export interface PodContext {
  pod: Pod;
  /** Read when a volume, pull or container needs them: ones created after a failure are found on the retry. */
  sources: () => PodSources;
  instances: Map<string, TrackedInstance>;
  startFailures: Map<string, StartFailure>;
  backoff: Map<string, BackoffEntry>;
  /** Next restartCount per container name: survives purged instances, as the kubelet's log-file count does. */
  restartCounts: Map<string, number>;
  volumes?: Map<string, PreparedVolume>;
  /** What each Secret and ConfigMap volume was last projected from (projectedVersions), by volume name. */
  volumeSources?: Map<string, string>;
  etcFiles?: PodEtcFiles;
  /** Host path bound at /dev/shm in every container: the pod's tmpfs, or the host's with hostIPC. */
  shmDir?: string;
  /** Earliest time a back-off ends (ms since epoch); the worker wakes then. */
  wakeAt?: number | undefined;
}
