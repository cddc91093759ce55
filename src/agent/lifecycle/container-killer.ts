// Stopping containers on the kubelet's budget (killContainer, killContainersWithSyncResult, terminationOrdering):
// each container's preStop hook first, then (sidecars) its turn, then its stop signal with what is left of the
// grace period, at least 2 s, before SIGKILL. The arithmetic and the order are pure (core/termination); this is the
// clockwork. A shorter grace arriving later (a second deletion, a second Ctrl-C) applies to the stops in progress.
import { graceAfter, shortenedGrace, shortenedKillAt, stopWindow } from '../../core/termination/grace.js';

export interface KillRequest {
  id: string;
  name: string;
  /** The whole budget in seconds: preStop, waiting for the turn, and the stop signal share it. */
  graceSeconds: number;
  /** Run the container's preStop hook first (it has one, it is running, and the budget is above 0). */
  runPreStop: boolean;
  /** Names whose stop must be over before this container's stop signal (a sidecar's turn). */
  waitFor: readonly string[];
}

export interface KillerDeps<R extends KillRequest> {
  clock: () => number;
  /** Runs the preStop hook; resolves when it ended (failures are the caller's to report). Aborted: give up on it. */
  preStop(req: R, signal: AbortSignal): Promise<void>;
  /** The stop signal, `graceMs`, then SIGKILL; resolves once the container has exited. */
  stop(req: R, graceMs: number): Promise<void>;
  /** SIGKILL now (a shortened grace ran out while `stop` waits). */
  sigkill(req: R): Promise<void>;
}

interface ActiveKill<R extends KillRequest> {
  req: R;
  /** Budget left for the current phase, counted from phaseStart (whole seconds). */
  grace: number;
  phaseStart: number;
  /** Re-arms the current phase's timer after the budget shrank. */
  rearm?: (() => void) | undefined;
  /** Once the stop signal went: when, and when SIGKILL is due. */
  signalledAt?: number;
  killAt?: number;
  killTimer?: NodeJS.Timeout;
}

export class ContainerKiller<R extends KillRequest = KillRequest> {
  private readonly active = new Set<ActiveKill<R>>();

  constructor(private readonly deps: KillerDeps<R>) {}

  /** Stops them all at once (every preStop starts now); the sidecars' stop signals wait for their turn. */
  async killAll(reqs: readonly R[]): Promise<void> {
    const exits = new Map<string, { done: Promise<void>; resolve: () => void }>();
    for (const r of reqs) {
      let resolve = (): void => undefined;
      const done = new Promise<void>((res) => (resolve = res));
      exits.set(r.name, { done, resolve });
    }
    await Promise.all(reqs.map(async (r) => {
      try {
        const turn = r.waitFor.flatMap((n) => exits.get(n)?.done ?? []);
        await this.kill(r, turn);
      } finally {
        exits.get(r.name)?.resolve();
      }
    }));
  }

  /** One container: preStop, then `turn` (other stops to wait for), then the stop signal. */
  async kill(req: R, turn: readonly Promise<void>[] = []): Promise<void> {
    const st: ActiveKill<R> = { req, grace: req.graceSeconds, phaseStart: this.deps.clock() };
    this.active.add(st);
    const hookAbort = new AbortController();
    let hook: Promise<void> | undefined;
    try {
      if (req.runPreStop && st.grace > 0) {
        hook = this.deps.preStop(req, hookAbort.signal).catch(() => undefined);
        await this.phase(st, hook);
      }
      if (turn.length > 0 && st.grace > 0) {
        st.phaseStart = this.deps.clock();
        await this.phase(st, Promise.all(turn));
      }
      const window = stopWindow(st.grace);
      st.signalledAt = this.deps.clock();
      st.killAt = st.signalledAt + window * 1000;
      await this.deps.stop(req, window * 1000);
    } finally {
      clearTimeout(st.killTimer);
      this.active.delete(st);
      // A preStop still running is abandoned with its container: it is ended, not left behind.
      if (hook !== undefined) {
        hookAbort.abort();
        await hook;
      }
    }
  }

  /** Every stop in progress now has at most `graceSeconds` from now (SIGKILL never before 2 s after the stop signal). */
  shorten(graceSeconds: number): void {
    const now = this.deps.clock();
    for (const st of this.active) {
      if (st.signalledAt === undefined || st.killAt === undefined) {
        const next = shortenedGrace(st.grace, now - st.phaseStart, graceSeconds);
        if (next < st.grace) {
          st.grace = next;
          st.rearm?.();
        }
        continue;
      }
      const killAt = shortenedKillAt(st.killAt, st.signalledAt, now, graceSeconds);
      if (killAt >= st.killAt) continue;
      st.killAt = killAt;
      clearTimeout(st.killTimer);
      st.killTimer = setTimeout(() => void this.deps.sigkill(st.req).catch(() => undefined), Math.max(0, killAt - now));
    }
  }

  /** Waits for `work` or the end of the phase's budget, then takes the time spent off the budget. */
  private async phase(st: ActiveKill<R>, work: Promise<unknown>): Promise<void> {
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        st.rearm = undefined;
        resolve();
      };
      st.rearm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(done, Math.max(0, st.phaseStart + st.grace * 1000 - this.deps.clock()));
      };
      st.rearm();
      work.then(done, done);
    });
    st.grace = graceAfter(st.grace, this.deps.clock() - st.phaseStart);
  }
}
