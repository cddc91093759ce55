// Pure generation of runc's config.json for the pause sandbox and for containers that join it.
import type { Capabilities, SecurityContext } from '../../api/types.js';
import {
  ALL_CAPABILITIES, DEFAULT_CAPABILITIES, DEFAULT_DEVICE_RULES, DEFAULT_RLIMITS, MASKED_PATHS, READONLY_PATHS, baseMounts,
} from './defaults.js';
import type { OciCapabilities, OciLinuxResources, OciMount, OciNamespace, OciSpec, SandboxNamespaces } from './types.js';

const OCI_VERSION = '1.0.2';

export interface SandboxSpecInput {
  /** Directory holding the pause binary at /pause. */
  rootfs: string;
  hostname: string;
  /** shareProcessNamespace: pause becomes PID 1 of the namespace every container joins. */
  sharePid: boolean;
  cgroupsPath: string;
  annotations: Record<string, string>;
  /** Existing network namespace to join (a pinned netns); a new one when absent. */
  networkNamespace?: string;
  /** hostNetwork: pause stays in the host's network and UTS namespaces, as the kubelet's NamespaceMode_NODE. */
  hostNetwork?: boolean;
}

export function sandboxSpec(input: SandboxSpecInput): OciSpec {
  const host = input.hostNetwork === true;
  const namespaces: OciNamespace[] = [
    { type: 'pid' },
    ...(host ? [] : [input.networkNamespace !== undefined ? { type: 'network' as const, path: input.networkNamespace } : { type: 'network' as const }]),
    { type: 'ipc' },
    ...(host ? [] : [{ type: 'uts' as const }]),
    { type: 'mount' },
  ];
  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: false,
      user: { uid: 65535, gid: 65535 },
      args: ['/pause'],
      env: ['PATH=/'],
      cwd: '/',
      capabilities: capabilitySet([]),
      rlimits: DEFAULT_RLIMITS,
      noNewPrivileges: true,
    },
    root: { path: input.rootfs, readonly: true },
    // runc sets a hostname only in a UTS namespace of the container's own
    ...(host ? {} : { hostname: input.hostname }),
    mounts: baseMounts(true).filter((m) => m.destination === '/proc' || m.destination === '/dev'),
    annotations: input.annotations,
    linux: {
      namespaces,
      resources: { devices: DEFAULT_DEVICE_RULES, cpu: { shares: 2 } },
      cgroupsPath: input.cgroupsPath,
      maskedPaths: [...MASKED_PATHS],
      readonlyPaths: [...READONLY_PATHS],
    },
  };
}

export interface ContainerUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

export interface ContainerLimits {
  /** Bytes. */
  memory?: number;
  /** Cores (0.5 = 500m). */
  cpuLimit?: number;
  /** Cores requested, for cpu.shares. */
  cpuRequest?: number;
  pids?: number;
}

export interface ContainerSpecInput {
  rootfs: string;
  args: string[];
  env: string[];
  cwd: string;
  user: ContainerUser;
  namespaces: SandboxNamespaces;
  /** Volume, /etc/hosts, resolv.conf ... binds, already resolved to host paths. */
  mounts: OciMount[];
  securityContext: SecurityContext;
  limits: ContainerLimits;
  cgroupsPath: string;
  annotations: Record<string, string>;
  tty: boolean;
  /** What the runtime itself holds (its bounding set); a container can never get more. */
  hostCapabilities?: readonly string[];
}

const CPU_PERIOD_US = 100_000;
const MIN_SHARES = 2;
const MAX_SHARES = 262_144;

/** The kubelet's milliCPU → shares and limit → CFS quota conversions. */
export function cpuResources(limits: ContainerLimits): OciLinuxResources['cpu'] | undefined {
  const cpu: { shares?: number; quota?: number; period?: number } = {};
  if (limits.cpuRequest !== undefined || limits.cpuLimit !== undefined) {
    const request = limits.cpuRequest ?? limits.cpuLimit ?? 0;
    cpu.shares = Math.min(MAX_SHARES, Math.max(MIN_SHARES, Math.floor((request * 1000 * 1024) / 1000)));
  }
  if (limits.cpuLimit !== undefined) {
    cpu.period = CPU_PERIOD_US;
    cpu.quota = Math.max(1000, Math.floor(limits.cpuLimit * CPU_PERIOD_US));
  }
  return Object.keys(cpu).length > 0 ? cpu : undefined;
}

