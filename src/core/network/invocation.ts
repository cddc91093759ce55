// What each plugin of a chain is given: its stdin configuration and its CNI_* environment (SPEC.md "Parameters",
// "Network Configuration Lists"; CONVENTIONS.md for runtimeConfig and the K8S_* CNI_ARGS).
import { NetworkError } from './errors.js';
import type { CniCommand, JsonObject, NetConfList, RuntimeCapabilities } from './types.js';
import { delTakesPrevResult } from './versions.js';

const CONTAINER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const ARG_KEY_RE = /^[A-Za-z0-9_]+$/;

/** Why `name` cannot be a Linux interface name (the spec's CNI_IFNAME rule), or undefined if it can. */
export function ifNameProblem(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'must not be empty, "." or ".."';
  if (name.length > 15) return 'must be at most 15 characters';
  if (/[/:\s]/.test(name)) return 'must not contain "/", ":" or whitespace';
  return undefined;
}

export function containerIdProblem(id: string): string | undefined {
  return CONTAINER_ID_RE.test(id) ? undefined : 'must be letters, digits, "_", "." or "-", starting with a letter or digit';
}

export interface PluginConfigInput {
  command: CniCommand;
  /** ADD: the previous plugin's result (none for the first). CHECK/DEL: the cached result of the whole ADD. */
  prevResult?: JsonObject;
  capabilities: RuntimeCapabilities;
}

function runtimeConfigFor(declared: Readonly<Record<string, boolean>>, caps: RuntimeCapabilities): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(caps)) {
    if (declared[key] === true && value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * The stdin of plugin `index`: its own configuration with the list's name and cniVersion (the runtime must
 * replace them), runtimeConfig only for capabilities the plugin declares, and prevResult where the spec wants it.
 */
export function pluginConfig(list: NetConfList, index: number, input: PluginConfigInput): JsonObject {
  const plugin = list.plugins[index];
  if (!plugin) throw new RangeError(`plugin index ${index} out of range`);
  const conf: JsonObject = { ...plugin.raw, name: list.name, cniVersion: list.cniVersion };
  const runtimeConfig = runtimeConfigFor(plugin.capabilities, input.capabilities);
  if (Object.keys(runtimeConfig).length > 0) {
    const written = plugin.raw['runtimeConfig'];
    conf['runtimeConfig'] = { ...(typeof written === 'object' && written !== null ? written : {}), ...runtimeConfig };
  }
  const wantsPrev = input.command !== 'DEL' || delTakesPrevResult(list.cniVersion);
  if (wantsPrev && input.prevResult !== undefined) conf['prevResult'] = input.prevResult;
  else delete conf['prevResult'];
  return conf;
}

/** ADD and CHECK run the chain in order, DEL in reverse. */
export function pluginOrder(list: NetConfList, command: CniCommand): number[] {
  const order = list.plugins.map((_, i) => i);
  return command === 'DEL' ? order.reverse() : order;
}

export interface PodIdentity {
  namespace: string;
  name: string;
  uid: string;
  sandboxId: string;
}

/** The kubelet's CNI_ARGS; IgnoreUnknown=1 keeps plugins that parse CNI_ARGS strictly from refusing the K8S_ keys. */
export function podCniArgs(pod: PodIdentity): [string, string][] {
  return [
    ['IgnoreUnknown', '1'],
    ['K8S_POD_NAMESPACE', pod.namespace],
    ['K8S_POD_NAME', pod.name],
    ['K8S_POD_INFRA_CONTAINER_ID', pod.sandboxId],
    ['K8S_POD_UID', pod.uid],
  ];
}

export interface EnvInput {
  command: CniCommand;
  containerId: string;
  /** Empty for a DEL whose namespace is already gone: plugins must then release what they can. */
  netnsPath: string;
  ifName: string;
  args: readonly (readonly [string, string])[];
  binDirs: readonly string[];
}

function invalid(message: string): NetworkError {
  return new NetworkError('InvalidConfig', message);
}

/** The CNI_* variables for one invocation; the same for every plugin of the chain. */
export function cniEnv(input: EnvInput): Record<string, string> {
  const idProblem = containerIdProblem(input.containerId);
  if (idProblem !== undefined) throw invalid(`container id "${input.containerId}" ${idProblem}`);
  const ifProblem = ifNameProblem(input.ifName);
  if (ifProblem !== undefined) throw invalid(`interface name "${input.ifName}" ${ifProblem}`);
  if (input.netnsPath === '' && input.command !== 'DEL') throw invalid(`${input.command} needs a network namespace path`);
  for (const [key, value] of input.args) {
    if (!ARG_KEY_RE.test(key)) throw invalid(`CNI_ARGS key "${key}" must be letters, digits or "_"`);
    if (/[;=]/.test(value)) throw invalid(`CNI_ARGS value of ${key} must not contain ";" or "="`);
  }
  return {
    CNI_COMMAND: input.command,
    CNI_CONTAINERID: input.containerId,
    CNI_NETNS: input.netnsPath,
    CNI_IFNAME: input.ifName,
    CNI_ARGS: input.args.map(([k, v]) => `${k}=${v}`).join(';'),
    CNI_PATH: input.binDirs.join(':'),
  };
}
