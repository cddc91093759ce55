// Builds the planner's view of a pod (kubecontainer.PodStatus) from podd's own records of the instances it made.
import type { ObservedContainer, ObservedSandbox, PodRuntimeStatus, RuntimeContainerState } from '../core/pod-runtime.js';
import type { InstanceMeta } from '../runtime/oci/container-runtime.js';

export interface TrackedInstance {
  meta: InstanceMeta;
  state: RuntimeContainerState;
  /** Its runtime container was removed (pruned); the record stays, as podd's memory of what ran. */
  removed?: boolean;
}

function toContainer(t: TrackedInstance): ObservedContainer {
  const m = t.meta;
  const c: ObservedContainer = {
    id: m.id,
    name: m.name,
    kind: m.role === 'init' ? 'init' : 'app',
    sandboxId: m.sandboxId,
    restartCount: m.restartCount,
    state: t.state,
    createdAt: m.createdAt,
    specHash: m.specHash,
    image: m.image,
    imageId: m.imageId,
  };
  if (m.startedAt !== undefined) c.startedAt = m.startedAt;
  if (m.finishedAt !== undefined) c.finishedAt = m.finishedAt;
  if (m.exitCode !== undefined) c.exitCode = m.exitCode;
  if (m.reason !== undefined) c.reason = m.reason;
  return c;
}

function toSandbox(t: TrackedInstance): ObservedSandbox {
  const ip = t.meta.ips?.[0];
  return { id: t.meta.id, attempt: t.meta.attempt, state: t.state === 'running' ? 'ready' : 'notready', createdAt: t.meta.createdAt, ...(ip === undefined ? {} : { ip }) };
}

/**
 * Init container instances of older sandboxes are left out, as the kubelet's purgeInitContainers removes them:
 * a new sandbox runs every init container again. podd keeps them on disk for logs and the timeline.
 */
export function podRuntimeView(instances: Iterable<TrackedInstance>): PodRuntimeStatus {
  const all = [...instances];
  const sandboxes = all.filter((t) => t.meta.role === 'sandbox').map(toSandbox);
  const latest = sandboxes.reduce<ObservedSandbox | undefined>((best, s) => (!best || s.attempt > best.attempt ? s : best), undefined);
  const containers = all
    .filter((t) => t.meta.role !== 'sandbox')
    .filter((t) => t.meta.role !== 'init' || latest === undefined || t.meta.sandboxId === latest.id)
    .map(toContainer);
  return { sandboxes, containers };
}
