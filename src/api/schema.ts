// The wire schema of every object podd accepts: one table per Go struct of k8s.io/api/core/v1,
// listing the JSON field names declared in types.ts and their kinds. decode.ts walks it to reject
// unknown fields and wrong types exactly where the apiserver's strict JSON decoder would.
// Go type names are kept so type errors read like encoding/json's.

export type FieldKind =
  | { readonly kind: 'string'; readonly go: string }
  | { readonly kind: 'int'; readonly go: 'int32' | 'int64' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'quantity' }
  | { readonly kind: 'intOrString' }
  | { readonly kind: 'bytes' }
  | { readonly kind: 'object'; readonly schema: ObjectSchema }
  | { readonly kind: 'array'; readonly of: FieldKind }
  | { readonly kind: 'map'; readonly of: FieldKind; readonly go: string };

export interface ObjectSchema {
  /** Go struct name, as encoding/json names it in "Go struct field <Struct>.<path>". */
  readonly go: string;
  readonly fields: Readonly<Record<string, FieldKind>>;
}

const str: FieldKind = { kind: 'string', go: 'string' };
const enm = (go: string): FieldKind => ({ kind: 'string', go: `v1.${go}` });
const i32: FieldKind = { kind: 'int', go: 'int32' };
const i64: FieldKind = { kind: 'int', go: 'int64' };
const bool: FieldKind = { kind: 'bool' };
const qty: FieldKind = { kind: 'quantity' };
const intstr: FieldKind = { kind: 'intOrString' };
const obj = (go: string, fields: Record<string, FieldKind>): FieldKind => ({ kind: 'object', schema: { go, fields } });
const arr = (of: FieldKind): FieldKind => ({ kind: 'array', of });
const strMap: FieldKind = { kind: 'map', of: str, go: 'map[string]string' };
const resourceList: FieldKind = { kind: 'map', of: qty, go: 'v1.ResourceList' };
const strs = arr(str);

export function goTypeName(k: FieldKind): string {
  switch (k.kind) {
    case 'string': return k.go;
    case 'int': return k.go;
    case 'bool': return 'bool';
    case 'quantity': return 'resource.Quantity';
    case 'intOrString': return 'intstr.IntOrString';
    case 'bytes': return '[]uint8';
    case 'object': return `v1.${k.schema.go}`;
    case 'array': return `[]${goTypeName(k.of)}`;
    case 'map': return k.go;
  }
}

const objectMeta = obj('ObjectMeta', {
  name: str, generateName: str, namespace: str, uid: enm('UID'), resourceVersion: str, generation: i64,
  creationTimestamp: enm('Time'), deletionTimestamp: enm('Time'), deletionGracePeriodSeconds: i64,
  labels: strMap, annotations: strMap,
});

