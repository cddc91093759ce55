// Runs one lifecycle hook handler (postStart or preStop) the way the kubelet's handlerRunner does
// (pkg/kubelet/lifecycle/handlers.go): exec in the container, httpGet from the agent to the pod, sleep in the agent.
// The outcome is the kubelet's message on failure; what to do about it (events, killing) is the caller's.
import { goQuote } from '../../api/field-errors.js';
import type { Container, LifecycleHandler, Pod } from '../../api/types.js';
import type { ContainerExec } from '../../runtime/hooks/container-exec.js';
import type { HttpGetTarget } from '../../runtime/hooks/http-get.js';
import type { InstanceMeta } from '../../runtime/oci/container-runtime.js';
import type { EventType } from '../events.js';
import { lifecycleHttpRequest } from './http-request.js';

export interface HookTarget {
  pod: Pod;
  container: Container;
  /** The running instance the hook is for. */
  instance: InstanceMeta;
  /** The pod's IP (the node's for hostNetwork pods): where an httpGet without a host goes. */
  podIP: string | undefined;
}

export type HookOutcome = { ok: true } | { ok: false; message: string; aborted: boolean };

export interface HandlerRunnerDeps {
  exec: ContainerExec;
  /** Sends the request; rejects with an Error whose message reads as Go's (see runtime/hooks/http-get.ts). */
  httpGet(target: HttpGetTarget, signal: AbortSignal): Promise<void>;
  /** Waits `ms`; resolves false when the signal ended the wait first. */
  sleep(ms: number, signal: AbortSignal): Promise<boolean>;
  event(type: EventType, reason: string, message: string): void;
}

/** format.Pod: `name_namespace(uid)`. */
export function formatPod(pod: Pod): string {
  return `${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? 'default'}(${pod.metadata.uid ?? ''})`;
}

/** Go's %v of an IntOrString: `{0 8080 }` for a number, `{1 0 http}` for a name. */
function goIntOrString(port: number | string | undefined): string {
  return typeof port === 'string' ? `{1 0 ${port}}` : `{0 ${port ?? 0} }`;
}

/** Go's %v of a *LifecycleHandler as the kubelet prints one it cannot run (only tcpSocket gets here). */
function goHandler(h: LifecycleHandler): string {
  const tcp = h.tcpSocket === undefined ? 'nil' : `&TCPSocketAction{Port:${goIntOrString(h.tcpSocket.port)},Host:${h.tcpSocket.host ?? ''},}`;
  return `&LifecycleHandler{Exec:nil,HTTPGet:nil,TCPSocket:${tcp},Sleep:nil,}`;
}

export class HandlerRunner {
  constructor(private readonly deps: HandlerRunnerDeps) {}

  async run(target: HookTarget, handler: LifecycleHandler, signal: AbortSignal): Promise<HookOutcome> {
    const who = `for Container ${goQuote(target.container.name)} in Pod ${goQuote(formatPod(target.pod))}`;
    if (handler.exec !== undefined) {
      const command = handler.exec.command ?? [];
      const fail = (error: string, output: string): HookOutcome =>
        ({ ok: false, aborted: signal.aborted, message: `Exec lifecycle hook ([${command.join(' ')}]) ${who} failed - error: ${error}, message: ${goQuote(output)}` });
      try {
        const r = await this.deps.exec.execSync(target.instance, command, signal);
        if (r.exitCode === 0) return { ok: true };
        // The CRI's ExecSync error for a non-zero exit, and the output the kubelet keeps (stdout, then stderr).
        return fail(`command '${command.join(' ')}' exited with ${r.exitCode}: ${r.stderr}`, r.stdout + r.stderr);
      } catch (err) {
        return fail(err instanceof Error ? err.message : String(err), '');
      }
    }
    if (handler.httpGet !== undefined) {
      const action = handler.httpGet;
      const fail = (error: string): HookOutcome =>
        ({ ok: false, aborted: signal.aborted, message: `HTTP lifecycle hook (${action.path ?? ''}) ${who} failed - error: ${error}` });
      const host = action.host !== undefined && action.host !== '' ? action.host : target.podIP;
      if (host === undefined || host === '') return fail('failed to find networking container: the pod has no IP');
      const req = lifecycleHttpRequest(action, target.container, host);
      if ('error' in req) return fail(req.error);
      try {
        await this.deps.httpGet(req, signal);
        return { ok: true };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (!(typeof err === 'object' && err !== null && 'httpResponseToHttps' in err && err.httpResponseToHttps === true)) return fail(message);
        // An HTTPS hook answered by plain HTTP: the kubelet retries it over HTTP, without the Authorization header.
        const plain: HttpGetTarget = {
          ...req, scheme: 'http', url: req.url.replace(/^https:/, 'http:'),
          headers: req.headers.filter(([k]) => k !== 'Authorization'),
        };
        try {
          await this.deps.httpGet(plain, signal);
        } catch {
          return fail(message);
        }
        const hostPort = req.url.replace(/^https:\/\//, '').replace(/\/.*$/, '');
        this.deps.event('Warning', 'LifecycleHTTPFallback', `request to HTTPS lifecycle hook ${hostPort} got HTTP response, retry with HTTP succeeded`);
        return { ok: true };
      }
    }
    if (handler.sleep !== undefined) {
      const seconds = handler.sleep.seconds ?? 0;
      if (await this.deps.sleep(seconds * 1000, signal)) return { ok: true };
      return { ok: false, aborted: true, message: `Sleep lifecycle hook (${seconds}) ${who} failed - error: container terminated before sleep hook finished` };
    }
    // tcpSocket is accepted by the API for compatibility but no kubelet runs it: the hook fails.
    return { ok: false, aborted: false, message: `Cannot run handler: invalid handler: ${goHandler(handler)}` };
  }
}
