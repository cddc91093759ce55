// The real effects behind lifecycle hooks: runc exec in the container, HTTP from the agent, a timer for sleep.
import type { ContainerExec } from '../../runtime/hooks/container-exec.js';
import { httpGet } from '../../runtime/hooks/http-get.js';
import type { HandlerRunnerDeps } from './handler-runner.js';

/** Waits `ms`; false when the signal ended the wait first. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, Math.max(0, ms));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** `exec` runs hook commands in containers (compose.ts gives it the runc podd drives). */
export function realHookDeps(exec: ContainerExec, event: HandlerRunnerDeps['event']): HandlerRunnerDeps {
  return { exec, httpGet, sleep: abortableSleep, event };
}
