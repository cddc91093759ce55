// The kubelet's PodSandboxChanged (kuberuntime/util): whether the pod needs a new sandbox, with which attempt
// number, and which sandbox id is current.
import type { Pod } from '../../api/types.js';
import { latestSandbox } from '../pod-runtime.js';
import type { PodRuntimeStatus } from '../pod-runtime.js';

export interface SandboxDecision {
  createNew: boolean;
  attempt: number;
  /** The latest sandbox's id, '' when there is none. */
  sandboxId: string;
}

export function podSandboxChanged(_pod: Pod, runtime: PodRuntimeStatus): SandboxDecision {
  const latest = latestSandbox(runtime);
  if (latest === undefined) return { createNew: true, attempt: 0, sandboxId: '' };
  const ready = runtime.sandboxes.filter((s) => s.state === 'ready').length;
  // Two ready sandboxes cannot both own the pod's containers: reconcile by starting over in a new one.
  if (ready > 1) return { createNew: true, attempt: latest.attempt + 1, sandboxId: latest.id };
  // Pause died, or the host rebooted: the old sandbox's namespaces are gone with it.
  if (latest.state !== 'ready') return { createNew: true, attempt: latest.attempt + 1, sandboxId: latest.id };
  // Not yet checked, for want of networking (the kubelet checks both):
  // - the sandbox's network-namespace mode differs from spec.hostNetwork → { true, attempt + 1, '' };
  // - a pod-network sandbox whose network status has no IP → { true, attempt + 1, latest.id }.
  return { createNew: false, attempt: latest.attempt, sandboxId: latest.id };
}
