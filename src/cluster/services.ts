// What `podd serve` runs for Services: the service range it allocates from (checked against the pod network), the
// address pods reach the API on (the `kubernetes` Service's endpoint), and the endpoints controller plus the
// iptables proxy, started after the agent and stopped (rules removed) at shutdown.
import { PoddError } from '../core/errors.js';
import { DEFAULT_POD_CIDR } from '../core/network/default-conflist.js';
import { DEFAULT_SERVICE_CIDR, cidrsOverlap, parseServiceCidr } from '../core/service/ip-range.js';
import type { ObjectStore } from '../store/types.js';
import { EndpointsController } from './endpoints-controller.js';
import { ConntrackCli } from './conntrack.js';
import { IptablesCli, bridgeCallsIptables } from './iptables.js';
import { ServiceProxy } from './service-proxy.js';

/** The service CIDR: the flag, else PODD_SERVICE_CIDR, else 10.87.0.0/16. Throws a message naming the problem. */
export function serviceCidrFor(flag: string | undefined, podCidr: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const text = flag ?? (env['PODD_SERVICE_CIDR'] || DEFAULT_SERVICE_CIDR);
  const parsed = parseServiceCidr(text);
  if (!parsed.ok) throw new PoddError('Invalid', `podd serve: invalid --service-cidr: ${parsed.message}`);
  const pods = podCidr ?? DEFAULT_POD_CIDR;
  if (cidrsOverlap(text, pods)) throw new PoddError('Invalid', `podd serve: --service-cidr ${text} overlaps the pod network ${pods}`);
  return text;
}

/**
 * Where pods reach the API: the bind address, or the node's address when bound to all of them. A loopback bind is
 * out of pods' reach, so the `kubernetes` Service then has no endpoints (connections are refused, not misrouted).
 */
export function apiEndpointFor(bind: string, port: number, nodeIP: string | undefined): { ip: string; port: number } | undefined {
  if (bind === '0.0.0.0') return nodeIP === undefined ? undefined : { ip: nodeIP, port };
  if (bind === 'localhost' || bind.startsWith('127.') || bind.includes(':')) return undefined;
  return { ip: bind, port };
}

export interface ServicesRuntime {
  stop(): Promise<void>;
}

/** Starts the endpoints controller and the proxy; a proxy that cannot start (no iptables) is logged, not fatal. */
export async function startServices(store: ObjectStore, opts: { nodeName: string; podCidr?: string; log: (line: string) => void }): Promise<ServicesRuntime> {
  const controller = new EndpointsController(store, { log: opts.log });
  controller.start();
  const masqueradeAll = !(await bridgeCallsIptables());
  if (masqueradeAll) opts.log('podd serve: bridged traffic bypasses iptables (no br_netfilter): masquerading all service traffic');
  const proxy = new ServiceProxy(store, {
    iptables: new IptablesCli(), conntrack: new ConntrackCli(), nodeName: opts.nodeName, podCidr: opts.podCidr ?? DEFAULT_POD_CIDR, masqueradeAll, log: opts.log,
  });
  let proxyStarted = true;
  try {
    await proxy.start();
  } catch (err) {
    proxyStarted = false;
    opts.log(`podd serve: service proxy not started, ClusterIPs will not work: ${err instanceof Error ? err.message : String(err)}`);
  }
  return {
    async stop() {
      controller.stop();
      if (!proxyStarted) return;
      try {
        await proxy.stop();
      } catch (err) {
        opts.log(`podd serve: could not remove the service rules: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  };
}
