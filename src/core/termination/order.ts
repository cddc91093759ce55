// Who is stopped when, as the kubelet's killContainersWithSyncResult and kuberuntime_termination_order.go decide it.
// Every container's stop starts at once: its preStop hook runs immediately. Only the stop signal of a sidecar waits:
// for every regular container and for the sidecar declared right after it, so sidecars go in reverse order once
// the app containers are gone. Regular init containers and app containers never wait.
import type { Container, Pod } from '../../api/types.js';
import { isSidecar } from '../../api/types.js';
import { containerGracePeriod, podTerminationGrace } from './grace.js';

/** A container instance that has not exited (running, created but never started, or in an unknown state). */
export interface LiveContainer {
  id: string;
  name: string;
  state: 'running' | 'created' | 'unknown';
}

export interface KillStep {
  id: string;
  name: string;
  /** Its preStop hook runs first: it has one, it is running, and there is a budget to run it in. */
  runPreStop: boolean;
  /** The container's whole budget (preStop, waiting, stop signal), in seconds. */
  graceSeconds: number;
  /** Containers whose exit comes before this one's stop signal (only running ones are listed). */
  waitFor: string[];
}

export function containerSpec(pod: Pod, name: string): Container | undefined {
  return pod.spec.containers.find((c) => c.name === name) ?? (pod.spec.initContainers ?? []).find((c) => c.name === name);
}

/**
 * newTerminationOrdering: what each container waits for, given the names of the running containers; undefined when
 * the pod has no sidecar (nothing is ordered then). A sidecar waits for all regular containers and for the next
 * sidecar in spec order; one that is not running counts as exited, so a sidecar never looks past a stopped neighbour
 * (the kubelet's channel of a container that is not running is closed from the start).
 */
export function terminationOrder(pod: Pod, runningNames: readonly string[]): Map<string, string[]> | undefined {
  const inits = pod.spec.initContainers ?? [];
  if (!inits.some(isSidecar)) return undefined;
  const running = new Set(runningNames);
  const apps = pod.spec.containers.map((c) => c.name).filter((n) => running.has(n));
  const order = new Map<string, string[]>();
  let later: string | undefined;
  for (let i = inits.length - 1; i >= 0; i--) {
    const c = inits[i];
    if (c === undefined || !isSidecar(c)) continue;
    order.set(c.name, [...apps, ...(later !== undefined && running.has(later) ? [later] : [])]);
    later = c.name;
  }
  return order;
}

/**
 * killPodWithSyncResult for the containers still alive. `terminating`: the pod itself is being terminated (deleted,
 * past its activeDeadlineSeconds), and the pod worker's effective grace overrides every container's; otherwise (the
 * pod completed, an init container failed with restartPolicy Never, the sandbox changed) each container gets its own.
 */
export function terminationPlan(pod: Pod, live: readonly LiveContainer[], terminating: boolean): KillStep[] {
  const order = terminationOrder(pod, live.filter((c) => c.state === 'running').map((c) => c.name));
  const override = terminating ? podTerminationGrace(pod) : undefined;
  return live.map((c) => {
    const spec = containerSpec(pod, c.name);
    const graceSeconds = override ?? containerGracePeriod(pod, spec, '');
    return {
      id: c.id,
      name: c.name,
      runPreStop: c.state === 'running' && spec?.lifecycle?.preStop !== undefined && graceSeconds > 0,
      graceSeconds,
      waitFor: c.state === 'running' ? order?.get(c.name) ?? [] : [],
    };
  });
}
