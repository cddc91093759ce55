// The subset of the OCI runtime spec (config.json) podd generates. Field names are the spec's.

export interface OciMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface OciNamespace {
  type: 'pid' | 'network' | 'ipc' | 'uts' | 'mount' | 'user' | 'cgroup';
  path?: string;
}

export interface OciCapabilities {
  bounding: string[];
  effective: string[];
  permitted: string[];
  ambient?: string[];
}

export interface OciProcess {
  terminal: boolean;
  user: { uid: number; gid: number; additionalGids?: number[] };
  args: string[];
  env: string[];
  cwd: string;
  capabilities: OciCapabilities;
  rlimits: { type: string; hard: number; soft: number }[];
  noNewPrivileges: boolean;
  oomScoreAdj?: number;
}

export interface OciLinuxResources {
  devices: { allow: boolean; access: string; type?: string; major?: number; minor?: number }[];
  memory?: { limit?: number; swap?: number };
  cpu?: { shares?: number; quota?: number; period?: number };
  pids?: { limit: number };
}

export interface OciSpec {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly: boolean };
  hostname?: string;
  mounts: OciMount[];
  annotations?: Record<string, string>;
  linux: {
    namespaces: OciNamespace[];
    resources: OciLinuxResources;
    cgroupsPath: string;
    maskedPaths: string[];
    readonlyPaths: string[];
    sysctl?: Record<string, string>;
  };
}

/** Namespace paths of a running sandbox, for containers that join it (libpod's infra-namespace helper). */
export interface SandboxNamespaces {
  network: string;
  ipc: string;
  uts: string;
  /** Set only with shareProcessNamespace: true. */
  pid?: string;
}

export function sandboxNamespacePaths(pausePid: number, sharePid: boolean): SandboxNamespaces {
  const ns = (t: string): string => `/proc/${pausePid}/ns/${t}`;
  return sharePid ? { network: ns('net'), ipc: ns('ipc'), uts: ns('uts'), pid: ns('pid') } : { network: ns('net'), ipc: ns('ipc'), uts: ns('uts') };
}
