// The pod status the agent writes after every sync: the kubelet's generateAPIPodStatus plus what its status manager
// adds on the way to the apiserver (transition times, startTime). Pure: the previous status travels in `pod.status`.

import type { ContainerStatus, Pod, PodCondition, PodPhase, PodStatus } from '../../api/types.js';
import type { PodRuntimeStatus, ProbeResults, StartFailure } from '../pod-runtime.js';
import { latestSandbox } from '../pod-runtime.js';
import { podQOSClass } from '../resources/qos.js';
import { formatRfc3339 } from '../time.js';
import { DEADLINE_EXCEEDED, DEADLINE_EXCEEDED_MESSAGE, pastActiveDeadline } from './active-deadline.js';
import {
  containersReadyCondition, KUBELET_CONDITIONS, podInitializedCondition, podReadyCondition, podReadyToStartContainersCondition,
  stampCondition,
} from './conditions.js';
import type { ConditionDraft } from './conditions.js';
import { convertContainerStatuses, withProbeResults } from './container-statuses.js';
import { getPhase } from './phase.js';

export interface DeriveStatusInput {
  /** Spec, metadata (deletionTimestamp) and the previous status (sticky phase, transition times, startTime). */
  pod: Pod;
  runtime: PodRuntimeStatus;
  /** The last failed start attempt per container name (the kubelet's reasonCache). */
  startFailures: ReadonlyMap<string, StartFailure>;
  probes: ProbeResults;
  /** The pod is being terminated or has finished (the pod worker's podIsTerminal). */
  podIsTerminal: boolean;
  now: number;
  hostIP?: string | undefined;
  podIP?: string | undefined;
}

function isTerminal(phase: PodPhase | undefined): phase is 'Succeeded' | 'Failed' {
  return phase === 'Succeeded' || phase === 'Failed';
}

/** PodSandboxChanged == false: exactly one ready sandbox, and it is the latest. */
function sandboxIsReady(runtime: PodRuntimeStatus): boolean {
  const latest = latestSandbox(runtime);
  return latest?.state === 'ready' && runtime.sandboxes.filter((s) => s.state === 'ready').length === 1;
}

/**
 * HasAnyActiveRegularContainerStarted: an app container exists in the active sandbox (the latest one, if ready). A
 * new sandbox therefore starts uninitialized, which is what makes init containers run again after a sandbox change.
 */
function podHasInitialized(pod: Pod, runtime: PodRuntimeStatus): boolean {
  const latest = latestSandbox(runtime);
  if (latest?.state !== 'ready') return false;
  const appNames = new Set(pod.spec.containers.map((c) => c.name));
  return runtime.containers.some((c) => c.sandboxId === latest.id && appNames.has(c.name));
}

export function derivePodStatus(input: DeriveStatusInput): PodStatus {
  const { pod, runtime, startFailures, probes, podIsTerminal, now } = input;
  const previous = pod.status;
  const spec = pod.spec;
  const initSpecs = spec.initContainers ?? [];

  const convert = { pod, runtime, startFailures };
  const initStatuses = withProbeResults(initSpecs, convertContainerStatuses(convert, 'init'), probes, 'init');
  const appStatuses = withProbeResults(spec.containers, convertContainerStatuses(convert, 'app'), probes, 'app');
  const all: ContainerStatus[] = [...initStatuses, ...appStatuses];

  let phase = getPhase({ spec, statuses: all, podIsTerminal, podHasInitialized: podHasInitialized(pod, runtime) });
  // terminal phases are final: a status computed later (say, after a container was GC'd) may not revive the pod
  const previousPhase = previous?.phase;
  if (!isTerminal(phase) && isTerminal(previousPhase)) phase = previousPhase;
  // The status manager's TerminatePod: a pod whose worker has finished terminating it cannot stay Pending or
  // Running (e.g. deleted while an init container crash-looped): it is marked Failed.
  if (podIsTerminal && !isTerminal(phase) && !runtime.containers.some((c) => c.state === 'running' || c.state === 'created')) phase = 'Failed';
  // The activeDeadlineHandler's ShouldEvict, after the terminal merge as in generateAPIPodStatus: past
  // activeDeadlineSeconds the pod is Failed (the worker then kills it). A pod that already ended keeps its own end.
  const deadlineExceeded = (!isTerminal(previousPhase) || previous?.reason === DEADLINE_EXCEEDED) && pastActiveDeadline(pod, now);
  if (deadlineExceeded) phase = 'Failed';

  const previousConditions = previous?.conditions ?? [];
  const preserved = previousConditions.filter((c) => !KUBELET_CONDITIONS.has(c.type));
  const drafts: ConditionDraft[] = [
    podReadyToStartContainersCondition(sandboxIsReady(runtime)),
    podInitializedCondition(spec, all, phase),
    podReadyCondition(spec, preserved, all, phase),
    containersReadyCondition(spec, all, phase),
    { type: 'PodScheduled', status: 'True' },
  ];
  const conditions: PodCondition[] = [...preserved, ...drafts.map((d) => stampCondition(d, previousConditions, now))];

  const status: PodStatus = { phase, conditions };
  // reason and message belong to a phase (Evicted, DeadlineExceeded...): kept while the phase is
  if (previous && previous.phase === phase) {
    if (previous.message !== undefined) status.message = previous.message;
    if (previous.reason !== undefined) status.reason = previous.reason;
  }
  if (deadlineExceeded) {
    status.message = DEADLINE_EXCEEDED_MESSAGE;
    status.reason = DEADLINE_EXCEEDED;
  }
  const hostIP = input.hostIP ?? previous?.hostIP;
  if (hostIP !== undefined) {
    status.hostIP = hostIP;
    status.hostIPs = [{ ip: hostIP }];
  }
  const latest = latestSandbox(runtime);
  const sandboxIP = latest?.state === 'ready' ? latest.ip : undefined;
  // once known, the IP stays in the status after the sandbox is gone, so finished pods still show where they ran
  // A hostNetwork pod has the node's addresses (the kubelet's generateAPIPodStatus).
  const networkIP = input.pod.spec.hostNetwork === true ? hostIP : sandboxIP;
  const podIP = input.podIP ?? networkIP ?? previous?.podIP;
  if (podIP !== undefined) {
    status.podIP = podIP;
    status.podIPs = [{ ip: podIP }];
  }
  status.startTime = previous?.startTime ?? formatRfc3339(now);
  if (initSpecs.length > 0) status.initContainerStatuses = initStatuses;
  status.containerStatuses = appStatuses;
  status.qosClass = previous?.qosClass ?? podQOSClass(spec);
  return status;
}
