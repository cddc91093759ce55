// Runtime instances → API container statuses, as the kubelet's convertToAPIContainerStatuses, followed by the
// prober manager's Started/Ready pass (UpdatePodStatus). Each step below is one loop of the kubelet function, in the
// same order, because later steps deliberately overwrite earlier ones.

import type { Container, ContainerState, ContainerStatus, Pod } from '../../api/types.js';
import { isSidecar } from '../../api/types.js';
import type { ObservedContainer, PodRuntimeStatus, ProbeResults, StartFailure } from '../pod-runtime.js';
import { instancesByName } from '../pod-runtime.js';
import { formatRfc3339 } from '../time.js';
import {
  Completed, ContainerCreating, ContainerStatusUnknown, ErrorReason, MsgInitAssumedCompleted, MsgMissingPreviouslyRunning,
  MsgUnknownWhileTerminated, PodInitializing, RUNTIME_NAME,
} from './reasons.js';

export type ContainerListKind = 'init' | 'app';

export interface ConvertInput {
  pod: Pod;
  runtime: PodRuntimeStatus;
  startFailures: ReadonlyMap<string, StartFailure>;
}

export function containerIdOf(id: string): string {
  return `${RUNTIME_NAME}://${id}`;
}

/** The runtime id inside a `runc://<id>` containerID, as the prober keys its results. */
export function runtimeIdOf(containerID: string | undefined): string | undefined {
  const prefix = `${RUNTIME_NAME}://`;
  return containerID?.startsWith(prefix) ? containerID.slice(prefix.length) : undefined;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function convertInstance(c: ObservedContainer, old: ContainerStatus | undefined, spec: Container): ContainerStatus {
  const cid = containerIdOf(c.id);
  const status: ContainerStatus = {
    name: c.name,
    state: {},
    lastState: {},
    ready: false,
    restartCount: c.restartCount,
    // the image the instance was created from: after `kubectl set image` the status keeps the old one until restart
    image: c.image || (spec.image ?? ''),
    imageID: c.imageId,
    containerID: cid,
  };
  switch (c.state) {
    case 'running':
      status.state = { running: c.startedAt === undefined ? {} : { startedAt: formatRfc3339(c.startedAt) } };
      break;
    case 'created':
      // created but not started is "waiting to run", with no reason
      status.state = { waiting: {} };
      break;
    case 'exited': {
      const exitCode = c.exitCode ?? 0;
      // containerd fills an empty reason the same way; conmon/runc give none
      const reason = c.reason || (exitCode === 0 ? Completed : ErrorReason);
      status.state = {
        terminated: {
          exitCode,
          reason,
          ...(c.message ? { message: c.message } : {}),
          ...(c.startedAt === undefined ? {} : { startedAt: formatRfc3339(c.startedAt) }),
          ...(c.finishedAt === undefined ? {} : { finishedAt: formatRfc3339(c.finishedAt) }),
          containerID: cid,
        },
      };
      break;
    }
    case 'unknown':
      if (old?.state.running) {
        // it was running and is gone: report a failure rather than "never ran", so run-once pods do not run twice
        status.state = { terminated: { exitCode: 137, reason: ContainerStatusUnknown, message: MsgUnknownWhileTerminated } };
        status.restartCount = old.restartCount + 1;
      } else {
        status.state = { waiting: {} };
      }
      break;
  }
  return status;
}

/** ShouldContainerBeRestarted, with a sidecar's own restartPolicy (Always) taking the place of the pod's. */
export function shouldContainerBeRestarted(c: Container, pod: Pod, latest: ObservedContainer | undefined): boolean {
  if (pod.metadata.deletionTimestamp !== undefined) return false;
  if (!latest) return true;
  if (latest.state === 'running') return false;
  if (latest.state === 'unknown' || latest.state === 'created') return true;
  const policy = isSidecar(c) ? 'Always' : (pod.spec.restartPolicy ?? 'Always');
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && (latest.exitCode ?? 0) === 0) return false;
  return true;
}

function hasAnyRegularContainerCreated(pod: Pod, runtime: PodRuntimeStatus): boolean {
  return pod.spec.containers.some((c) => {
    const latest = instancesByName(runtime, c.name)[0];
    return latest !== undefined && latest.state !== 'unknown';
  });
}

