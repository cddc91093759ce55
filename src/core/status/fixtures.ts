// Builders shared by the status tests: terse runtime instances, API container states and pods.

import type { Container, ContainerState, ContainerStatus, Pod, PodSpec } from '../../api/types.js';
import type { ObservedContainer, ObservedSandbox, ProbeResult, ProbeResults } from '../pod-runtime.js';

/** 2026-11-26T22:45:31Z */
export const T0 = 1_795_733_131_000;
export const SEC = 1000;

export function spec(name: string, extra: Partial<Container> = {}): Container {
  return { name, image: `img/${name}:1`, ...extra };
}

export function sidecarSpec(name: string, extra: Partial<Container> = {}): Container {
  return spec(name, { restartPolicy: 'Always', ...extra });
}

export function makePod(podSpec: PodSpec, extra: Partial<Pod> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: podSpec, ...extra };
}

export function sandbox(id: string, attempt: number, state: 'ready' | 'notready' = 'ready', ip = '10.88.0.5'): ObservedSandbox {
  return { id, attempt, state, createdAt: T0 + attempt * 100 * SEC, ip };
}

/** A runtime instance; `created` orders instances (later = newer), `restart` is its restart count. */
export function inst(
  name: string, kind: 'init' | 'app', state: ObservedContainer['state'], o: Partial<ObservedContainer> & { created?: number } = {},
): ObservedContainer {
  const { created = 0, ...rest } = o;
  const createdAt = T0 + created * SEC;
  const base: ObservedContainer = {
    id: `${name}-${created}`, name, kind, sandboxId: 'sb1', restartCount: 0, state, createdAt, specHash: 'h',
    image: `img/${name}:1`, imageId: `sha256:${name}`,
  };
  if (state !== 'created') base.startedAt = createdAt + SEC;
  if (state === 'exited') {
    base.finishedAt = createdAt + 5 * SEC;
    base.exitCode = 0;
  }
  return { ...base, ...rest };
}

export function probes(
  p: { readiness?: Record<string, ProbeResult>; startup?: Record<string, ProbeResult>; liveness?: Record<string, ProbeResult> } = {},
): ProbeResults {
  return {
    liveness: new Map(Object.entries(p.liveness ?? {})),
    readiness: new Map(Object.entries(p.readiness ?? {})),
    startup: new Map(Object.entries(p.startup ?? {})),
  };
}

// API-side states for phase, condition and printer tables
export const waiting = (reason?: string, message?: string): ContainerState =>
  ({ waiting: { ...(reason ? { reason } : {}), ...(message ? { message } : {}) } });
export const running = (): ContainerState => ({ running: { startedAt: '2026-11-26T22:45:31Z' } });
export const terminated = (exitCode: number, reason?: string, extra: { signal?: number; finishedAt?: string } = {}): ContainerState =>
  ({ terminated: { exitCode, ...(reason ? { reason } : {}), ...extra } });

export function cs(name: string, state: ContainerState, o: Partial<ContainerStatus> = {}): ContainerStatus {
  return { name, state, lastState: {}, ready: false, restartCount: 0, image: `img/${name}:1`, imageID: '', ...o };
}