const keySelector = (go: string): FieldKind => obj(go, { name: str, key: str, optional: bool });
const envVarSource = obj('EnvVarSource', {
  secretKeyRef: keySelector('SecretKeySelector'),
  configMapKeyRef: keySelector('ConfigMapKeySelector'),
  fieldRef: obj('ObjectFieldSelector', { apiVersion: str, fieldPath: str }),
  resourceFieldRef: obj('ResourceFieldSelector', { containerName: str, resource: str, divisor: qty }),
});
const envVar = obj('EnvVar', { name: str, value: str, valueFrom: envVarSource });
const envFromSource = obj('EnvFromSource', {
  prefix: str,
  secretRef: obj('SecretEnvSource', { name: str, optional: bool }),
  configMapRef: obj('ConfigMapEnvSource', { name: str, optional: bool }),
});
const volumeMount = obj('VolumeMount', {
  name: str, mountPath: str, readOnly: bool, subPath: str, subPathExpr: str, mountPropagation: enm('MountPropagationMode'),
});
const containerPort = obj('ContainerPort', { name: str, containerPort: i32, hostPort: i32, hostIP: str, protocol: enm('Protocol') });
const execAction = obj('ExecAction', { command: strs });
const httpGet = obj('HTTPGetAction', {
  path: str, port: intstr, host: str, scheme: enm('URIScheme'),
  httpHeaders: arr(obj('HTTPHeader', { name: str, value: str })),
});
const tcpSocket = obj('TCPSocketAction', { port: intstr, host: str });
const grpc = obj('GRPCAction', { port: i32, service: str });
const probe = obj('Probe', {
  exec: execAction, httpGet, tcpSocket, grpc,
  initialDelaySeconds: i32, timeoutSeconds: i32, periodSeconds: i32, successThreshold: i32, failureThreshold: i32,
  terminationGracePeriodSeconds: i64,
});
const lifecycleHandler = obj('LifecycleHandler', {
  exec: execAction, httpGet, tcpSocket, sleep: obj('SleepAction', { seconds: i64 }),
});
const seccompProfile = obj('SeccompProfile', { type: enm('SeccompProfileType'), localhostProfile: str });
const securityContext = obj('SecurityContext', {
  capabilities: obj('Capabilities', { add: arr(enm('Capability')), drop: arr(enm('Capability')) }),
  privileged: bool, runAsUser: i64, runAsGroup: i64, runAsNonRoot: bool, readOnlyRootFilesystem: bool,
  allowPrivilegeEscalation: bool, procMount: enm('ProcMountType'), seccompProfile,
});
const container = obj('Container', {
  name: str, image: str, command: strs, args: strs, workingDir: str,
  ports: arr(containerPort), env: arr(envVar), envFrom: arr(envFromSource),
  resources: obj('ResourceRequirements', { requests: resourceList, limits: resourceList }),
  volumeMounts: arr(volumeMount),
  livenessProbe: probe, readinessProbe: probe, startupProbe: probe,
  lifecycle: obj('Lifecycle', { postStart: lifecycleHandler, preStop: lifecycleHandler, stopSignal: enm('Signal') }),
  terminationMessagePath: str, terminationMessagePolicy: enm('TerminationMessagePolicy'),
  imagePullPolicy: enm('PullPolicy'), securityContext, restartPolicy: enm('ContainerRestartPolicy'),
  stdin: bool, stdinOnce: bool, tty: bool,
});
const keyToPath = obj('KeyToPath', { key: str, path: str, mode: i32 });
const volume = obj('Volume', {
  name: str,
  emptyDir: obj('EmptyDirVolumeSource', { medium: enm('StorageMedium'), sizeLimit: qty }),
  hostPath: obj('HostPathVolumeSource', { path: str, type: enm('HostPathType') }),
  secret: obj('SecretVolumeSource', { secretName: str, items: arr(keyToPath), defaultMode: i32, optional: bool }),
  configMap: obj('ConfigMapVolumeSource', { name: str, items: arr(keyToPath), defaultMode: i32, optional: bool }),
});
const toleration = obj('Toleration', {
  key: str, operator: enm('TolerationOperator'), value: str, effect: enm('TaintEffect'), tolerationSeconds: i64,
});
const podSpec = obj('PodSpec', {
  initContainers: arr(container), containers: arr(container), volumes: arr(volume),
  restartPolicy: enm('RestartPolicy'), terminationGracePeriodSeconds: i64, activeDeadlineSeconds: i64,
  dnsPolicy: enm('DNSPolicy'),
  dnsConfig: obj('PodDNSConfig', {
    nameservers: strs, searches: strs, options: arr(obj('PodDNSConfigOption', { name: str, value: str })),
  }),
  nodeSelector: strMap, nodeName: str, serviceAccountName: str, automountServiceAccountToken: bool,
  hostNetwork: bool, hostPID: bool, hostIPC: bool, shareProcessNamespace: bool,
  securityContext: obj('PodSecurityContext', {
    runAsUser: i64, runAsGroup: i64, runAsNonRoot: bool, fsGroup: i64, supplementalGroups: arr(i64),
    sysctls: arr(obj('Sysctl', { name: str, value: str })), seccompProfile,
  }),
  imagePullSecrets: arr(obj('LocalObjectReference', { name: str })),
  hostname: str, subdomain: str,
  hostAliases: arr(obj('HostAlias', { ip: str, hostnames: strs })),
  schedulerName: str, tolerations: arr(toleration), enableServiceLinks: bool, priority: i32,
  readinessGates: arr(obj('PodReadinessGate', { conditionType: enm('PodConditionType') })),
});

const time = enm('Time');
const containerState = obj('ContainerState', {
  waiting: obj('ContainerStateWaiting', { reason: str, message: str }),
  running: obj('ContainerStateRunning', { startedAt: time }),
  terminated: obj('ContainerStateTerminated', {
    exitCode: i32, signal: i32, reason: str, message: str, startedAt: time, finishedAt: time, containerID: str,
  }),
});
const containerStatus = obj('ContainerStatus', {
  name: str, state: containerState, lastState: containerState, ready: bool, restartCount: i32,
  image: str, imageID: str, containerID: str, started: bool,
});
const podIP = obj('PodIP', { ip: str });
const podStatus = obj('PodStatus', {
  phase: enm('PodPhase'),
  conditions: arr(obj('PodCondition', {
    type: enm('PodConditionType'), status: enm('ConditionStatus'), lastProbeTime: time, lastTransitionTime: time,
    reason: str, message: str,
  })),
  message: str, reason: str, hostIP: str, hostIPs: arr(obj('HostIP', { ip: str })), podIP: str, podIPs: arr(podIP),
  startTime: time, initContainerStatuses: arr(containerStatus), containerStatuses: arr(containerStatus),
  qosClass: enm('PodQOSClass'),
});

const typeMeta = { apiVersion: str, kind: str };

export const podSchema: ObjectSchema = {
  go: 'Pod',
  fields: { ...typeMeta, metadata: objectMeta, spec: podSpec, status: podStatus },
};

export const secretSchema: ObjectSchema = {
  go: 'Secret',
  fields: {
    ...typeMeta, metadata: objectMeta, type: enm('SecretType'),
    data: { kind: 'map', of: { kind: 'bytes' }, go: 'map[string][]uint8' },
    stringData: strMap, immutable: bool,
  },
};

export const configMapSchema: ObjectSchema = {
  go: 'ConfigMap',
  fields: {
    ...typeMeta, metadata: objectMeta, data: strMap,
    binaryData: { kind: 'map', of: { kind: 'bytes' }, go: 'map[string][]uint8' }, immutable: bool,
  },
};
