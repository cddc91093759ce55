// The kubelet's grace arithmetic for stopping containers, in whole seconds as the kubelet counts them:
// setTerminationGracePeriod and killContainer (pkg/kubelet/kuberuntime/kuberuntime_container.go) and the pod worker's
// calculateEffectiveGracePeriod (pkg/kubelet/pod_workers.go).
//
// One budget per container: its preStop hook, then (sidecars) waiting for its turn, then the stop signal. Each phase
// takes its whole seconds off the budget; whatever is left (never less than 2 s) is the time between the stop signal
// and SIGKILL.
import type { Container, Pod } from '../../api/types.js';
import { REASON_LIVENESS_PROBE, REASON_STARTUP_PROBE } from '../plan/init-container-actions.js';

/** minimumGracePeriodInSeconds: "always give containers a minimal shutdown window to avoid unnecessary SIGKILLs". */
export const MIN_GRACE_SECONDS = 2;

/**
 * setTerminationGracePeriod: the grace of one container kill that no pod-wide termination overrides (a probe
 * failure, a changed spec, a failed postStart, a pod that completed). deletionGracePeriodSeconds first; for a
 * startup or liveness probe kill, that probe's terminationGracePeriodSeconds; then the pod's; 2 s with neither.
 */
export function containerGracePeriod(pod: Pod, container: Container | undefined, reason: string): number {
  const deletion = pod.metadata.deletionGracePeriodSeconds;
  if (deletion !== undefined) return deletion;
  const podGrace = pod.spec.terminationGracePeriodSeconds;
  if (podGrace === undefined) return MIN_GRACE_SECONDS;
  // (The planner's ContainerToKill.reason.)
  const probe = reason === REASON_STARTUP_PROBE ? container?.startupProbe
    : reason === REASON_LIVENESS_PROBE ? container?.livenessProbe : undefined;
  return probe?.terminationGracePeriodSeconds ?? podGrace;
}

/**
 * The pod worker's effective grace for terminating the whole pod (deletion, activeDeadlineSeconds, `podd run`
 * interrupted): the deletion's grace, else the pod's terminationGracePeriodSeconds (30 by default), at least 1 s.
 */
export function podTerminationGrace(pod: Pod): number {
  const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  return Math.max(grace, 1);
}

/** A later termination request may only shorten the grace period, never lengthen it (and it is at least 1 s). */
export function shorterGrace(current: number | undefined, requested: number): number {
  const r = Math.max(requested, 1);
  return current === undefined ? r : Math.min(current, r);
}

/** The budget left after a phase (preStop, waiting for the turn) that took `elapsedMs`: whole seconds, truncated. */
export function graceAfter(graceSeconds: number, elapsedMs: number): number {
  return graceSeconds - Math.trunc(Math.max(elapsedMs, 0) / 1000);
}

/** Seconds between the stop signal and SIGKILL: the budget left, but never under the 2 s minimum. */
export function stopWindow(graceSeconds: number): number {
  return Math.max(graceSeconds, MIN_GRACE_SECONDS);
}

/**
 * A shorter grace (`newGraceSeconds`, counted from now) arrives while a container is still in a budgeted phase that
 * began `phaseElapsedMs` ago with `graceSeconds` for it: the phase's budget so that it ends by now + the new grace,
 * unless it already ended sooner.
 */
export function shortenedGrace(graceSeconds: number, phaseElapsedMs: number, newGraceSeconds: number): number {
  return Math.min(graceSeconds, Math.trunc(Math.max(phaseElapsedMs, 0) / 1000) + Math.max(newGraceSeconds, 0));
}

/**
 * A shorter grace arrives after the stop signal was sent (at `signalledAt`, SIGKILL due at `killAt`): SIGKILL comes
 * at now + the new grace, but never sooner than the 2 s minimum after the stop signal, and never later than planned.
 */
export function shortenedKillAt(killAt: number, signalledAt: number, now: number, newGraceSeconds: number): number {
  const wanted = Math.max(now + Math.max(newGraceSeconds, 0) * 1000, signalledAt + MIN_GRACE_SECONDS * 1000);
  return Math.min(killAt, wanted);
}
