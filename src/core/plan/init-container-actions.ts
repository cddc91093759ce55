// The kubelet's computeInitContainerActions (sidecar-aware): which init containers to (re)start and which to kill,
// and whether the pod has finished initializing. It scans from the LAST init container backwards, because exited
// init containers may have been garbage-collected: the last one with a status tells how far initialization got.
import { isSidecar } from '../../api/types.js';
import type { Pod } from '../../api/types.js';
import { latestByName } from '../pod-runtime.js';
import type { ProbeResults, PodRuntimeStatus } from '../pod-runtime.js';
import { containerChanged, isInitContainerFailed, shouldRestartOnFailure } from './container-checks.js';
import type { ContainerToKill, PodActions } from './types.js';

export const REASON_STARTUP_PROBE = 'StartupProbe';
export const REASON_LIVENESS_PROBE = 'LivenessProbe';
export const REASON_UNKNOWN = 'Unknown';

/** ContainersToKill is a map by runtime id in the kubelet: a later entry for the same id replaces the earlier. */
export function addKill(changes: PodActions, kill: ContainerToKill): void {
  const at = changes.containersToKill.findIndex((k) => k.id === kill.id);
  if (at >= 0) changes.containersToKill[at] = kill;
  else changes.containersToKill.push(kill);
}

/** Mutates `changes`; returns whether the pod has initialized (regular containers may be inspected). */
export function computeInitContainerActions(pod: Pod, runtime: PodRuntimeStatus, probes: ProbeResults, changes: PodActions): boolean {
  const inits = pod.spec.initContainers ?? [];
  if (inits.length === 0) return true;

  // A Created or Running regular container proves initialization once completed, even if init statuses are gone.
  // Exited ones prove nothing: after a reboot every container is Exited and the new sandbox must initialize anew.
  let podHasInitialized = pod.spec.containers.some((c) => {
    const st = latestByName(runtime, c.name);
    return st !== undefined && (st.state === 'created' || st.state === 'running');
  });
  // Becomes true at the last init container that ever ran: everything before it counts as initialized, and
  // among those only sidecars still need attention.
  let isPreviouslyInitialized = podHasInitialized;
  const restartOnFailure = shouldRestartOnFailure(pod);
  const toStart: number[] = [];
  const last = inits.length - 1;

  for (let i = last; i >= 0; i--) {
    const c = inits[i];
    if (c === undefined) continue;
    const sidecar = isSidecar(c);
    const st = latestByName(runtime, c.name);
    if (st === undefined) {
      // A sidecar's status vanished after initialization: bring it back.
      if (isPreviouslyInitialized && sidecar) toStart.push(i);
      continue;
    }
    if (isPreviouslyInitialized && !sidecar) continue;

    switch (st.state) {
      case 'created':
        // Create and start happen in one step; a container left Created failed to start. Retry it.
        toStart.push(i);
        break;
      case 'running': {
        if (!sidecar) break; // a regular init container: wait for it to exit
        if (c.startupProbe !== undefined) {
          const startup = probes.startup.get(st.id);
          if (startup === undefined) break; // not probed yet: not started
          if (startup !== 'success') {
            if (startup === 'failure') {
              addKill(changes, { id: st.id, name: c.name, message: `Init container ${c.name} failed startup probe`, reason: REASON_STARTUP_PROBE });
              toStart.push(i);
            }
            break;
          }
        }
        // The sidecar has started.
        if (i === last) podHasInitialized = true;
        else if (!isPreviouslyInitialized) toStart.push(i + 1);
        if (containerChanged(c, st)) {
          addKill(changes, { id: st.id, name: c.name, message: `Init container ${c.name} definition changed`, reason: '' });
          toStart.push(i);
          break;
        }
        // Liveness restarts the sidecar but never holds back the next init container (pushed above).
        if (c.livenessProbe !== undefined && probes.liveness.get(st.id) === 'failure') {
          addKill(changes, { id: st.id, name: c.name, message: `Init container ${c.name} failed liveness probe`, reason: REASON_LIVENESS_PROBE });
          toStart.push(i);
        }
        // In-place resize of a sidecar would be decided here.
        break;
      }
      case 'exited':
        if (sidecar) {
          // Sidecars restart whatever their exit code and whatever the pod's restartPolicy.
          toStart.push(i);
        } else if (isInitContainerFailed(st)) {
          if (!restartOnFailure) {
            changes.killPod = true;
            changes.initContainersToStart = [];
            return false;
          }
          toStart.push(i);
        } else if (i === last) {
          podHasInitialized = true;
        } else {
          toStart.push(i + 1);
        }
        break;
      case 'unknown':
        // An unknown regular init container counts as failed; a sidecar is restarted regardless of policy.
        if (!sidecar && !restartOnFailure) {
          changes.killPod = true;
          changes.initContainersToStart = [];
          return false;
        }
        addKill(changes, { id: st.id, name: c.name, message: `Init container is in "unknown" state, try killing it before restart`, reason: REASON_UNKNOWN });
        toStart.push(i);
        break;
    }
    isPreviouslyInitialized = true;
  }

  if (!isPreviouslyInitialized) toStart.push(0); // nothing ever ran: begin at the first
  changes.initContainersToStart.push(...toStart.reverse()); // collected backwards; start in spec order
  return podHasInitialized;
}
