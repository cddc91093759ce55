// hostPort → the portMappings capability, as kubelet + containerd build it: every container port with a hostPort
// (ports without one are only documentation), protocols in lower case, hostIP only when given.
import type { Container, Pod } from '../../api/types.js';
import { parseIp } from './cidr.js';
import { NetworkError } from './errors.js';
import type { PortMapping } from './types.js';

function fromContainer(c: Container): PortMapping[] {
  return (c.ports ?? [])
    .filter((p) => p.hostPort !== undefined && p.hostPort > 0)
    .map((p) => ({
      hostPort: p.hostPort ?? 0,
      containerPort: p.containerPort,
      protocol: (p.protocol ?? 'TCP').toLowerCase() as PortMapping['protocol'],
      ...(p.hostIP === undefined || p.hostIP === '' ? {} : { hostIP: p.hostIP }),
    }));
}

/** App containers and sidecars (restartable init containers) publish ports; run-to-completion init containers do not. */
export function hostPortMappings(pod: Pod): PortMapping[] {
  const sidecars = (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  return [...sidecars, ...pod.spec.containers].flatMap(fromContainer);
}

function validPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** Checks mappings given to the network directly (the API validates pods; this guards every other caller). */
export function validatePortMappings(mappings: readonly PortMapping[]): void {
  const seen = new Set<string>();
  for (const m of mappings) {
    const where = `port mapping ${m.hostPort}->${m.containerPort}/${m.protocol}`;
    if (!validPort(m.hostPort) || !validPort(m.containerPort)) throw new NetworkError('InvalidConfig', `${where}: ports must be 1-65535`);
    if (!['tcp', 'udp', 'sctp'].includes(m.protocol)) throw new NetworkError('InvalidConfig', `${where}: protocol must be tcp, udp or sctp`);
    if (m.hostIP !== undefined && parseIp(m.hostIP) === undefined) throw new NetworkError('InvalidConfig', `${where}: hostIP "${m.hostIP}" is not an IP`);
    const key = `${m.protocol}/${m.hostIP ?? ''}/${m.hostPort}`;
    if (seen.has(key)) throw new NetworkError('InvalidConfig', `${where}: host port ${m.hostPort}/${m.protocol} is mapped twice`);
    seen.add(key);
  }
}
