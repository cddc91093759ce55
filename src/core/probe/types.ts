// The kubelet's probe vocabulary (pkg/probe, pkg/kubelet/prober): what a handler reports for one run, and the
// handler a probe resolves to for one container instance. Pure data.
import type { ProbeResult } from '../pod-runtime.js';

export type ProbeType = 'liveness' | 'readiness' | 'startup';

export const PROBE_TYPES: readonly ProbeType[] = ['startup', 'liveness', 'readiness'];

/** pkg/probe's Result: what one handler run found. `warning` counts as success (an HTTP probe ended on a redirect). */
export type HandlerResult = 'success' | 'warning' | 'failure' | 'unknown';

/**
 * One run of a probe handler, as the kubelet's `(probe.Result, output string, err error)`. `error` set means the
 * probe errored (the port could not be resolved, runc could not exec): the kubelet retries up to three times and
 * then throws the run away, leaving the published result as it was.
 */
export interface ProbeOutcome {
  result: HandlerResult;
  /** What the Unhealthy event quotes: exec output (first 10 KiB), `HTTP probe failed with statuscode: 500`, … */
  output: string;
  error?: string;
}

/** A probe's handler with everything resolved against the container and the pod's address. */
export type ProbeAction =
  | { kind: 'exec'; command: string[] }
  | {
    kind: 'http';
    /** The request URL, as Go prints it in errors (`Get "http://10.86.0.5:8080/healthz": …`). */
    url: string;
    scheme: 'http' | 'https';
    host: string;
    port: number;
    /** Header name/value pairs in order (canonical names, User-Agent and Accept defaulted). */
    headers: [string, string][];
  }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'grpc'; host: string; port: number; service: string }
  /** The probe cannot run at all (a named port the container does not have): it errors, as the kubelet's does. */
  | { kind: 'invalid'; error: string };

export type { ProbeResult };
