// The pod cgroup's limits (the kubelet's ResourceConfigForPod): the effective pod limit of a resource, set only when
// every container, init containers included, has a non-zero limit for it; one unlimited container leaves the whole
// pod unlimited. Memory-backed volumes are sized by the same rule.
import type { PodSpec } from '../../api/types.js';
import { containerLimits, effectivePodResources } from './effective.js';

export interface PodCgroupLimitValues {
  /** Bytes. */
  memory?: number;
  /** Cores. */
  cpu?: number;
}

export function podCgroupLimits(spec: PodSpec): PodCgroupLimitValues {
  const all = [...(spec.initContainers ?? []), ...spec.containers];
  const effective = effectivePodResources(spec).limits;
  const limits: PodCgroupLimitValues = {};
  for (const name of ['memory', 'cpu'] as const) {
    const value = effective[name];
    if (value !== undefined && all.every((c) => (containerLimits(c)[name] ?? 0) > 0)) limits[name] = value;
  }
  return limits;
}
