// ValidatePodUpdate's mutability rule: only container and init container images, activeDeadlineSeconds,
// terminationGracePeriodSeconds and added tolerations may change; anything else is the apiserver's Forbidden.

import { InvalidError, forbidden } from '../../api/field-errors.js';
import type { Pod } from '../../api/types.js';
import { validateActiveDeadlineUpdate } from '../../api/validate-pod-update.js';
import { jsonEqual } from '../../store/metadata.js';

export const POD_UPDATE_FORBIDDEN = 'pod updates may not change fields other than `spec.containers[*].image`,'
  + '`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),'
  + '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** Throws InvalidError (422) when `next` changes an immutable part of `old`'s spec. */
export function checkPodUpdate(old: Pod, next: Pod): void {
  const name = next.metadata.name ?? '';
  const a = structuredClone(old.spec);
  const b = structuredClone(next.spec);
  if (a.containers.length !== b.containers.length || (a.initContainers ?? []).length !== (b.initContainers ?? []).length) {
    throw new InvalidError('Pod', name, [forbidden('spec.containers', 'pod updates may not add or remove containers')]);
  }
  b.containers.forEach((c, i) => {
    const o = a.containers[i];
    if (o !== undefined && o.image !== undefined) c.image = o.image;
  });
  (b.initContainers ?? []).forEach((c, i) => {
    const o = a.initContainers?.[i];
    if (o !== undefined && o.image !== undefined) c.image = o.image;
  });
  for (const key of ['activeDeadlineSeconds', 'terminationGracePeriodSeconds', 'tolerations'] as const) {
    if (a[key] === undefined) delete b[key];
    else (b as unknown as Record<string, unknown>)[key] = a[key];
  }
  const oldTolerations = old.spec.tolerations ?? [];
  const newTolerations = next.spec.tolerations ?? [];
  const tolerationsOk = oldTolerations.every((t, i) => jsonEqual(t, newTolerations[i]));
  if (!jsonEqual(a, b) || !tolerationsOk) throw new InvalidError('Pod', name, [forbidden('spec', POD_UPDATE_FORBIDDEN)]);
  // activeDeadlineSeconds may be set or shortened, never lengthened or removed.
  const deadline = validateActiveDeadlineUpdate(old.spec, next.spec);
  if (deadline.length > 0) throw new InvalidError('Pod', name, deadline);
}
