// Reason and message strings the kubelet writes into pod status. Clients (kubectl, controllers) match on them.

export const PodInitializing = 'PodInitializing';
export const ContainerCreating = 'ContainerCreating';
export const ContainerStatusUnknown = 'ContainerStatusUnknown';
export const Completed = 'Completed';
export const ErrorReason = 'Error';

export const MsgUnknownWhileTerminated = 'The container could not be located when the pod was terminated';
// (sic) the kubelet's message has two spaces after the first sentence
export const MsgMissingPreviouslyRunning =
  'The container could not be located when the pod was deleted.  The container used to be Running';
export const MsgInitAssumedCompleted =
  'Unable to get init container status from container runtime and pod has been initialized, treat it as exited normally';

// condition reasons (pkg/kubelet/status/generate.go)
export const UnknownContainerStatuses = 'UnknownContainerStatuses';
export const PodCompleted = 'PodCompleted';
export const PodFailed = 'PodFailed';
export const ContainersNotReady = 'ContainersNotReady';
export const ContainersNotInitialized = 'ContainersNotInitialized';
export const ReadinessGatesNotReady = 'ReadinessGatesNotReady';

/** The runtime name in `containerID` (`<runtime>://<id>`), as containerd reports `containerd://`. */
export const RUNTIME_NAME = 'runc';
