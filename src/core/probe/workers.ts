// Which probe workers a pod needs right now (the kubelet's prober manager AddPod, per container instance): one per
// running instance and probe type its spec declares. App containers and sidecars (init containers with
// restartPolicy: Always) take probes; regular init containers never do (validation forbids them anyway).
import { isSidecar } from '../../api/types.js';
import type { Container, Pod, Probe } from '../../api/types.js';
import { PROBE_TYPES } from './types.js';
import type { ProbeType } from './types.js';

export interface ProbeCandidate {
  id: string;
  name: string;
  role: 'init' | 'app' | 'sandbox';
  state: string;
  startedAt?: number;
}

export interface WantedWorker {
  key: string;
  id: string;
  type: ProbeType;
  kind: 'init' | 'app';
  container: Container;
  probe: Probe;
  startedAt: number;
}

export function workerKey(id: string, type: ProbeType): string {
  return `${id}/${type}`;
}

export function probeOf(c: Container, type: ProbeType): Probe | undefined {
  return type === 'liveness' ? c.livenessProbe : type === 'readiness' ? c.readinessProbe : c.startupProbe;
}

/** The probed spec of an instance: its app container, or its sidecar; undefined for anything else. */
export function probedContainer(pod: Pod, role: ProbeCandidate['role'], name: string): Container | undefined {
  if (role === 'app') return pod.spec.containers.find((c) => c.name === name);
  if (role === 'init') {
    const c = (pod.spec.initContainers ?? []).find((i) => i.name === name);
    return c !== undefined && isSidecar(c) ? c : undefined;
  }
  return undefined;
}

export function wantedWorkers(pod: Pod, instances: Iterable<ProbeCandidate>, skip: ReadonlySet<string> = new Set()): WantedWorker[] {
  const out: WantedWorker[] = [];
  for (const t of instances) {
    if (t.state !== 'running' || t.startedAt === undefined || skip.has(t.id)) continue;
    const container = probedContainer(pod, t.role, t.name);
    if (container === undefined || t.role === 'sandbox') continue;
    for (const type of PROBE_TYPES) {
      const probe = probeOf(container, type);
      if (probe === undefined) continue;
      out.push({ key: workerKey(t.id, type), id: t.id, type, kind: t.role, container, probe, startedAt: t.startedAt });
    }
  }
  return out;
}

/** Started as the prober manager decides it: a running container without a startup probe, or whose probe succeeded. */
export function isContainerStarted(container: Container, startupResult: string | undefined): boolean {
  return container.startupProbe === undefined || startupResult === 'success';
}
