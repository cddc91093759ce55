// Request bodies in the Kubernetes protobuf encoding (`application/vnd.kubernetes.protobuf`), which kubectl's
// generators (`kubectl create configmap|secret|namespace|service`) send. The envelope is the magic "k8s\0" followed by a
// runtime.Unknown whose `raw` is the object's generated protobuf. The schema below is a transcription of the
// few messages podd decodes, with the field numbers of k8s.io/api/core/v1 and k8s.io/apimachinery's
// generated.proto (proto2, so presence is on the wire). The result is the object's JSON form, as the
// apiserver would have serialized the same Go value (omitempty: empty strings, zero numbers, nil times dropped).

import protobuf from 'protobufjs';
import type { Message, Type } from 'protobufjs';
import { formatRfc3339 } from '../../core/time.js';

const SCHEMA = `
syntax = "proto2";
package podd;

message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
message Unknown {
  optional TypeMeta typeMeta = 1;
  optional bytes raw = 2;
  optional string contentEncoding = 3;
  optional string contentType = 4;
}

message Time { optional int64 seconds = 1; optional int32 nanos = 2; }
message FieldsV1 { optional bytes Raw = 1; }
message ManagedFieldsEntry {
  optional string manager = 1;
  optional string operation = 2;
  optional string apiVersion = 3;
  optional Time time = 4;
  optional string fieldsType = 6;
  optional FieldsV1 fieldsV1 = 7;
  optional string subresource = 8;
}
message OwnerReference {
  optional string kind = 1;
  optional string name = 3;
  optional string uid = 4;
  optional string apiVersion = 5;
  optional bool controller = 6;
  optional bool blockOwnerDeletion = 7;
}
message ObjectMeta {
  optional string name = 1;
  optional string generateName = 2;
  optional string namespace = 3;
  optional string selfLink = 4;
  optional string uid = 5;
  optional string resourceVersion = 6;
  optional int64 generation = 7;
  optional Time creationTimestamp = 8;
  optional Time deletionTimestamp = 9;
  optional int64 deletionGracePeriodSeconds = 10;
  map<string, string> labels = 11;
  map<string, string> annotations = 12;
  repeated OwnerReference ownerReferences = 13;
  repeated string finalizers = 14;
  repeated ManagedFieldsEntry managedFields = 17;
}

message ConfigMap {
  optional ObjectMeta metadata = 1;
  map<string, string> data = 2;
  map<string, bytes> binaryData = 3;
  optional bool immutable = 4;
}
message Secret {
  optional ObjectMeta metadata = 1;
  map<string, bytes> data = 2;
  optional string type = 3;
  map<string, string> stringData = 4;
  optional bool immutable = 5;
}
message IntOrString { optional int64 type = 1; optional int32 intVal = 2; optional string strVal = 3; }
message ServicePort {
  optional string name = 1;
  optional string protocol = 2;
  optional int32 port = 3;
  optional IntOrString targetPort = 4;
  optional int32 nodePort = 5;
  optional string appProtocol = 6;
}
message ClientIPConfig { optional int32 timeoutSeconds = 1; }
message SessionAffinityConfig { optional ClientIPConfig clientIP = 1; }
message ServiceSpec {
  repeated ServicePort ports = 1;
  map<string, string> selector = 2;
  optional string clusterIP = 3;
  optional string type = 4;
  repeated string externalIPs = 5;
  optional string sessionAffinity = 7;
  optional string loadBalancerIP = 8;
  repeated string loadBalancerSourceRanges = 9;
  optional string externalName = 10;
  optional string externalTrafficPolicy = 11;
  optional int32 healthCheckNodePort = 12;
  optional bool publishNotReadyAddresses = 13;
  optional SessionAffinityConfig sessionAffinityConfig = 14;
  optional string ipFamilyPolicy = 17;
  repeated string clusterIPs = 18;
  repeated string ipFamilies = 19;
  optional bool allocateLoadBalancerNodePorts = 20;
  optional string loadBalancerClass = 21;
  optional string internalTrafficPolicy = 22;
  optional string trafficDistribution = 23;
}
message Service {
  optional ObjectMeta metadata = 1;
  optional ServiceSpec spec = 2;
}
message NamespaceSpec { repeated string finalizers = 1; }
message NamespaceStatus { optional string phase = 1; }
message Namespace {
  optional ObjectMeta metadata = 1;
  optional NamespaceSpec spec = 2;
  optional NamespaceStatus status = 3;
}
`;