function capabilitySet(caps: readonly string[]): OciCapabilities {
  const list = [...caps];
  return { bounding: list, effective: [...list], permitted: [...list] };
}

function normalizeCap(name: string): string {
  const upper = name.toUpperCase();
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/**
 * Capabilities as the CRI runtimes compute them: default set, then drop (ALL first), then add (ALL first);
 * privileged and ALL mean every capability the runtime itself holds (`host`), as containerd grants them.
 */
export function effectiveCapabilities(privileged: boolean, caps: Capabilities | undefined, host: readonly string[] = ALL_CAPABILITIES): string[] {
  const held = new Set(host);
  if (privileged) return ALL_CAPABILITIES.filter((c) => held.has(c));
  let set = new Set(DEFAULT_CAPABILITIES);
  const drop = (caps?.drop ?? []).map(normalizeCap);
  const add = (caps?.add ?? []).map(normalizeCap);
  if (drop.includes('CAP_ALL')) set = new Set();
  for (const c of drop) set.delete(c);
  if (add.includes('CAP_ALL')) set = new Set(ALL_CAPABILITIES);
  for (const c of add) if (c !== 'CAP_ALL') set.add(c);
  return [...set].filter((c) => held.has(c));
}

function namespacesFor(ns: SandboxNamespaces): OciNamespace[] {
  return [
    ns.pid !== undefined ? { type: 'pid', path: ns.pid } : { type: 'pid' },
    { type: 'network', path: ns.network },
    { type: 'ipc', path: ns.ipc },
    { type: 'uts', path: ns.uts },
    { type: 'mount' },
  ];
}

export function containerSpec(input: ContainerSpecInput): OciSpec {
  const sc = input.securityContext;
  const privileged = sc.privileged === true;
  const resources: OciLinuxResources = {
    devices: privileged ? [{ allow: true, access: 'rwm' }] : DEFAULT_DEVICE_RULES,
  };
  if (input.limits.memory !== undefined) resources.memory = { limit: input.limits.memory, swap: input.limits.memory };
  const cpu = cpuResources(input.limits);
  if (cpu !== undefined) resources.cpu = cpu;
  if (input.limits.pids !== undefined) resources.pids = { limit: input.limits.pids };

  // Later mounts win over earlier ones at the same destination, as in containerd.
  const userDestinations = new Set(input.mounts.map((m) => m.destination));
  const mounts = [...baseMounts(!privileged).filter((m) => !userDestinations.has(m.destination)), ...input.mounts];

  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: input.tty,
      user: input.user.additionalGids.length > 0
        ? { uid: input.user.uid, gid: input.user.gid, additionalGids: input.user.additionalGids }
        : { uid: input.user.uid, gid: input.user.gid },
      args: input.args,
      env: input.env,
      cwd: input.cwd,
      capabilities: capabilitySet(effectiveCapabilities(privileged, sc.capabilities, input.hostCapabilities)),
      rlimits: DEFAULT_RLIMITS,
      // The issue asks for no_new_privs by default; allowPrivilegeEscalation: true (or privileged) lifts it.
      noNewPrivileges: !(sc.allowPrivilegeEscalation === true || privileged),
    },
    // No hostname: the container joins the sandbox's UTS namespace, which carries it (runc refuses both).
    root: { path: input.rootfs, readonly: sc.readOnlyRootFilesystem === true },
    mounts,
    annotations: input.annotations,
    linux: {
      namespaces: namespacesFor(input.namespaces),
      resources,
      cgroupsPath: input.cgroupsPath,
      maskedPaths: privileged ? [] : [...MASKED_PATHS],
      readonlyPaths: privileged ? [] : [...READONLY_PATHS],
    },
  };
}
