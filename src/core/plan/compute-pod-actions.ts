// The kubelet's computePodActions: what one sync must do to move the observed pod towards its spec. Pure data;
// the executor runs it in a fixed order and applies crash-loop back-off per start (see backoff.ts).
import type { Pod } from '../../api/types.js';
import type { PodRuntimeStatus, ProbeResults } from '../pod-runtime.js';
import { latestByName } from '../pod-runtime.js';
import { pastActiveDeadline } from '../status/active-deadline.js';
import {
  containerChanged,
  containerSucceeded,
  currentGeneration,
  hasAnyRegularContainerCreated,
  shouldContainerBeRestarted,
  shouldRestartOnFailure,
} from './container-checks.js';
import { addKill, computeInitContainerActions, REASON_LIVENESS_PROBE, REASON_STARTUP_PROBE, REASON_UNKNOWN } from './init-container-actions.js';
import { podSandboxChanged } from './sandbox-changed.js';
import type { PodActions } from './types.js';

export { podSandboxChanged } from './sandbox-changed.js';
export type { SandboxDecision } from './sandbox-changed.js';
export { isInitContainerFailed } from './container-checks.js';

export interface PlanInput {
  /** Spec and metadata; a deletionTimestamp means terminating: kill everything, restart nothing. */
  pod: Pod;
  /** Every sandbox and container instance podd still knows for this pod. */
  runtime: PodRuntimeStatus;
  /** Probe results by container id. */
  probes: ProbeResults;
  /** The time of the sync (ms since the epoch): a pod past its activeDeadlineSeconds is killed. Unset: not checked. */
  now?: number;
}

export function computePodActions(input: PlanInput): PodActions {
  const { pod, probes } = input;
  const runtime = currentGeneration(input.runtime);
  const sandbox = podSandboxChanged(pod, runtime);
  const changes: PodActions = {
    killPod: sandbox.createNew,
    createSandbox: sandbox.createNew,
    sandboxId: sandbox.sandboxId,
    attempt: sandbox.attempt,
    initContainersToStart: [],
    containersToStart: [],
    containersToKill: [],
  };

  // The kubelet never runs SyncPod for a terminating pod: its pod worker kills every container and the sandbox
  // (SyncTerminatingPod). Nothing is started, re-created or restarted, whatever changed in the spec.
  // Past activeDeadlineSeconds the pod's status is Failed (DeadlineExceeded), and the kubelet's SyncPod stops there:
  // the pod worker terminates the pod the same way.
  if (pod.metadata.deletionTimestamp !== undefined || (input.now !== undefined && pastActiveDeadline(pod, input.now))) {
    return { ...changes, killPod: true, createSandbox: false };
  }

  if (sandbox.createNew) {
    // Never: containers already ran in the dead sandbox and must not run again; just finish killing the pod.
    if (!shouldRestartOnFailure(pod) && sandbox.attempt !== 0 && runtime.containers.length !== 0) {
      changes.createSandbox = false;
      return changes;
    }
    const containersToStart: number[] = [];
    pod.spec.containers.forEach((c, idx) => {
      if (pod.spec.restartPolicy === 'OnFailure' && containerSucceeded(c, runtime)) return;
      containersToStart.push(idx);
    });
    // Everything already ran to completion: a new sandbox would have nothing to run.
    if (containersToStart.length === 0 && hasAnyRegularContainerCreated(pod, runtime)) {
      changes.createSandbox = false;
      return changes;
    }
    // A new sandbox starts from scratch: the init containers run again from the first.
    if ((pod.spec.initContainers ?? []).length !== 0) {
      changes.initContainersToStart = [0];
      return changes;
    }
    changes.containersToStart = containersToStart;
    return changes;
  }

  // (Ephemeral containers would be started here; podd has none.)
  const hasInitialized = computeInitContainerActions(pod, runtime, probes, changes);
  if (changes.killPod || !hasInitialized) return changes; // init failed or still in progress

  let keepCount = 0;
  pod.spec.containers.forEach((c, idx) => {
    const st = latestByName(runtime, c.name);
    if (st === undefined || st.state !== 'running') {
      if (shouldContainerBeRestarted(c, pod, runtime)) {
        changes.containersToStart.push(idx);
        // Unknown may still be running somewhere: kill before starting, never two instances at once.
        if (st?.state === 'unknown') {
          addKill(changes, { id: st.id, name: c.name, message: `Container is in "unknown" state, try killing it before restart`, reason: REASON_UNKNOWN });
        }
      }
      return;
    }
    let message: string;
    let reason = '';
    let restart = shouldRestartOnFailure(pod);
    if (containerChanged(c, st)) {
      message = `Container ${c.name} definition changed`;
      restart = true; // a new image runs whatever the restart policy
    } else if (probes.liveness.get(st.id) === 'failure') {
      message = `Container ${c.name} failed liveness probe`;
      reason = REASON_LIVENESS_PROBE;
    } else if (probes.startup.get(st.id) === 'failure') {
      message = `Container ${c.name} failed startup probe`;
      reason = REASON_STARTUP_PROBE;
    } else {
      // (An in-place resize needing a restart would be decided here.)
      keepCount++;
      return;
    }
    if (restart) {
      message = `${message}, will be restarted`;
      changes.containersToStart.push(idx);
    }
    addKill(changes, { id: st.id, name: c.name, message, reason });
  });

  if (keepCount === 0 && changes.containersToStart.length === 0) {
    // Every regular container is done for good: end the pod, sidecars included (they must not keep it alive).
    changes.killPod = true;
    changes.initContainersToStart = [];
  }
  return changes;
}
