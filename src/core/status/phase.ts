// Pod phase from container statuses: the kubelet's getPhase with the default feature gates.

import type { ContainerStatus, PodPhase, PodSpec } from '../../api/types.js';
import { isSidecar } from '../../api/types.js';

export interface PhaseInput {
  spec: PodSpec;
  /** Init and app container statuses together; looked up by name. */
  statuses: readonly ContainerStatus[];
  /** The pod is being terminated or is done: restart policy no longer applies. */
  podIsTerminal: boolean;
  /** Some app container exists in the current (ready) sandbox, so initialization already happened there. */
  podHasInitialized: boolean;
}

export function getPhase({ spec, statuses, podIsTerminal, podHasInitialized }: PhaseInput): PodPhase {
  const byName = new Map(statuses.map((s) => [s.name, s]));
  const restartPolicy = spec.restartPolicy ?? 'Always';
  let pendingRegularInit = 0;
  let pendingRestartable = 0;
  let failedInitialization = 0;

  for (const c of spec.initContainers ?? []) {
    if (isSidecar(c)) continue;
    const s = byName.get(c.name);
    if (!s || s.state.running) {
      pendingRegularInit++;
    } else if (s.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInitialization++;
    } else if (s.state.waiting) {
      // waiting after a failed run is crash-looping, which counts as a failure, not as pending
      const last = s.lastState.terminated;
      if (!last) pendingRegularInit++;
      else if (last.exitCode !== 0) failedInitialization++;
    } else {
      pendingRegularInit++;
    }
  }

  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;

  for (const c of spec.initContainers ?? []) {
    if (!isSidecar(c)) continue;
    const s = byName.get(c.name);
    if (!s) {
      unknown++;
    } else if (s.state.running) {
      if (s.started !== true) pendingRestartable++;
      running++;
    } else if (s.state.terminated) {
      // a terminated sidecar does not count toward the phase (Job pods succeed even if a sidecar was killed)
    } else if (s.state.waiting) {
      if (!s.lastState.terminated) {
        pendingRestartable++;
        waiting++;
      }
    } else {
      pendingRestartable++;
      unknown++;
    }
  }

  for (const c of spec.containers) {
    const s = byName.get(c.name);
    if (!s) {
      unknown++;
    } else if (s.state.running) {
      running++;
    } else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      // restarting after a run counts as stopped (never as succeeded); never having run is waiting
      if (s.lastState.terminated) stopped++;
      else waiting++;
    } else {
      unknown++;
    }
  }

  if (failedInitialization > 0 && restartPolicy === 'Never') return 'Failed';
  if (pendingRegularInit > 0 || (pendingRestartable > 0 && !podHasInitialized) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}
