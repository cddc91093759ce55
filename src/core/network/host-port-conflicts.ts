// The kubelet's NodePorts admission: a pod may not take a host port (protocol, address, port) an admitted pod holds.
// A wildcard address (none, 0.0.0.0 or ::) holds the port on every address, as the scheduler's HostPortInfo has it.
import type { Pod } from '../../api/types.js';
import { hostPortMappings } from './port-mappings.js';
import type { PortMapping } from './types.js';

const WILDCARDS = new Set(['', '0.0.0.0', '::']);

function overlaps(a: PortMapping, b: PortMapping): boolean {
  if (a.hostPort !== b.hostPort || a.protocol !== b.protocol) return false;
  const [ipA, ipB] = [a.hostIP ?? '', b.hostIP ?? ''];
  return WILDCARDS.has(ipA) || WILDCARDS.has(ipB) || ipA === ipB;
}

/** The first host port of `pod` that one of `admitted` already holds; undefined when it fits. */
export function conflictingHostPort(pod: Pod, admitted: Iterable<Pod>): PortMapping | undefined {
  const wanted = hostPortMappings(pod);
  if (wanted.length === 0) return undefined;
  for (const other of admitted) {
    const held = hostPortMappings(other);
    const clash = wanted.find((w) => held.some((h) => overlaps(w, h)));
    if (clash) return clash;
  }
  return undefined;
}

/** The status the kubelet gives a pod it rejects at admission (rejectPod). */
export const NODE_PORTS_REJECTION = {
  reason: 'NodePorts',
  message: "Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports",
} as const;
