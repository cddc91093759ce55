// The cluster DNS's data: the store objects it reads (only the fields it needs, read defensively: the Service and
// EndpointSlice kinds are typed elsewhere) and the records it answers with, shaped as dns-packet encodes them.

interface Meta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
}

export interface ServicePortLike { name?: string; port?: number; protocol?: string; targetPort?: number | string }

export interface ServiceLike {
  metadata: Meta;
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    externalName?: string;
    selector?: Record<string, string>;
    ports?: ServicePortLike[];
    publishNotReadyAddresses?: boolean;
  };
}

export interface EndpointPortLike { name?: string; port?: number; protocol?: string }

export interface EndpointSliceLike {
  metadata: Meta;
  addressType?: string;
  endpoints?: {
    addresses?: string[];
    hostname?: string;
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  }[] | null;
  ports?: EndpointPortLike[] | null;
}

export interface EndpointAddressLike { ip?: string; hostname?: string }

export interface EndpointsLike {
  metadata: Meta;
  subsets?: { addresses?: EndpointAddressLike[]; notReadyAddresses?: EndpointAddressLike[]; ports?: EndpointPortLike[] }[];
}

export interface PodLike {
  metadata: Meta;
  spec?: {
    hostname?: string;
    subdomain?: string;
    containers?: { ports?: { name?: string; containerPort?: number; protocol?: string }[] }[];
  };
  status?: {
    phase?: string;
    podIP?: string;
    podIPs?: { ip?: string }[];
    conditions?: { type?: string; status?: string }[];
  };
}

/** What the cluster DNS answers from: the current objects of four resources. */
export interface ClusterObjects {
  services: readonly ServiceLike[];
  endpointSlices: readonly EndpointSliceLike[];
  endpoints: readonly EndpointsLike[];
  pods: readonly PodLike[];
}

export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

interface Rr<T extends string, D> {
  name: string;
  type: T;
  class: 'IN';
  ttl: number;
  data: D;
}

export type ResourceRecord =
  | Rr<'A' | 'AAAA' | 'CNAME' | 'PTR', string>
  | Rr<'SRV', { priority: number; weight: number; port: number; target: string }>
  | Rr<'TXT', string>
  | Rr<'SOA', SoaData>;

export type RecordType = ResourceRecord['type'];

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL';

/** The cluster's answer to one question, or "not ours": forward it to the host's resolvers. */
export type Resolution =
  | {
    kind: 'answer';
    rcode: Rcode;
    answers: ResourceRecord[];
    /** The zone's SOA on NXDOMAIN and on an empty answer (negative caching, RFC 2308). */
    authorities: ResourceRecord[];
    /** A/AAAA of SRV targets. */
    additionals: ResourceRecord[];
    /** An ExternalName's CNAME to a name outside the cluster: resolve this upstream and append the answers. */
    chase?: { name: string; type: string };
  }
  | { kind: 'forward' };
