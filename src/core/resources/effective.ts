// Effective pod requests/limits, as component-helpers' PodRequests/PodLimits (KEP-753 sidecar-aware):
//   pod = max( Σ app containers + Σ sidecars , max_i (Σ sidecars declared before init i + init i) )
// computed per resource name independently. One function serves admission and the pod cgroup.
// Arithmetic is done on exact nano-unit BigInts and converted to floats (cores, bytes) at the very end.

import type { Container, PodSpec, ResourceList } from '../../api/types.js';
import { isSidecar } from '../../api/types.js';
import { nanoToNumber, parseQuantityNano } from './quantity.js';

export interface EffectiveResources {
  requests: Record<string, number>;
  limits: Record<string, number>;
}

type Exact = Map<string, bigint>;

/**
 * Malformed quantities are skipped here: validation rejects them before a pod is stored, and this arithmetic must
 * not throw on a path (cgroup setup) where there is nobody to report to.
 */
function exactList(list: ResourceList | undefined): Exact {
  const out: Exact = new Map();
  for (const [name, q] of Object.entries(list ?? {})) {
    const v = parseQuantityNano(q);
    if (v !== undefined) out.set(name, v);
  }
  return out;
}

/**
 * Requests default to limits per resource name, as the apiserver's Pod defaulting does; applying it here keeps the
 * result right even for a spec that never went through defaulting, and is a no-op for one that did.
 */
function exactRequests(c: Container): Exact {
  const out = exactList(c.resources?.requests);
  for (const [name, v] of exactList(c.resources?.limits)) if (!out.has(name)) out.set(name, v);
  return out;
}

function exactLimits(c: Container): Exact {
  return exactList(c.resources?.limits);
}

function addInto(target: Exact, add: Exact): void {
  for (const [name, v] of add) target.set(name, (target.get(name) ?? 0n) + v);
}

function maxInto(target: Exact, other: Exact): void {
  for (const [name, v] of other) {
    const cur = target.get(name);
    if (cur === undefined || v > cur) target.set(name, v);
  }
}

function toRecord(list: Exact): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, v] of list) out[name] = nanoToNumber(v);
  return out;
}

function aggregate(spec: PodSpec, of: (c: Container) => Exact): Exact {
  const total: Exact = new Map();
  for (const c of spec.containers) addInto(total, of(c));
  const sidecarsSoFar: Exact = new Map();
  const initPeak: Exact = new Map();
  for (const c of spec.initContainers ?? []) {
    const own = of(c);
    if (isSidecar(c)) {
      // a sidecar keeps running next to the app containers, and during its own start every earlier sidecar runs too
      addInto(total, own);
      addInto(sidecarsSoFar, own);
      maxInto(initPeak, sidecarsSoFar);
    } else {
      // a regular init container runs alone apart from the sidecars declared before it
      const use: Exact = new Map(sidecarsSoFar);
      addInto(use, own);
      maxInto(initPeak, use);
    }
  }
  maxInto(total, initPeak);
  return total;
}

/** The pod's effective requests and limits per resource name: cpu in cores, memory and storage in bytes. */
export function effectivePodResources(spec: PodSpec): EffectiveResources {
  return { requests: toRecord(aggregate(spec, exactRequests)), limits: toRecord(aggregate(spec, exactLimits)) };
}

/** One container's limits in base units; names without a limit are absent (unbounded). */
export function containerLimits(c: Container): Record<string, number> {
  return toRecord(exactLimits(c));
}

/** One container's requests in base units, defaulted from its limits per resource name. */
export function containerRequests(c: Container): Record<string, number> {
  return toRecord(exactRequests(c));
}
