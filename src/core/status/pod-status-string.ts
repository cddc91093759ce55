// kubectl get pods' READY, STATUS and RESTARTS columns, as printPod (pkg/printers/internalversion/printers.go).
// Works from the stored status only, so it prints the same thing kubectl would for the same object.

import type { ContainerStatus, Pod } from '../../api/types.js';
import { isSidecar } from '../../api/types.js';
import { parseRfc3339 } from '../time.js';
import { humanDuration } from './human-duration.js';

export interface PodColumns {
  ready: string;
  status: string;
  restarts: string;
}

/** The node-lifecycle controller's Status.Reason for pods on an unreachable node. */
const NodeUnreachablePodReason = 'NodeLost';

function lastTerminationFinishedAt(s: ContainerStatus): number | undefined {
  const finishedAt = s.lastState.terminated?.finishedAt;
  return finishedAt === undefined ? undefined : parseRfc3339(finishedAt);
}

function later(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b > a ? b : a;
}

function terminatedReason(prefix: string, t: { exitCode: number; signal?: number; reason?: string }): string {
  if (t.reason) return `${prefix}${t.reason}`;
  return t.signal ? `${prefix}Signal:${t.signal}` : `${prefix}ExitCode:${t.exitCode}`;
}

export function podStatusString(pod: Pod, now: number): PodColumns {
  const status = pod.status;
  const initSpecs = pod.spec.initContainers ?? [];
  const sidecarNames = new Set(initSpecs.filter(isSidecar).map((c) => c.name));
  const totalContainers = pod.spec.containers.length + sidecarNames.size;
  const conditions = status?.conditions ?? [];
  // the apiserver sets Pending on create, so a missing status only exists before the object was stored
  const phase = status?.phase ?? 'Pending';

  let reason: string = status?.reason || phase;
  if (conditions.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  let restarts = 0;
  let sidecarRestarts = 0;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;

  let initializing = false;
  const initStatuses = status?.initContainerStatuses ?? [];
  for (const [i, c] of initStatuses.entries()) {
    restarts += c.restartCount;
    lastRestart = later(lastRestart, lastTerminationFinishedAt(c));
    const sidecar = sidecarNames.has(c.name);
    if (sidecar) {
      sidecarRestarts += c.restartCount;
      lastSidecarRestart = later(lastSidecarRestart, lastTerminationFinishedAt(c));
    }
    const terminated = c.state.terminated;
    const waiting = c.state.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (sidecar && c.started === true) {
      if (c.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      reason = terminatedReason('Init:', terminated);
    } else if (waiting && waiting.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  const initialized = conditions.some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    // regular init restarts stop counting once the pod is past initialization
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const appStatuses = status?.containerStatuses ?? [];
    // walked backwards so that the first container's reason is the one left standing
    for (let i = appStatuses.length - 1; i >= 0; i--) {
      const c = appStatuses[i];
      if (!c) continue;
      restarts += c.restartCount;
      lastRestart = later(lastRestart, lastTerminationFinishedAt(c));
      if (c.state.waiting && c.state.waiting.reason) {
        reason = c.state.waiting.reason;
      } else if (c.state.terminated) {
        reason = terminatedReason('', c.state.terminated);
      } else if (c.ready && c.state.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // a completed container next to a running one does not make the pod look finished
    if (reason === 'Completed' && hasRunning) {
      reason = conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp !== undefined && status?.reason === NodeUnreachablePodReason) {
    reason = 'Unknown';
  } else if (pod.metadata.deletionTimestamp !== undefined && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) restartsText = `${restarts} (${humanDuration(now - lastRestart)} ago)`;

  return { ready: `${readyContainers}/${totalContainers}`, status: reason, restarts: restartsText };
}
