// A probe's timing and thresholds in milliseconds, with the apiserver's defaults for fields a caller left out.
import type { Probe } from '../../api/types.js';

export interface ProbeTiming {
  initialDelaySeconds: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

/** SetDefaults_Probe: timeout 1 s, period 10 s, success 1, failure 3 (0 means unset, as the apiserver reads it). */
export function probeTiming(p: Probe): ProbeTiming {
  const positive = (v: number | undefined, dflt: number): number => (v === undefined || v <= 0 ? dflt : v);
  return {
    initialDelaySeconds: Math.max(0, p.initialDelaySeconds ?? 0),
    periodMs: positive(p.periodSeconds, 10) * 1000,
    timeoutMs: positive(p.timeoutSeconds, 1) * 1000,
    successThreshold: positive(p.successThreshold, 1),
    failureThreshold: positive(p.failureThreshold, 3),
  };
}
