// Shared fixtures for the planner's table tests: a base pod and runtime, and small mutators, so that each
// table row reads as "what differs from the base" and "what the plan must be".
import type { Container, Pod, RestartPolicy } from '../../api/types.js';
import type { ObservedContainer, ObservedSandbox, PodRuntimeStatus, ProbeResult, RuntimeContainerState } from '../pod-runtime.js';
import { computePodActions } from './compute-pod-actions.js';
import { containerSpecHash } from './container-hash.js';
import type { PodActions } from './types.js';

export interface Scenario {
  pod: Pod;
  runtime: PodRuntimeStatus;
  probes: { liveness: Map<string, ProbeResult>; readiness: Map<string, ProbeResult>; startup: Map<string, ProbeResult> };
  /** The sync's time, when a row needs one (activeDeadlineSeconds). */
  now?: number;
}

export interface PlanCase {
  name: string;
  mutate: (s: Scenario) => void;
  want: Partial<PodActions>;
}

/** init0, init1 (regular) → app0, app1; restartPolicy Always. */
export function regularInitPod(): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1' },
    spec: {
      restartPolicy: 'Always',
      initContainers: [{ name: 'init0', image: 'busybox:1' }, { name: 'init1', image: 'busybox:1' }],
      containers: [{ name: 'app0', image: 'nginx:1' }, { name: 'app1', image: 'redis:7' }],
    },
  };
}

/** sc (sidecar), init1 (regular) → app0, app1; restartPolicy Always. */
export function sidecarPod(): Pod {
  const pod = regularInitPod();
  pod.spec.initContainers = [{ name: 'sc', image: 'envoy:1', restartPolicy: 'Always' }, { name: 'init1', image: 'busybox:1' }];
  return pod;
}

export function spec(pod: Pod, name: string): Container {
  const c = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((x) => x.name === name);
  if (c === undefined) throw new Error(`no container ${name} in the fixture pod`);
  return c;
}

export function sandbox(id: string, attempt: number, state: ObservedSandbox['state'] = 'ready'): ObservedSandbox {
  return { id, attempt, state, createdAt: 100 + attempt };
}

let clock = 1_000;

/** An instance of `name` from the pod's current spec (same hash), id `c-<name>`, in sandbox sb1. */
export function inst(pod: Pod, name: string, state: RuntimeContainerState, extra: Partial<ObservedContainer> = {}): ObservedContainer {
  const c = spec(pod, name);
  const kind = pod.spec.containers.includes(c) ? 'app' : 'init';
  const createdAt = clock++;
  const base: ObservedContainer = {
    id: `c-${name}`, name, kind, sandboxId: 'sb1', restartCount: 0, state, createdAt,
    specHash: containerSpecHash(c), image: c.image ?? '', imageId: `sha256:${name}`,
  };
  if (state !== 'created') base.startedAt = createdAt;
  if (state === 'exited') Object.assign(base, { finishedAt: createdAt + 1, exitCode: 0, reason: 'Completed' });
  return { ...base, ...extra };
}

/** Every init container exited 0 (or sidecars running), every app running, in ready sandbox sb1 (attempt 0). */
export function initializedScenario(pod: Pod): Scenario {
  const containers = [
    ...(pod.spec.initContainers ?? []).map((c) => inst(pod, c.name, c.restartPolicy === 'Always' ? 'running' : 'exited')),
    ...pod.spec.containers.map((c) => inst(pod, c.name, 'running')),
  ];
  return {
    pod,
    runtime: { sandboxes: [sandbox('sb1', 0)], containers },
    probes: { liveness: new Map(), readiness: new Map(), startup: new Map() },
  };
}

// ---- mutators ----

/** Replace every instance of `name` with one instance in `state`. */
export function put(s: Scenario, name: string, state: RuntimeContainerState, extra: Partial<ObservedContainer> = {}): void {
  drop(s, name);
  s.runtime.containers.push(inst(s.pod, name, state, extra));
}

export function failed(s: Scenario, name: string, exitCode = 1): void {
  put(s, name, 'exited', { exitCode, reason: 'Error' });
}

export function drop(s: Scenario, ...names: string[]): void {
  s.runtime.containers = s.runtime.containers.filter((c) => !names.includes(c.name));
}

/** Keep only the listed containers' instances (a pod part-way through its start). */
export function only(s: Scenario, ...names: string[]): void {
  s.runtime.containers = s.runtime.containers.filter((c) => names.includes(c.name));
}

export function policy(s: Scenario, p: RestartPolicy): void {
  s.pod.spec.restartPolicy = p;
}

export function newImage(s: Scenario, name: string): void {
  const c = spec(s.pod, name);
  c.image = `${c.image ?? ''}-updated`;
}

export function terminating(s: Scenario): void {
  s.pod.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
}

/** The plan of a healthy pod in sb1 with `over` applied. */
export function plan(over: Partial<PodActions>): PodActions {
  return {
    killPod: false,
    createSandbox: false,
    sandboxId: 'sb1',
    attempt: 0,
    initContainersToStart: [],
    containersToStart: [],
    containersToKill: [],
    ...over,
  };
}

/** Runs one table row: the base scenario of `base()`, the row's mutation, then the planner. */
export function evaluate(base: () => Pod, c: PlanCase): { got: PodActions; want: PodActions } {
  const s = initializedScenario(base());
  c.mutate(s);
  return { got: computePodActions({ pod: s.pod, runtime: s.runtime, probes: s.probes, ...(s.now === undefined ? {} : { now: s.now }) }), want: plan(c.want) };
}
