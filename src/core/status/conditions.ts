// Kubelet-owned pod conditions (pkg/kubelet/status/generate.go) and the status manager's transition times.

import type { ConditionStatus, ContainerStatus, PodCondition, PodPhase, PodSpec } from '../../api/types.js';
import { isSidecar } from '../../api/types.js';
import { formatRfc3339 } from '../time.js';
import {
  ContainersNotInitialized, ContainersNotReady, PodCompleted, PodFailed, ReadinessGatesNotReady, UnknownContainerStatuses,
} from './reasons.js';

/** A condition before its transition time is known. */
export interface ConditionDraft {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
}

/** Conditions the kubelet computes and overwrites on every sync; any other condition is preserved as found. */
export const KUBELET_CONDITIONS: ReadonlySet<string> = new Set([
  'PodScheduled', 'Ready', 'Initialized', 'ContainersReady', 'PodReadyToStartContainers', 'PodResizePending', 'PodResizeInProgress',
]);

function draft(type: string, status: ConditionStatus, reason?: string, message?: string): ConditionDraft {
  return { type, status, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

/** Go's %s of a []string: `[a b]`. */
function goList(names: readonly string[]): string {
  return `[${names.join(' ')}]`;
}

function listMessage(unknown: readonly string[], otherLabel: string, other: readonly string[]): string {
  const parts: string[] = [];
  if (unknown.length > 0) parts.push(`containers with unknown status: ${goList(unknown)}`);
  if (other.length > 0) parts.push(`containers with ${otherLabel} status: ${goList(other)}`);
  return parts.join(', ');
}

/** Any app container has run (running or terminated): initialization happened, whatever sidecars do now. */
export function hasAnyRegularContainerStarted(spec: PodSpec, statuses: readonly ContainerStatus[]): boolean {
  const names = new Set(spec.containers.map((c) => c.name));
  return statuses.some((s) => names.has(s.name) && (s.state.running !== undefined || s.state.terminated !== undefined));
}

export function podReadyToStartContainersCondition(sandboxReady: boolean): ConditionDraft {
  return draft('PodReadyToStartContainers', sandboxReady ? 'True' : 'False');
}

export function podInitializedCondition(spec: PodSpec, statuses: readonly ContainerStatus[], phase: PodPhase): ConditionDraft {
  const inits = spec.initContainers ?? [];
  if (statuses.length === 0 && inits.length > 0) return draft('Initialized', 'False', UnknownContainerStatuses);
  const byName = new Map(statuses.map((s) => [s.name, s]));
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of inits) {
    const s = byName.get(c.name);
    if (!s) unknown.push(c.name);
    // a sidecar counts once started; a regular init container once it succeeded (Ready)
    else if (isSidecar(c) ? s.started !== true : !s.ready) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return draft('Initialized', 'True', PodCompleted);
  if (hasAnyRegularContainerStarted(spec, statuses)) return draft('Initialized', 'True');
  const message = listMessage(unknown, 'incomplete', incomplete);
  if (message) return draft('Initialized', 'False', ContainersNotInitialized, message);
  return draft('Initialized', 'True');
}

export function containersReadyCondition(spec: PodSpec, statuses: readonly ContainerStatus[], phase: PodPhase): ConditionDraft {
  const byName = new Map(statuses.map((s) => [s.name, s]));
  const unknown: string[] = [];
  const unready: string[] = [];
  // sidecars and app containers; regular init containers are done by now and do not count
  const counted = [...(spec.initContainers ?? []).filter(isSidecar), ...spec.containers];
  for (const c of counted) {
    const s = byName.get(c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return draft('ContainersReady', 'False', PodCompleted);
  if (phase === 'Failed') return draft('ContainersReady', 'False', PodFailed);
  const message = listMessage(unknown, 'unready', unready);
  if (message) return draft('ContainersReady', 'False', ContainersNotReady, message);
  return draft('ContainersReady', 'True');
}

/** Ready = ContainersReady, then every readiness gate's condition (among `conditions`) must exist and be True. */
export function podReadyCondition(
  spec: PodSpec, conditions: readonly { type: string; status: ConditionStatus }[], statuses: readonly ContainerStatus[], phase: PodPhase,
): ConditionDraft {
  const containersReady = containersReadyCondition(spec, statuses, phase);
  if (containersReady.status !== 'True') return { ...containersReady, type: 'Ready' };
  const messages: string[] = [];
  for (const gate of spec.readinessGates ?? []) {
    const c = conditions.find((x) => x.type === gate.conditionType);
    if (!c) messages.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
    else if (c.status !== 'True') messages.push(`the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`);
  }
  if (messages.length > 0) return draft('Ready', 'False', ReadinessGatesNotReady, messages.join(', '));
  return draft('Ready', 'True');
}

/** The status manager keeps a condition's lastTransitionTime while its status does not change. */
export function stampCondition(d: ConditionDraft, previous: readonly PodCondition[], now: number): PodCondition {
  const old = previous.find((c) => c.type === d.type);
  const lastTransitionTime = old && old.status === d.status ? old.lastTransitionTime : formatRfc3339(now);
  return {
    type: d.type,
    status: d.status,
    lastProbeTime: null,
    lastTransitionTime,
    ...(d.reason ? { reason: d.reason } : {}),
    ...(d.message ? { message: d.message } : {}),
  };
}
