// The output of computePodActions: data only. The executor runs it in a fixed order:
// kill pod or kill containers → create sandbox → start init containers → start app containers.

export interface ContainerToKill {
  /** Runtime id of the instance to kill. */
  id: string;
  name: string;
  message: string;
  /** '' | 'StartupProbe' | 'LivenessProbe' | 'FailedPostStartHook' | 'Unknown' */
  reason: string;
}

export interface PodActions {
  /** Kill every container and stop every sandbox of the pod. */
  killPod: boolean;
  /** Create a new sandbox with `attempt` (after killPod). */
  createSandbox: boolean;
  /** The current (latest) sandbox id, '' when none. */
  sandboxId: string;
  attempt: number;
  /** Indexes into spec.initContainers, in start order. */
  initContainersToStart: number[];
  /** Indexes into spec.containers, in start order. */
  containersToStart: number[];
  containersToKill: ContainerToKill[];
}

/** Restart back-off state for one container key (see backoff.ts). */
export interface BackoffEntry {
  /** Current back-off in ms. */
  backoffMs: number;
  /** When the entry was last advanced (ms since epoch). */
  lastUpdate: number;
}

export interface BackoffConfig {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffConfig = { initialMs: 10_000, maxMs: 300_000 };
