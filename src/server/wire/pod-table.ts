// `kubectl get pods` as a server-side Table: printPod's columns and cells (READY/STATUS/RESTARTS from
// podStatusString, AGE from creationTimestamp, and the wide IP/Node/Nominated Node/Readiness Gates).

import type { Pod } from '../../api/types.js';
import { podStatusString } from '../../core/status/pod-status-string.js';
import { age, column, ageColumn, metadataTable, nameColumn } from './table.js';
import type { KindColumns, Table, TableOptions, TableRowCondition } from './table.js';

export const podColumns: KindColumns<Pod> = {
  columns: [
    nameColumn,
    column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageColumn,
    column('IP', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', { priority: 1 }),
    column('Node', 'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for preemption by the scheduler. Once it is set, the pod is bound to this node.', { priority: 1 }),
    column('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.', { priority: 1 }),
    column('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.', { priority: 1 }),
  ],
  cells: (pod, now) => {
    const { ready, status, restarts } = podStatusString(pod, now);
    const ip = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
    const node = pod.spec.nodeName || '<none>';
    return [pod.metadata.name ?? '', ready, status, restarts, age(pod.metadata, now), ip, node, '<none>', readinessGates(pod)];
  },
  conditions: (pod) => {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded') return [{ ...completed, reason: 'Succeeded', message: 'The pod has completed successfully.' }];
    if (phase === 'Failed') return [{ ...completed, reason: 'Failed', message: 'The pod failed.' }];
    return undefined;
  },
};

const completed: TableRowCondition = { type: 'Completed', status: 'True' };

/** `2/3` gates whose condition is True, or `<none>` without readiness gates. */
function readinessGates(pod: Pod): string {
  const gates = pod.spec.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions = pod.status?.conditions ?? [];
  const trueCount = gates.filter((g) => conditions.some((c) => c.type === g.conditionType && c.status === 'True')).length;
  return `${trueCount}/${gates.length}`;
}

export function podTable(pods: readonly Pod[], opts: TableOptions): Table {
  return metadataTable(pods, podColumns, opts);
}