/** The API statuses for one container list (spec.initContainers or spec.containers), before probe results. */
export function convertContainerStatuses(input: ConvertInput, kind: ContainerListKind): ContainerStatus[] {
  const { pod, runtime, startFailures } = input;
  const containers = (kind === 'init' ? pod.spec.initContainers : pod.spec.containers) ?? [];
  const previous = (kind === 'init' ? pod.status?.initContainerStatuses : pod.status?.containerStatuses) ?? [];
  const hasInit = (pod.spec.initContainers?.length ?? 0) > 0;
  const defaultReason = hasInit ? PodInitializing : ContainerCreating;
  const oldByName = new Map(previous.map((s) => [s.name, s]));
  const statuses = new Map<string, ContainerStatus>();

  // 1. defaults: waiting, or the previous terminated status kept whole (its instance may have been GC'd)
  for (const c of containers) {
    const old = oldByName.get(c.name);
    let status: ContainerStatus = {
      name: c.name, state: { waiting: { reason: defaultReason } }, lastState: {}, ready: false, restartCount: 0,
      image: c.image ?? '', imageID: '',
    };
    if (old?.state.terminated) {
      status = clone(old);
    } else if (old) {
      status.restartCount = old.restartCount;
      status.lastState = clone(old.lastState);
    }
    statuses.set(c.name, status);
  }

  // 2. previously running but now absent from the runtime: record a termination so the pod does not fall back to Pending
  for (const c of containers) {
    if (runtime.containers.some((r) => r.name === c.name)) continue;
    const old = oldByName.get(c.name);
    if (!old || old.state.terminated || !old.state.running) continue;
    const status = statuses.get(c.name);
    if (!status || status.state.waiting?.reason !== defaultReason || status.lastState.terminated) continue;
    status.lastState = { terminated: { exitCode: 137, reason: ContainerStatusUnknown, message: MsgMissingPreviouslyRunning } };
    if (pod.metadata.deletionTimestamp === undefined) status.restartCount += 1;
  }

  // 3. the latest instance is the state, the one before it the last state
  for (const c of containers) {
    const [latest, prior] = instancesByName(runtime, c.name);
    if (!latest) continue;
    const old = oldByName.get(c.name);
    const status = convertInstance(latest, old, c);
    if (prior) status.lastState = convertInstance(prior, old, c).state;
    statuses.set(c.name, status);
  }

  // 4. containers that will be (re)started and whose last start failed show the failure as Waiting
  const regularCreated = kind === 'init' && hasAnyRegularContainerCreated(pod, runtime);
  for (const c of containers) {
    const status = statuses.get(c.name);
    if (!status) continue;
    const latest = instancesByName(runtime, c.name)[0];
    if (kind === 'init') {
      if (latest && latest.state === 'exited' && (latest.exitCode ?? 0) === 0) continue;
      if (!latest && regularCreated && !isSidecar(c) && status.state.waiting) {
        // the init instance was removed after the app containers were created: it must have succeeded
        status.state = { terminated: { exitCode: 0, reason: Completed, message: MsgInitAssumedCompleted } };
        continue;
      }
    }
    if (!shouldContainerBeRestarted(c, pod, latest)) continue;
    const failure = startFailures.get(c.name);
    if (!failure) continue;
    if (status.state.terminated) status.lastState = status.state;
    status.state = { waiting: { reason: failure.reason, ...(failure.message ? { message: failure.message } : {}) } };
  }

  const out = containers.flatMap((c) => statuses.get(c.name) ?? []);
  // init statuses follow spec order; app statuses are sorted by name, as the kubelet does
  if (kind === 'app') out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

function isStarted(c: Container, status: ContainerStatus, probes: ProbeResults): boolean {
  if (!status.state.running) return false;
  const id = runtimeIdOf(status.containerID);
  const result = id === undefined ? undefined : probes.startup.get(id);
  if (result !== undefined) return result === 'success';
  // a startup probe that has not reported yet means not started
  return c.startupProbe === undefined;
}

function isReady(c: Container, status: ContainerStatus, probes: ProbeResults): boolean {
  if (!status.state.running) return false;
  const id = runtimeIdOf(status.containerID);
  if (id !== undefined && probes.readiness.get(id) === 'success') return true;
  // no readiness probe: ready as soon as started; a probe without a success yet: not ready
  return c.readinessProbe === undefined;
}

function stateIsSuccess(state: ContainerState): boolean {
  return state.terminated !== undefined && state.terminated.exitCode === 0;
}

/**
 * Started/Ready as the prober manager sets them. Started is always written; Ready is only re-evaluated once started
 * (otherwise it keeps the converted value), and a regular init container is ready once it exited 0.
 */
export function withProbeResults(
  containers: readonly Container[], statuses: readonly ContainerStatus[], probes: ProbeResults, kind: ContainerListKind,
): ContainerStatus[] {
  const specByName = new Map(containers.map((c) => [c.name, c]));
  return statuses.map((s) => {
    const c = specByName.get(s.name);
    if (!c) return s;
    const started = isStarted(c, s, probes);
    let ready = s.ready;
    if (kind === 'init' && !isSidecar(c)) {
      if (stateIsSuccess(s.state)) ready = true;
    } else if (started) {
      ready = isReady(c, s, probes);
    }
    return { ...s, ready, started };
  });
}
