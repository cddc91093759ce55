// Pod QoS class, as the kubelet's ComputePodQOS (pkg/apis/core/v1/helper/qos): only cpu and memory count, only
// positive values count, and init containers (sidecars included) count exactly like app containers.

import type { Container, PodSpec, ResourceList } from '../../api/types.js';
import { parseQuantityNano } from './quantity.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = ['cpu', 'memory'] as const;

function positive(list: ResourceList | undefined, name: string): bigint | undefined {
  const q = list?.[name];
  if (q === undefined) return undefined;
  const v = parseQuantityNano(q);
  return v !== undefined && v > 0n ? v : undefined;
}

function add(sums: Map<string, bigint>, name: string, v: bigint): void {
  sums.set(name, (sums.get(name) ?? 0n) + v);
}

export function podQOSClass(spec: PodSpec): QOSClass {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  const all: Container[] = [...spec.containers, ...(spec.initContainers ?? [])];
  for (const c of all) {
    let limitsFound = 0;
    for (const name of QOS_RESOURCES) {
      // requests default to limits (apiserver Pod defaulting), so an undefaulted spec classifies the same way
      const req = positive(c.resources?.requests, name) ??
        (c.resources?.requests?.[name] === undefined ? positive(c.resources?.limits, name) : undefined);
      if (req !== undefined) add(requests, name, req);
      const lim = positive(c.resources?.limits, name);
      if (lim !== undefined) {
        add(limits, name, lim);
        limitsFound++;
      }
    }
    if (limitsFound < QOS_RESOURCES.length) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      if (limits.get(name) !== req) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
