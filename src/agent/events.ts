// Kubernetes-style events the agent records while it works on a pod (reasons from the kubelet's events package).
export type EventType = 'Normal' | 'Warning';

export interface PodEvent {
  type: EventType;
  reason: string;
  message: string;
  /** spec.containers{app} style, as the kubelet sets involvedObject.fieldPath; '' for the pod itself. */
  fieldPath: string;
  time: number;
}

export type EventSink = (event: PodEvent) => void;

export function containerFieldPath(kind: 'init' | 'app', name: string): string {
  return kind === 'init' ? `spec.initContainers{${name}}` : `spec.containers{${name}}`;
}
