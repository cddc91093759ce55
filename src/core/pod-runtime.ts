// What the agent knows about a pod's runtime objects: the input of the pure planner and status derivation.
// Times are milliseconds since the epoch; the caller passes `now` wherever time matters.

export type SandboxState = 'ready' | 'notready';

export interface ObservedSandbox {
  id: string;
  /** 0 for the first sandbox of a pod, +1 for each re-creation. */
  attempt: number;
  state: SandboxState;
  createdAt: number;
  ip?: string;
}

export type RuntimeContainerState = 'created' | 'running' | 'exited' | 'unknown';

export type ContainerKind = 'init' | 'app';

export interface ObservedContainer {
  id: string;
  /** The container's name in the pod spec. */
  name: string;
  kind: ContainerKind;
  /** The sandbox this instance ran in. */
  sandboxId: string;
  /** The restart count this instance was created with (0 for the first instance). */
  restartCount: number;
  state: RuntimeContainerState;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  /** Runtime's terminated reason: Completed, Error, OOMKilled, StartError. */
  reason?: string;
  message?: string;
  /** Hash of the spec fields that force a restart when changed (name + image, as the kubelet). */
  specHash: string;
  image: string;
  imageId: string;
}

/**
 * The runtime's view of one pod, as the kubelet's kubecontainer.PodStatus: every sandbox, and every container
 * instance still known (latest first is not assumed; helpers sort by createdAt).
 */
export interface PodRuntimeStatus {
  sandboxes: ObservedSandbox[];
  containers: ObservedContainer[];
}

/** The last failed start attempt of a container, as the kubelet's reasonCache. */
export interface StartFailure {
  reason: string; // CrashLoopBackOff, ErrImagePull, ImagePullBackOff, CreateContainerConfigError, RunContainerError, ...
  message: string;
}

export type ProbeResult = 'success' | 'failure' | 'unknown';

/** Probe results by container id. Missing means the probe has not reported yet (or the container has none). */
export interface ProbeResults {
  liveness: ReadonlyMap<string, ProbeResult>;
  readiness: ReadonlyMap<string, ProbeResult>;
  startup: ReadonlyMap<string, ProbeResult>;
}

export function latestByName(status: PodRuntimeStatus, name: string): ObservedContainer | undefined {
  let best: ObservedContainer | undefined;
  for (const c of status.containers) {
    if (c.name !== name) continue;
    if (!best || c.createdAt > best.createdAt || (c.createdAt === best.createdAt && c.restartCount > best.restartCount)) best = c;
  }
  return best;
}

/** All instances of a container, newest first. */
export function instancesByName(status: PodRuntimeStatus, name: string): ObservedContainer[] {
  return status.containers
    .filter((c) => c.name === name)
    .sort((a, b) => b.createdAt - a.createdAt || b.restartCount - a.restartCount);
}

export function latestSandbox(status: PodRuntimeStatus): ObservedSandbox | undefined {
  let best: ObservedSandbox | undefined;
  for (const s of status.sandboxes) if (!best || s.attempt > best.attempt || (s.attempt === best.attempt && s.createdAt > best.createdAt)) best = s;
  return best;
}
