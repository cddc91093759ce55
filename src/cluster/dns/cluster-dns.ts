// podd serve's cluster DNS: the store snapshot, the resolver over it, the upstream forwarder and the sockets.
import { PoddError } from '../../core/errors.js';
import { gatewayOf, ipFamily } from '../../core/dns/names.js';
import { resolveQuestion } from '../../core/dns/resolver.js';
import { DEFAULT_POD_CIDR } from '../../core/network/default-conflist.js';
import type { ObjectStore } from '../../store/types.js';
import { ClusterSnapshot } from './cluster-snapshot.js';
import { DnsServer } from './dns-server.js';
import { handleQuery } from './query-handler.js';
import { Forwarder, ResolvConfUpstreams, type Upstream, parseUpstream } from './upstream.js';

export interface ClusterDnsOptions {
  store: ObjectStore;
  /** Where it listens and what ClusterFirst pods get as their nameserver. */
  ip: string;
  /** 53 unless a test says otherwise. */
  port?: number;
  /** cluster.local */
  domain: string;
  /** Fixed upstream resolvers; otherwise the nameservers of `resolvConf`, re-read when it changes. */
  upstreams?: readonly Upstream[];
  resolvConf: string;
  /** Per upstream try. */
  upstreamTimeoutMs?: number;
  retryMs?: number;
  log(line: string): void;
}

export interface ClusterDns {
  readonly ip: string;
  readonly domain: string;
  /** The bound port (53, or the test's). */
  readonly port: number;
  readonly listening: boolean;
  /** Binds now if it can (the bridge just appeared); never rejects. */
  ensureServing(): Promise<void>;
  close(): Promise<void>;
}

export async function startClusterDns(opts: ClusterDnsOptions): Promise<ClusterDns> {
  const snapshot = new ClusterSnapshot(opts.store, { zone: opts.domain, log: opts.log });
  snapshot.start();
  const fixed = opts.upstreams;
  const fromFile = new ResolvConfUpstreams(opts.resolvConf);
  const forwarder = new Forwarder(async () => (fixed !== undefined ? [...fixed] : fromFile.get()), opts.upstreamTimeoutMs);
  const server = new DnsServer({
    host: opts.ip,
    port: opts.port ?? 53,
    handle: (raw, transport) => handleQuery(raw, transport, {
      resolve: (q) => resolveQuestion(snapshot.index(), q),
      forward: (query, t) => forwarder.forward(query, t),
    }),
    log: opts.log,
    ...(opts.retryMs === undefined ? {} : { retryMs: opts.retryMs }),
  });
  await server.start();
  return {
    ip: opts.ip,
    domain: opts.domain,
    get port() { return server.port; },
    get listening() { return server.listening; },
    ensureServing: () => server.ensureServing(),
    close: async () => {
      await server.close();
      snapshot.stop();
    },
  };
}

/** The node settings the cluster DNS reads (a part of NodeConfig). */
export interface ClusterDnsSettings {
  /** An IP, `none`, or unset for the pod network's gateway. */
  clusterDns?: string;
  /** `none`: pods have no network to reach a cluster DNS by, so there is none (ClusterFirst is Default). */
  podNetwork?: string;
  podCidr?: string;
  clusterDomain: string;
  hostResolvConf: string;
  dnsUpstreams?: string[];
}

/** `podd serve`'s cluster DNS from the node settings; undefined when turned off (PODD_CLUSTER_DNS=none, PODD_NETWORK=none). */
export async function startClusterDnsFor(store: ObjectStore, cfg: ClusterDnsSettings, log: (line: string) => void): Promise<ClusterDns | undefined> {
  if (cfg.clusterDns === 'none' || cfg.podNetwork === 'none') return undefined;
  const ip = cfg.clusterDns ?? gatewayOf(cfg.podCidr ?? DEFAULT_POD_CIDR);
  if (ip === undefined || ipFamily(ip) === undefined) {
    throw new PoddError('Invalid', `cluster DNS: ${cfg.clusterDns === undefined ? `no gateway address in pod CIDR "${cfg.podCidr ?? ''}"` : `"${ip ?? ''}" is not an IP address (PODD_CLUSTER_DNS)`}`);
  }
  const upstreams = cfg.dnsUpstreams?.map((text) => {
    const up = parseUpstream(text);
    if (up === undefined) throw new PoddError('Invalid', `cluster DNS: upstream "${text}" is not an IP address or ip:port (PODD_DNS_UPSTREAM)`);
    return up;
  });
  return startClusterDns({
    store, ip, domain: cfg.clusterDomain, resolvConf: cfg.hostResolvConf, log, ...(upstreams === undefined ? {} : { upstreams }),
  });
}
