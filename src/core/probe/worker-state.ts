// One probe worker's state machine (the kubelet's pkg/kubelet/prober/worker.go doProbe), for one container
// instance and one probe type, with `now` passed in. The agent owns the timer and the handler; this decides when a
// tick probes, skips or ends, and what a handler's outcome does to the published result.
//
// Published result: starts at the kubelet's initial value (liveness success, readiness failure, startup unknown)
// and changes only when a run of `failureThreshold` failures or `successThreshold` successes in a row says so.
// States of a worker:
//   waiting ──tick, initial delay not over──▶ waiting (skip)
//   waiting ──tick, liveness/readiness before the container started──▶ waiting (skip)
//   waiting ──tick──▶ probe ──outcome──▶ waiting (next tick one period after the last)
//   any ──liveness/startup failure published──▶ done (the container is killed; a new instance gets a new worker)
//   any ──startup tick once started──▶ done (startup probes stop once they succeeded)
//   any ──pod terminating, liveness/startup──▶ done, result success ("quiet shutdown"; readiness goes on)
import type { ProbeResult } from '../pod-runtime.js';
import type { ProbeTiming } from './timing.js';
import type { ProbeOutcome, ProbeType } from './types.js';

/** The value a worker publishes before its first conclusive run (worker.go's initialValue). */
export const INITIAL_RESULT: Readonly<Record<ProbeType, ProbeResult>> = { liveness: 'success', readiness: 'failure', startup: 'unknown' };

export interface ProbeWorkerState {
  readonly type: ProbeType;
  /** The published result (the results manager's value for this instance). */
  readonly result: ProbeResult;
  /** The last conclusive handler result and how many times in a row it came. */
  readonly lastResult: 'success' | 'failure' | undefined;
  readonly resultRun: number;
  /** No more probing for this instance. */
  readonly done: boolean;
  /** When the next tick is due (ms since epoch). */
  readonly nextAt: number;
}

export interface TickInput {
  now: number;
  /** When the container instance started (ms since epoch): the initial delay counts from here. */
  startedAt: number;
  /** The container counts as started: its startup probe succeeded, or it has none. */
  started: boolean;
  /** The pod has a deletionTimestamp. */
  terminating: boolean;
}

export type TickDecision =
  | { action: 'probe' }
  | { action: 'skip'; reason: 'initial-delay' | 'not-started' }
  /** End the worker; `result` (when set) is published first. */
  | { action: 'stop'; reason: 'done' | 'terminating' | 'started'; result?: ProbeResult };

export function newWorkerState(type: ProbeType, timing: ProbeTiming, startedAt: number): ProbeWorkerState {
  return {
    type,
    result: INITIAL_RESULT[type],
    lastResult: undefined,
    resultRun: 0,
    done: false,
    nextAt: startedAt + timing.initialDelaySeconds * 1000,
  };
}

/** What a tick at `input.now` does (doProbe's checks before it calls the prober, in the kubelet's order). */
export function decideTick(s: ProbeWorkerState, timing: ProbeTiming, input: TickInput): TickDecision {
  if (s.done) return { action: 'stop', reason: 'done' };
  // Graceful shutdown: liveness and startup go quiet (success) and stop; readiness probes go on.
  if (input.terminating && s.type !== 'readiness') return { action: 'stop', reason: 'terminating', result: 'success' };
  // Whole seconds since the start, truncated, as int32(time.Since(startedAt).Seconds()).
  if (Math.trunc((input.now - input.startedAt) / 1000) < timing.initialDelaySeconds) return { action: 'skip', reason: 'initial-delay' };
  if (input.started) {
    if (s.type === 'startup') return { action: 'stop', reason: 'started' };
  } else if (s.type !== 'startup') {
    return { action: 'skip', reason: 'not-started' };
  }
  return { action: 'probe' };
}

/** Applies a stop decision: the worker is done, with its final result published. */
export function stopWorker(s: ProbeWorkerState, result?: ProbeResult): { state: ProbeWorkerState; changed: boolean } {
  const next = { ...s, done: true, result: result ?? s.result };
  return { state: next, changed: next.result !== s.result };
}

/**
 * The published result after one handler run. An errored run is thrown away. Warning counts as success and
 * unknown as failure (prober.go). A failure of liveness or startup ends the worker: the container is killed.
 */
export function recordOutcome(s: ProbeWorkerState, timing: ProbeTiming, outcome: ProbeOutcome): { state: ProbeWorkerState; changed: boolean } {
  if (s.done || outcome.error !== undefined) return { state: s, changed: false };
  const result: 'success' | 'failure' = outcome.result === 'success' || outcome.result === 'warning' ? 'success' : 'failure';
  const resultRun = s.lastResult === result ? s.resultRun + 1 : 1;
  const threshold = result === 'failure' ? timing.failureThreshold : timing.successThreshold;
  if (resultRun < threshold) return { state: { ...s, lastResult: result, resultRun }, changed: false };
  const ends = result === 'failure' && s.type !== 'readiness';
  const next: ProbeWorkerState = { ...s, lastResult: result, resultRun: ends ? 0 : resultRun, result, done: s.done || ends };
  return { state: next, changed: next.result !== s.result };
}

/**
 * The tick after one at `now`: a period after the one that was due, as a ticker does, or at once when a slow probe
 * ran past it (one late tick fires, the rest are dropped).
 */
export function scheduleNext(s: ProbeWorkerState, timing: ProbeTiming, now: number): ProbeWorkerState {
  const due = s.nextAt + timing.periodMs;
  return { ...s, nextAt: due > now ? due : now };
}

/**
 * A manual run (readiness right after startup succeeded): the next tick comes at `now`, but never before the
 * initial delay is over; the period goes on from it.
 */
export function triggerNow(s: ProbeWorkerState, timing: ProbeTiming, startedAt: number, now: number): ProbeWorkerState {
  if (s.done) return s;
  return { ...s, nextAt: Math.min(s.nextAt, Math.max(now, startedAt + timing.initialDelaySeconds * 1000)) };
}
