// The kubelet's activeDeadlineHandler (pkg/kubelet/active_deadline.go): a pod active on the node for
// spec.activeDeadlineSeconds since status.startTime is evicted: its status is Failed with reason DeadlineExceeded,
// and the pod worker kills it. The deadline may be shortened by a pod update.
import type { Pod } from '../../api/types.js';
import { parseRfc3339 } from '../time.js';

export const DEADLINE_EXCEEDED = 'DeadlineExceeded';
export const DEADLINE_EXCEEDED_MESSAGE = 'Pod was active on the node longer than the specified deadline';

/** When the pod's active deadline passes (ms since the epoch); undefined without a deadline or a start time. */
export function activeDeadlineAt(pod: Pod): number | undefined {
  const seconds = pod.spec.activeDeadlineSeconds;
  const start = pod.status?.startTime === undefined ? undefined : parseRfc3339(pod.status.startTime);
  if (seconds === undefined || start === undefined) return undefined;
  return start + seconds * 1000;
}

/** pastActiveDeadline: `now - status.startTime >= activeDeadlineSeconds`. */
export function pastActiveDeadline(pod: Pod, now: number): boolean {
  const at = activeDeadlineAt(pod);
  return at !== undefined && now >= at;
}
