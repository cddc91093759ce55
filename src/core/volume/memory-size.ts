// Size of a memory-backed emptyDir (and of the tmpfs under secret volumes): the kubelet's
// calculateEmptyDirMemorySize (SizeMemoryBackedVolumes, on by default), so that a tmpfs can never hold more than
// the pod itself may use instead of the kernel's default of half the host's memory.
import type { PodSpec, Quantity } from '../../api/types.js';
import { podCgroupLimits } from '../resources/pod-cgroup.js';
import { quantityValue } from '../../api/quantity.js';

export { quantityValue };

/** The pod's memory limit as the pod cgroup gets it: one rule for the cgroup and memory-backed volumes. */
export function podMemoryLimit(spec: PodSpec): number | undefined {
  const limit = podCgroupLimits(spec).memory;
  return limit === undefined ? undefined : Math.ceil(limit);
}

/** Bytes: the smallest positive of node allocatable memory, the pod's memory limit and the volume's sizeLimit. */
export function emptyDirMemorySize(sizeLimit: Quantity | undefined, spec: PodSpec, nodeAllocatableBytes: number): number {
  let size = nodeAllocatableBytes;
  const pod = podMemoryLimit(spec);
  if (pod !== undefined && pod > 0 && pod <= size) size = pod;
  const volume = sizeLimit === undefined ? undefined : quantityValue(sizeLimit);
  if (volume !== undefined && volume > 0 && volume <= size) size = volume;
  return size;
}
