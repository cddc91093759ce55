// podd's node-wide settings, from flags and environment, with the defaults a fresh host gets.
import { existsSync, readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CLUSTER_DOMAIN, isLoopbackAddress, parseResolvConf } from '../core/dns/resolv-conf.js';

export interface NodeConfig {
  /** Images, pod data: /var/lib/podd. */
  dataDir: string;
  /** Bundles, exit files, sockets: /run/podd (tmpfs). */
  stateDir: string;
  /** CRI logs, the kubelet's layout: /var/log/pods. */
  logsDir: string;
  pauseBinary: string;
  runcPath: string;
  conmonPath: string;
  nodeName: string;
  /** status.hostIP of every pod: PODD_NODE_IP, else the host's first non-loopback IPv4 address. */
  nodeIP?: string;
  pidsLimit: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** CNI: PODD_CNI_CONF_DIR (/etc/cni/net.d), PODD_CNI_BIN_DIR (colon-separated), PODD_POD_CIDR for podd's default network. */
  /** PODD_NETWORK=none: pods get a private network namespace with loopback only, no CNI (benchmarks, debugging). */
  podNetwork: 'cni' | 'none';
  cniConfDir: string;
  cniBinDirs: string[];
  podCidr?: string;
  /**
   * The host's resolver settings that Default pods get and the cluster DNS forwards to (the kubelet's --resolv-conf):
   * PODD_RESOLV_CONF, else systemd-resolved's upstream file when /etc/resolv.conf names only its loopback stub.
   */
  hostResolvConf: string;
  /** PODD_CLUSTER_DOMAIN: cluster.local. */
  clusterDomain: string;
  /**
   * PODD_CLUSTER_DNS: the address `podd serve` answers cluster names on and ClusterFirst pods use; unset means the
   * pod network's gateway (10.86.0.1), `none` turns the cluster DNS off.
   */
  clusterDns?: string;
  /** PODD_DNS_UPSTREAM: comma-separated `ip` or `ip:port` the cluster DNS forwards to instead of hostResolvConf's. */
  dnsUpstreams?: string[];
  /** PODD_FAILPOINT: the agent kills itself (SIGKILL) on reaching this point, for crash-recovery tests. */
  failpoint?: string;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function optional<K extends string>(key: K, value: string | undefined): { [k in K]?: string } {
  return value === undefined ? {} : ({ [key]: value } as { [k in K]?: string });
}

function firstHostIPv4(): string | undefined {
  for (const addrs of Object.values(networkInterfaces())) {
    const found = addrs?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  return undefined;
}

const SYSTEMD_RESOLVED_UPSTREAM = '/run/systemd/resolve/resolv.conf';

/** The kubelet's advice: a resolv.conf naming only a loopback stub is useless in a pod; use the real upstream file. */
function defaultResolvConf(): string {
  try {
    const etc = parseResolvConf(readFileSync('/etc/resolv.conf', 'utf8'));
    if (etc.nameservers.length > 0 && etc.nameservers.every(isLoopbackAddress) && existsSync(SYSTEMD_RESOLVED_UPSTREAM)) {
      return SYSTEMD_RESOLVED_UPSTREAM;
    }
  } catch {
    // unreadable: the pod start that needs it reports the error
  }
  return '/etc/resolv.conf';
}

function firstExisting(candidates: string[]): string {
  return candidates.find((c) => existsSync(c)) ?? candidates[0] ?? '';
}

export function nodeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): NodeConfig {
  return {
    dataDir: env['PODD_ROOT'] ?? '/var/lib/podd',
    stateDir: env['PODD_STATE'] ?? '/run/podd',
    logsDir: env['PODD_LOG_DIR'] ?? '/var/log/pods',
    pauseBinary: env['PODD_PAUSE'] ?? firstExisting([join(repoRoot, 'pause', 'pause'), '/usr/local/lib/podd/pause']),
    runcPath: env['PODD_RUNC'] ?? firstExisting(['/usr/sbin/runc', '/usr/bin/runc', '/usr/local/sbin/runc']),
    conmonPath: env['PODD_CONMON'] ?? firstExisting(['/usr/bin/conmon', '/usr/libexec/podman/conmon', '/usr/local/bin/conmon']),
    nodeName: env['PODD_NODE_NAME'] ?? hostname(),
    podNetwork: env['PODD_NETWORK'] === 'none' ? 'none' : 'cni',
    cniConfDir: env['PODD_CNI_CONF_DIR'] ?? '/etc/cni/net.d',
    cniBinDirs: (env['PODD_CNI_BIN_DIR'] ?? '/usr/lib/cni:/opt/cni/bin').split(':').filter((d) => d !== ''),
    ...optional('podCidr', env['PODD_POD_CIDR']),
    ...optional('nodeIP', env['PODD_NODE_IP'] ?? firstHostIPv4()),
    pidsLimit: Number(env['PODD_PIDS_LIMIT'] ?? 4096),
    backoffBaseMs: 10_000,
    backoffMaxMs: 300_000,
    hostResolvConf: env['PODD_RESOLV_CONF'] || defaultResolvConf(),
    clusterDomain: env['PODD_CLUSTER_DOMAIN'] || DEFAULT_CLUSTER_DOMAIN,
    ...optional('clusterDns', env['PODD_CLUSTER_DNS'] || undefined),
    ...(env['PODD_DNS_UPSTREAM'] ? { dnsUpstreams: env['PODD_DNS_UPSTREAM'].split(',').map((s) => s.trim()).filter((s) => s !== '') } : {}),
    ...optional('failpoint', env['PODD_FAILPOINT'] || undefined),
  };
}
