// Wire schemas of Service, Endpoints (core/v1) and EndpointSlice (discovery.k8s.io/v1) for strict decoding, with
// the Go struct names encoding/json prints in type errors. Their metadata also takes ownerReferences and
// finalizers: EndpointSlices carry an owner reference to their Service, and reading one back and applying it must
// not fail.
import type { FieldKind, ObjectSchema } from './schema.js';

const str: FieldKind = { kind: 'string', go: 'string' };
const enm = (go: string): FieldKind => ({ kind: 'string', go: `v1.${go}` });
const i32: FieldKind = { kind: 'int', go: 'int32' };
const i64: FieldKind = { kind: 'int', go: 'int64' };
const bool: FieldKind = { kind: 'bool' };
const intstr: FieldKind = { kind: 'intOrString' };
const obj = (go: string, fields: Record<string, FieldKind>): FieldKind => ({ kind: 'object', schema: { go, fields } });
const arr = (of: FieldKind): FieldKind => ({ kind: 'array', of });
const strMap: FieldKind = { kind: 'map', of: str, go: 'map[string]string' };
const strs = arr(str);
const time = enm('Time');

const objectMeta = obj('ObjectMeta', {
  name: str, generateName: str, namespace: str, uid: enm('UID'), resourceVersion: str, generation: i64,
  creationTimestamp: time, deletionTimestamp: time, deletionGracePeriodSeconds: i64,
  labels: strMap, annotations: strMap, finalizers: strs,
  ownerReferences: arr(obj('OwnerReference', {
    apiVersion: str, kind: str, name: str, uid: enm('UID'), controller: bool, blockOwnerDeletion: bool,
  })),
});

const typeMeta = { apiVersion: str, kind: str };

const servicePort = obj('ServicePort', {
  name: str, protocol: enm('Protocol'), appProtocol: str, port: i32, targetPort: intstr, nodePort: i32,
});

const serviceSpec = obj('ServiceSpec', {
  ports: arr(servicePort), selector: strMap, clusterIP: str, clusterIPs: strs, type: enm('ServiceType'),
  externalIPs: strs, sessionAffinity: enm('ServiceAffinity'),
  sessionAffinityConfig: obj('SessionAffinityConfig', { clientIP: obj('ClientIPConfig', { timeoutSeconds: i32 }) }),
  loadBalancerIP: str, loadBalancerSourceRanges: strs, externalName: str,
  externalTrafficPolicy: enm('ServiceExternalTrafficPolicy'), healthCheckNodePort: i32, publishNotReadyAddresses: bool,
  ipFamilies: arr(enm('IPFamily')), ipFamilyPolicy: enm('IPFamilyPolicy'), allocateLoadBalancerNodePorts: bool,
  loadBalancerClass: str, internalTrafficPolicy: enm('ServiceInternalTrafficPolicy'), trafficDistribution: str,
});

const condition = obj('Condition', {
  type: str, status: enm('ConditionStatus'), observedGeneration: i64, lastTransitionTime: time, reason: str, message: str,
});

const serviceStatus = obj('ServiceStatus', {
  loadBalancer: obj('LoadBalancerStatus', {
    ingress: arr(obj('LoadBalancerIngress', {
      ip: str, hostname: str, ipMode: enm('LoadBalancerIPMode'),
      ports: arr(obj('PortStatus', { port: i32, protocol: enm('Protocol'), error: str })),
    })),
  }),
  conditions: arr(condition),
});

export const serviceSchema: ObjectSchema = {
  go: 'Service',
  fields: { ...typeMeta, metadata: objectMeta, spec: serviceSpec, status: serviceStatus },
};

const objectReference = obj('ObjectReference', {
  kind: str, namespace: str, name: str, uid: enm('UID'), apiVersion: str, resourceVersion: str, fieldPath: str,
});
const endpointAddress = obj('EndpointAddress', { ip: str, hostname: str, nodeName: str, targetRef: objectReference });

export const endpointsSchema: ObjectSchema = {
  go: 'Endpoints',
  fields: {
    ...typeMeta, metadata: objectMeta,
    subsets: arr(obj('EndpointSubset', {
      addresses: arr(endpointAddress), notReadyAddresses: arr(endpointAddress),
      ports: arr(obj('EndpointPort', { name: str, port: i32, protocol: enm('Protocol'), appProtocol: str })),
    })),
  },
};

export const endpointSliceSchema: ObjectSchema = {
  go: 'EndpointSlice',
  fields: {
    ...typeMeta, metadata: objectMeta, addressType: enm('AddressType'),
    endpoints: arr(obj('Endpoint', {
      addresses: strs,
      conditions: obj('EndpointConditions', { ready: bool, serving: bool, terminating: bool }),
      hostname: str, targetRef: objectReference, deprecatedTopology: strMap, nodeName: str, zone: str,
      hints: obj('EndpointHints', { forZones: arr(obj('ForZone', { name: str })) }),
    })),
    ports: arr(obj('EndpointPort', { name: str, protocol: enm('Protocol'), port: i32, appProtocol: str })),
  },
};
