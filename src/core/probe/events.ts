// The events the kubelet's prober records for one handler run (prober.go probe()): Warning Unhealthy on failure
// or error, Warning ProbeWarning on a warning; nothing on success or on an unknown without error.
import type { ProbeOutcome, ProbeType } from './types.js';

export interface ProbeEvent {
  type: 'Warning';
  reason: 'Unhealthy' | 'ProbeWarning';
  message: string;
}

/** probeType.String(): Liveness, Readiness, Startup. */
export function probeTypeName(type: ProbeType): string {
  return type === 'liveness' ? 'Liveness' : type === 'readiness' ? 'Readiness' : 'Startup';
}

export function probeEvent(type: ProbeType, outcome: ProbeOutcome): ProbeEvent | undefined {
  const name = probeTypeName(type);
  if (outcome.error !== undefined) {
    return { type: 'Warning', reason: 'Unhealthy', message: `${name} probe errored and resulted in ${outcome.result} state: ${outcome.error}` };
  }
  switch (outcome.result) {
    case 'failure':
      return { type: 'Warning', reason: 'Unhealthy', message: `${name} probe failed: ${outcome.output}` };
    case 'warning':
      return { type: 'Warning', reason: 'ProbeWarning', message: `${name} probe warning: ${outcome.output}` };
    default:
      return undefined;
  }
}
