// Which container of a pod `logs` and `exec` mean without -c, as kubectl's podcmd.FindOrDefaultContainerByName.

import type { Pod } from '../../api/types.js';
import { ClientError } from './errors.js';

const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/** kubectl's AllContainerNames: app containers, then init containers marked `(init)`. */
export function allContainerNames(pod: Pod): string {
  return [...pod.spec.containers.map((c) => c.name), ...(pod.spec.initContainers ?? []).map((c) => `${c.name} (init)`)].join(', ');
}

/**
 * The container named `name`, else the annotated default, else the first app container. `notice` gets kubectl's
 * `Defaulted container ...` line when a pod with several containers was defaulted.
 */
export function pickContainer(pod: Pod, name: string | undefined, notice: (line: string) => void): string {
  const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  if (name !== undefined) {
    if (!all.some((c) => c.name === name)) throw new ClientError(`container ${name} is not valid for pod ${pod.metadata.name ?? ''}`);
    return name;
  }
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated !== undefined && all.some((c) => c.name === annotated)) return annotated;
  const first = pod.spec.containers[0]?.name;
  if (first === undefined) throw new ClientError(`pod ${pod.metadata.name ?? ''} does not have a container`);
  if (all.length > 1) notice(`Defaulted container "${first}" out of: ${allContainerNames(pod)}`);
  return first;
}
