// What the pod engine sees of pod networking. The sandbox controller calls setUp before it creates the pause
// container (which then joins `netnsPath`), and tearDown after the pause container is gone, or for leftovers found
// by list() after a crash.
import type { DefaultNetworkOptions } from '../../core/network/default-conflist.js';
import type { PodNetworkStatus, PortMapping } from '../../core/network/types.js';
import type { PluginInvoker } from './plugin-exec.js';

export interface PodNetworkRequest {
  podUid: string;
  podName: string;
  namespace: string;
  /** Also the CNI container id and the namespace file name: letters, digits, "_", ".", "-". */
  sandboxId: string;
  /** hostPorts (see hostPortMappings in core/network/port-mappings.ts). */
  portMappings?: PortMapping[];
  signal?: AbortSignal;
}

export interface PodNetworkSetup {
  /** The pinned namespace the pause container and every app container join. */
  netnsPath: string;
  status: PodNetworkStatus;
  networkName: string;
}

/** A sandbox with network state on this host: a cache record, a namespace file, or both. */
export interface PodNetworkRecord {
  sandboxId: string;
  netnsPath: string;
  /** A namespace is pinned at netnsPath. */
  pinned: boolean;
  /** A cache record exists: tearDown has plugin state to release. */
  cached: boolean;
  /** ADD completed (the record has a result). */
  complete: boolean;
}

export interface PodNetwork {
  /**
   * Creates the namespace and runs CNI ADD. On failure everything made is undone (DEL for the whole chain, namespace
   * removed) before the error is thrown; AlreadyExists if the sandbox already has a network.
   */
  setUp(req: PodNetworkRequest): Promise<PodNetworkSetup>;
  /** CNI CHECK with the cached result; a no-op when the configuration disables CHECK or predates it (< 0.4.0). */
  check(sandboxId: string, signal?: AbortSignal): Promise<void>;
  /** The status ADD returned, from the cache (survives restarts); undefined when the sandbox has none. */
  status(sandboxId: string): Promise<PodNetworkStatus | undefined>;
  /** CNI DEL in reverse order, then the namespace; idempotent. On failure the record is kept for a retry. */
  tearDown(sandboxId: string, signal?: AbortSignal): Promise<void>;
  list(): Promise<PodNetworkRecord[]>;
  netnsPath(sandboxId: string): string;
}

export interface CniPodNetworkOptions {
  /** CNI configuration directory (default /etc/cni/net.d). */
  confDir?: string;
  /** Plugin directories, searched in order (default /usr/lib/cni, /opt/cni/bin). */
  binDirs?: string[];
  /** Where ADD results are cached for DEL/CHECK (default /var/lib/podd/cni/results). */
  cacheDir?: string;
  /** Where namespaces are pinned (default /run/podd/netns). */
  netnsDir?: string;
  /** The default network written into an empty confDir; false to require an existing configuration. */
  defaultNetwork?: DefaultNetworkOptions | false;
  /** Interface name inside the pod (default eth0). */
  ifName?: string;
  /** Per plugin invocation (default 60 s). */
  pluginTimeoutMs?: number;
  /** Delete the default network's bridge when its last pod is torn down (default true). */
  removeIdleBridge?: boolean;
  invoker?: PluginInvoker;
  log?: (line: string) => void;
}