const root = protobuf.parse(SCHEMA, { keepCase: true }).root;
const type = (name: string): Type => root.lookupType(`podd.${name}`);
const UNKNOWN = type('Unknown');

/** core/v1 kinds podd can decode from protobuf, by kind. */
const KINDS: Readonly<Record<string, Type>> = {
  ConfigMap: type('ConfigMap'), Secret: type('Secret'), Namespace: type('Namespace'), Service: type('Service'),
};

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = [0x6b, 0x38, 0x73, 0x00];

/** The body is not a Kubernetes protobuf envelope, or its object does not decode. */
export class ProtobufDecodeError extends Error {}

/** A well-formed envelope holding a kind podd has no protobuf schema for (the caller answers 415). */
export class UnsupportedProtobufKindError extends Error {
  constructor(readonly apiVersion: string, readonly kind: string) {
    super(`no protobuf decoding for ${kind} in version "${apiVersion}"`);
  }
}

type Json = Record<string, unknown>;

/** Decodes a protobuf request body into the object's JSON form, with apiVersion and kind from the envelope. */
export function decodeProtobufObject(body: Uint8Array): Json {
  if (body.length < MAGIC.length || MAGIC.some((b, i) => body[i] !== b)) {
    throw new ProtobufDecodeError('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  }
  const unknown = decode(UNKNOWN, body.subarray(MAGIC.length), true);
  const typeMeta = (unknown['typeMeta'] ?? {}) as Json;
  const apiVersion = str(typeMeta['apiVersion']);
  const kind = str(typeMeta['kind']);
  const encoding = str(unknown['contentEncoding']);
  const contentType = str(unknown['contentType']);
  if (encoding !== '') throw new ProtobufDecodeError(`unsupported protobuf content encoding "${encoding}"`);
  if (contentType !== '' && contentType !== PROTOBUF_MEDIA_TYPE) throw new ProtobufDecodeError(`unsupported nested content type "${contentType}"`);
  const schema = apiVersion === 'v1' ? KINDS[kind] : undefined;
  if (schema === undefined) throw new UnsupportedProtobufKindError(apiVersion, kind);
  const raw = unknown['raw'];
  const fields = decode(schema, raw instanceof Uint8Array ? raw : new Uint8Array());
  return { apiVersion, kind, ...toJson(kind, fields) };
}

/** Only fields present on the wire (proto2); int64 as numbers; bytes as base64 (their JSON form) unless `rawBytes`. */
function decode(t: Type, bytes: Uint8Array, rawBytes = false): Json {
  let message: Message;
  try {
    message = t.decode(bytes);
  } catch (err) {
    throw new ProtobufDecodeError(`cannot decode ${t.name}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return t.toObject(message, { longs: Number, ...(rawBytes ? {} : { bytes: String }), defaults: false, arrays: false, objects: false }) as Json;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function nonEmptyMap(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && Object.keys(v).length > 0 ? v as Json : undefined;
}

function put(out: Json, key: string, v: unknown): void {
  if (v === undefined || v === '' || v === 0) return;
  if (Array.isArray(v) && v.length === 0) return;
  out[key] = v;
}

/** metav1.Time: seconds since the epoch to RFC 3339 (second precision); the zero time is omitted. */
function time(v: unknown): string | undefined {
  const seconds = typeof v === 'object' && v !== null ? (v as Json)['seconds'] : undefined;
  if (typeof seconds !== 'number' || seconds === 0) return undefined;
  return formatRfc3339(seconds * 1000);
}

function base64ToText(b64: string): string {
  const bin = atob(b64);
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

function objectMeta(m: Json): Json {
  const out: Json = {};
  for (const k of ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation']) put(out, k, m[k]);
  put(out, 'creationTimestamp', time(m['creationTimestamp']));
  put(out, 'deletionTimestamp', time(m['deletionTimestamp']));
  put(out, 'deletionGracePeriodSeconds', m['deletionGracePeriodSeconds']);
  put(out, 'labels', nonEmptyMap(m['labels']));
  put(out, 'annotations', nonEmptyMap(m['annotations']));
  put(out, 'ownerReferences', m['ownerReferences']);
  put(out, 'finalizers', m['finalizers']);
  const managed = m['managedFields'];
  if (Array.isArray(managed)) {
    put(out, 'managedFields', managed.map((e: Json) => {
      const entry: Json = {};
      for (const k of ['manager', 'operation', 'apiVersion']) put(entry, k, e[k]);
      put(entry, 'time', time(e['time']));
      put(entry, 'fieldsType', e['fieldsType']);
      const raw = (e['fieldsV1'] as Json | undefined)?.['Raw'];
      if (typeof raw === 'string' && raw !== '') {
        try {
          entry['fieldsV1'] = JSON.parse(base64ToText(raw)) as unknown;
        } catch {
          throw new ProtobufDecodeError('managedFields: fieldsV1 is not JSON');
        }
      }
      put(entry, 'subresource', e['subresource']);
      return entry;
    }));
  }
  return out;
}

/** intstr.IntOrString: type 1 is the string form. */
function intOrString(v: unknown): number | string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Json;
  if (o['type'] === 1) return str(o['strVal']);
  return typeof o['intVal'] === 'number' ? o['intVal'] : 0;
}

function serviceSpec(f: Json): Json {
  const out: Json = {};
  const ports = f['ports'];
  if (Array.isArray(ports)) {
    put(out, 'ports', ports.map((p: Json) => {
      const port: Json = {};
      put(port, 'name', p['name']);
      put(port, 'protocol', p['protocol']);
      if (typeof p['appProtocol'] === 'string') port['appProtocol'] = p['appProtocol'];
      port['port'] = typeof p['port'] === 'number' ? p['port'] : 0;
      put(port, 'targetPort', intOrString(p['targetPort']));
      put(port, 'nodePort', p['nodePort']);
      return port;
    }));
  }
  put(out, 'selector', nonEmptyMap(f['selector']));
  for (const k of ['clusterIP', 'clusterIPs', 'type', 'externalIPs', 'sessionAffinity', 'loadBalancerIP', 'loadBalancerSourceRanges',
    'externalName', 'externalTrafficPolicy', 'healthCheckNodePort', 'ipFamilies']) put(out, k, f[k]);
  if (f['publishNotReadyAddresses'] === true) out['publishNotReadyAddresses'] = true;
  const affinity = f['sessionAffinityConfig'] as Json | undefined;
  if (affinity !== undefined) {
    const clientIP = affinity['clientIP'] as Json | undefined;
    out['sessionAffinityConfig'] = clientIP === undefined ? {} : { clientIP: typeof clientIP['timeoutSeconds'] === 'number' ? { timeoutSeconds: clientIP['timeoutSeconds'] } : {} };
  }
  // Pointers in Go: present when on the wire.
  for (const k of ['ipFamilyPolicy', 'loadBalancerClass', 'internalTrafficPolicy', 'trafficDistribution', 'allocateLoadBalancerNodePorts']) {
    if (f[k] !== undefined) out[k] = f[k];
  }
  return out;
}

function toJson(kind: string, f: Json): Json {
  const out: Json = { metadata: objectMeta((f['metadata'] ?? {}) as Json) };
  switch (kind) {
    case 'ConfigMap':
      put(out, 'data', nonEmptyMap(f['data']));
      put(out, 'binaryData', nonEmptyMap(f['binaryData']));
      break;
    case 'Secret':
      put(out, 'data', nonEmptyMap(f['data']));
      put(out, 'stringData', nonEmptyMap(f['stringData']));
      put(out, 'type', f['type']);
      break;
    case 'Service':
      out['spec'] = serviceSpec((f['spec'] ?? {}) as Json);
      break;
    case 'Namespace': {
      const spec = (f['spec'] ?? {}) as Json;
      const status = (f['status'] ?? {}) as Json;
      out['spec'] = {};
      put(out['spec'] as Json, 'finalizers', spec['finalizers']);
      out['status'] = {};
      put(out['status'] as Json, 'phase', status['phase']);
      break;
    }
  }
  // *bool: present (even false) when it was on the wire.
  if (typeof f['immutable'] === 'boolean') out['immutable'] = f['immutable'];
  return out;
}
