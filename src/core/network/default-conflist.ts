// podd's own network, written to the CNI configuration directory only when that directory has no configuration:
// an ordinary conflist a user can read, edit or replace with another plugin chain.
import { parsePodCidr } from './cidr.js';
import { confListToObject, parseConfListObject } from './conflist.js';
import { NetworkError } from './errors.js';
import { ifNameProblem } from './invocation.js';
import type { JsonObject, NetConfList } from './types.js';

/**
 * The first file in byte order wins: a user's 10-mynet.conflist replaces this one, while a podman CNI network
 * created later (87-podman-bridge.conflist) does not take podd's pods.
 */
export const DEFAULT_CONFLIST_FILE = '50-podd-bridge.conflist';
export const DEFAULT_NETWORK_NAME = 'podd';
export const DEFAULT_BRIDGE = 'podd0';
/** Clear of podman (10.88.0.0/16, 10.89.x.0/24), CRI-O (10.85.0.0/16), docker (172.17-31.x, 192.168.x), k3s, kind. */
export const DEFAULT_POD_CIDR = '10.86.0.0/24';
/** The newest version Debian 12's containernetworking-plugins (1.1.1) accept. */
export const DEFAULT_CNI_VERSION = '1.0.0';

export interface DefaultNetworkOptions {
  podCidr?: string;
  bridge?: string;
  networkName?: string;
  /** MTU of the bridge and veths; unset means the plugin's default (1500). */
  mtu?: number;
  cniVersion?: string;
}

function bad(message: string): NetworkError {
  return new NetworkError('InvalidConfig', `default pod network: ${message}`);
}

/**
 * bridge + host-local + portmap. `lo` is not a plugin here: the runtime brings it up when it creates the namespace,
 * as the kubelet and CRI runtimes do, so a user's replacement chain need not remember the loopback plugin.
 */
export function defaultConfList(opts: DefaultNetworkOptions = {}): NetConfList {
  const podCidr = opts.podCidr ?? DEFAULT_POD_CIDR;
  const bridge = opts.bridge ?? DEFAULT_BRIDGE;
  const cidr = parsePodCidr(podCidr);
  if (!cidr.ok) throw bad(`pod CIDR ${cidr.message}`);
  const ifProblem = ifNameProblem(bridge);
  if (ifProblem !== undefined) throw bad(`bridge name "${bridge}" ${ifProblem}`);
  if (opts.mtu !== undefined && (!Number.isInteger(opts.mtu) || opts.mtu < 576 || opts.mtu > 65535)) {
    throw bad(`mtu ${opts.mtu} must be an integer from 576 to 65535`);
  }
  const bridgePlugin: JsonObject = {
    type: 'bridge',
    bridge,
    isGateway: true,
    ipMasq: true,
    // a pod reaching itself through a hostPort goes out and back through its own bridge port
    hairpinMode: true,
    ...(opts.mtu === undefined ? {} : { mtu: opts.mtu }),
    ipam: {
      type: 'host-local',
      ranges: [[{ subnet: podCidr }]],
      routes: [{ dst: cidr.cidr.family === 4 ? '0.0.0.0/0' : '::/0' }],
    },
  };
  const portmap: JsonObject = { type: 'portmap', capabilities: { portMappings: true }, snat: true };
  return parseConfListObject(
    { cniVersion: opts.cniVersion ?? DEFAULT_CNI_VERSION, name: opts.networkName ?? DEFAULT_NETWORK_NAME, plugins: [bridgePlugin, portmap] },
    'default pod network',
  );
}

export function renderConfList(list: NetConfList): string {
  return `${JSON.stringify(confListToObject(list), null, 2)}\n`;
}

/** The bridge a conflist attaches pods to, when its first plugin is the reference bridge plugin. */
export function bridgeOf(list: NetConfList): string | undefined {
  const first = list.plugins[0];
  if (first?.type !== 'bridge') return undefined;
  const name = first.raw['bridge'];
  // the bridge plugin's own default
  return typeof name === 'string' && name !== '' ? name : 'cni0';
}
