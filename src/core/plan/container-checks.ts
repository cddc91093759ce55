// Per-container predicates of the kubelet's planner (kubecontainer helpers and kuberuntime_manager), over the
// latest instance of each container name.
import type { Container, Pod } from '../../api/types.js';
import { latestByName, latestSandbox } from '../pod-runtime.js';
import type { ObservedContainer, PodRuntimeStatus } from '../pod-runtime.js';
import { containerSpecHash } from './container-hash.js';

/** A missing exit code reads as 0, as the zero value of the kubelet's ExitCode field. */
const exitCodeOf = (st: ObservedContainer): number => st.exitCode ?? 0;

/** Exited non-zero, OOM-killed (even with exit 0), or in an unknown state. */
export function isInitContainerFailed(st: ObservedContainer): boolean {
  if (st.reason?.includes('OOMKilled') === true) return true;
  if (st.state === 'exited' && exitCodeOf(st) !== 0) return true;
  return st.state === 'unknown';
}

export function shouldRestartOnFailure(pod: Pod): boolean {
  return (pod.spec.restartPolicy ?? 'Always') !== 'Never';
}

/** As the kubelet: any non-running latest instance with exit code 0 (so a Created one counts too). */
export function containerSucceeded(c: Container, runtime: PodRuntimeStatus): boolean {
  const st = latestByName(runtime, c.name);
  if (st === undefined || st.state === 'running') return false;
  return exitCodeOf(st) === 0;
}

export function containerChanged(c: Container, st: ObservedContainer): boolean {
  return st.specHash !== containerSpecHash(c);
}

/** The kubelet's ShouldContainerBeRestarted, for regular containers. */
export function shouldContainerBeRestarted(c: Container, pod: Pod, runtime: PodRuntimeStatus): boolean {
  if (pod.metadata.deletionTimestamp !== undefined) return false;
  const st = latestByName(runtime, c.name);
  if (st === undefined) return true;
  if (st.state === 'running') return false;
  if (st.state === 'unknown' || st.state === 'created') return true;
  const policy = pod.spec.restartPolicy ?? 'Always';
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && exitCodeOf(st) === 0) return false;
  return true;
}

/** Any regular container Created, Running or Exited: initialization completed at some point. */
export function hasAnyRegularContainerCreated(pod: Pod, runtime: PodRuntimeStatus): boolean {
  return pod.spec.containers.some((c) => {
    const st = latestByName(runtime, c.name);
    return st !== undefined && st.state !== 'unknown';
  });
}

/**
 * The instances the planner may see. When the kubelet re-creates a sandbox it purges every init-container
 * instance, so init containers re-run from index 0. podd keeps them (their logs and exit status outlive the
 * sandbox), so the purge is a filter: init instances of an older sandbox generation are invisible here.
 * App instances of older sandboxes stay visible, as in the kubelet (restart decisions read their exit codes).
 */
export function currentGeneration(runtime: PodRuntimeStatus): PodRuntimeStatus {
  const sandbox = latestSandbox(runtime);
  if (sandbox === undefined) return runtime;
  return {
    sandboxes: runtime.sandboxes,
    containers: runtime.containers.filter((c) => c.kind === 'app' || c.sandboxId === sandbox.id),
  };
}
