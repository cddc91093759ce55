// CNI shapes as podd uses them. Plugin configurations stay raw JSON objects: plugins own their fields, and a
// runtime that re-serialised them through a typed model would drop what it does not know.

export type JsonObject = { [key: string]: unknown };

export interface PluginConf {
  type: string;
  /** Capabilities the plugin declares (`{"portMappings": true}`); only these receive runtimeConfig keys. */
  capabilities: Readonly<Record<string, boolean>>;
  /** The plugin's configuration exactly as written in the conflist. */
  raw: JsonObject;
}

export interface NetConfList {
  cniVersion: string;
  name: string;
  disableCheck: boolean;
  plugins: PluginConf[];
}

export type CniCommand = 'ADD' | 'CHECK' | 'DEL';

/** CONVENTIONS.md port mappings, as the kubelet passes them for hostPort. */
export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  hostIP?: string;
}

/** Values for the well-known capabilities; a plugin receives a key only if it declares the capability. */
export interface RuntimeCapabilities {
  portMappings?: PortMapping[];
}

export interface CniInterface {
  name: string;
  mac?: string;
  sandbox?: string;
}

export interface CniIp {
  address: string;
  gateway?: string;
  interface?: number;
}

export interface CniRoute {
  dst: string;
  gw?: string;
}

/** The parts of a CNI result (0.3.0-1.1.0) that podd reads; the raw JSON is what gets chained and cached. */
export interface CniResult {
  cniVersion: string;
  interfaces: CniInterface[];
  ips: CniIp[];
  routes: CniRoute[];
  raw: JsonObject;
}

/** What the pod engine needs from a sandbox's network: the pod IPs (CIDR prefix removed) and eth0's MAC. */
export interface PodNetworkStatus {
  interfaceName: string;
  ips: string[];
  mac?: string;
}
