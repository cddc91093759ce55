// podd's node-wide settings, from flags and environment, with the defaults a fresh host gets.
import { existsSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
    ...optional('failpoint', env['PODD_FAILPOINT'] || undefined),
  };
}
