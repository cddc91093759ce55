// One probe worker: the timer loop around core/probe/worker-state for one container instance and one probe type
// (the kubelet's worker.run). Each tick asks the state machine, runs the handler when it says so (up to three
// tries while the probe errors, as runProbeWithRetries), records the Unhealthy/ProbeWarning event and publishes a
// changed result. The worker stops when its state machine is done, or when the pod prober stops it (the instance
// exited or went away, the pod is cleaned up).
import { probeEvent } from '../../core/probe/events.js';
import type { ProbeEvent } from '../../core/probe/events.js';
import type { ProbeTiming } from '../../core/probe/timing.js';
import type { ProbeOutcome, ProbeResult, ProbeType } from '../../core/probe/types.js';
import { decideTick, newWorkerState, recordOutcome, scheduleNext, stopWorker, triggerNow } from '../../core/probe/worker-state.js';
import type { ProbeWorkerState } from '../../core/probe/worker-state.js';

/** maxProbeRetries: an errored run is tried again at once, up to three runs in all. */
const MAX_TRIES = 3;

export interface ProbeWorkerEnv {
  clock(): number;
  /** The container has started (startup probe succeeded, or none). */
  started(): boolean;
  terminating(): boolean;
  /** One run of the handler. */
  run(timeoutMs: number): Promise<ProbeOutcome>;
  /** The published result; `changed` when it differs from the previous one. */
  publish(result: ProbeResult, changed: boolean): void;
  event(e: ProbeEvent): void;
}

export class ProbeWorker {
  private state: ProbeWorkerState;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(readonly id: string, readonly type: ProbeType, private readonly timing: ProbeTiming, private readonly startedAt: number, private readonly env: ProbeWorkerEnv) {
    this.state = newWorkerState(type, timing, startedAt);
  }

  /** The value published before any run (the kubelet sets it when the worker first sees the container). */
  get result(): ProbeResult {
    return this.state.result;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  start(): void {
    this.schedule();
  }

  /** Runs a tick now (readiness once startup succeeded; liveness/startup when the pod starts terminating). */
  trigger(): void {
    if (this.stopped) return;
    this.state = triggerNow(this.state, this.timing, this.startedAt, this.env.clock());
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped || this.running) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), Math.max(0, this.state.nextAt - this.env.clock()));
    // A probe never keeps podd alive by itself: the pod worker owns the lifetime.
    this.timer.unref();
  }

  private async runWithRetries(): Promise<ProbeOutcome> {
    let outcome: ProbeOutcome = { result: 'unknown', output: '', error: 'not run' };
    for (let i = 0; i < MAX_TRIES; i++) {
      try {
        outcome = await this.env.run(this.timing.timeoutMs);
      } catch (err) {
        outcome = { result: 'unknown', output: '', error: err instanceof Error ? err.message : String(err) };
      }
      if (this.stopped || outcome.error === undefined) break;
    }
    return outcome;
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = true;
    try {
      const now = this.env.clock();
      const d = decideTick(this.state, this.timing, { now, startedAt: this.startedAt, started: this.env.started(), terminating: this.env.terminating() });
      if (d.action === 'stop') {
        const r = stopWorker(this.state, d.result);
        this.state = r.state;
        this.stopped = true;
        this.env.publish(this.state.result, r.changed);
        return;
      }
      if (d.action === 'probe') {
        const outcome = await this.runWithRetries();
        // Stopped meanwhile (the container exited): the run is moot.
        if (this.stopped) return;
        const ev = probeEvent(this.type, outcome);
        if (ev) this.env.event(ev);
        const r = recordOutcome(this.state, this.timing, outcome);
        this.state = r.state;
        if (r.changed) this.env.publish(this.state.result, true);
        if (this.state.done) {
          this.stopped = true;
          return;
        }
      }
      this.state = scheduleNext(this.state, this.timing, this.env.clock());
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
