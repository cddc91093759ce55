// The per-pod /etc/hosts (kubelet), /etc/hostname and /etc/resolv.conf (the kubelet's DNS settings in containerd's
// layout), kept in the pod dir and bind-mounted into every container (podEtcMounts).
import { chmod, lstat, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostAlias } from '../../api/types.js';
import {
  type ClusterDnsSettings, type DnsWarning, type PodDnsInput, parseResolvConf, podResolvConfig, renderResolvConf,
} from '../../core/dns/resolv-conf.js';
import type { PodEtcFiles } from '../../core/volume/container-mounts.js';
import { managedHostsFileContent, nodeHostsFileContent } from '../../core/volume/hosts-file.js';
import { Rollback } from '../rollback.js';

export interface PodEtcFilesInput {
  hostname: string;
  podIP?: string;
  /** All pod IPs (dual stack); wins over podIP. */
  podIPs?: readonly string[];
  /** `<subdomain>.<namespace>.svc.<cluster domain>` for a pod with a subdomain. */
  hostDomain?: string;
  hostAliases?: readonly HostAlias[];
  /** Path of the host's resolv.conf (the kubelet's --resolv-conf). */
  hostResolvConf: string;
  /** A hostNetwork pod gets the node's hosts file instead of the managed one. */
  hostNetwork?: boolean;
  /** The node's hosts file, for hostNetwork pods; /etc/hosts by default. */
  hostHostsFile?: string;
  /** The pod's DNS policy: resolv.conf is formed from it and the host's file; without it, a copy of the host's file. */
  dns?: { pod: PodDnsInput; cluster?: ClusterDnsSettings };
  /**
   * The pod's namespace, for the service account directory every container sees (the kube-api-access volume's
   * `namespace` file); absent with automountServiceAccountToken: false. podd issues no token.
   */
  serviceAccountNamespace?: string;
  /** What forming resolv.conf had to cut (the kubelet's DNSConfigForming events). */
  onDnsWarning?: (warning: DnsWarning) => void;
}

async function resolvConfContent(input: PodEtcFilesInput): Promise<string | Buffer> {
  if (input.dns === undefined) return readFile(input.hostResolvConf);
  const host = parseResolvConf(await readFile(input.hostResolvConf, 'utf8'));
  const { config, warnings } = podResolvConfig(host, input.dns.pod, input.dns.cluster);
  for (const w of warnings) input.onDnsWarning?.(w);
  return renderResolvConf(config);
}

const FILE_MODE = 0o644;

export function podEtcFilePaths(podDir: string): PodEtcFiles {
  return { hosts: join(podDir, 'etc-hosts'), hostname: join(podDir, 'etc-hostname'), resolvConf: join(podDir, 'etc-resolv.conf') };
}

/**
 * Writes (or rewrites) the three files and returns their paths. Rewrites go into the same inode, so containers that
 * already bind-mount a file see the new content.
 */
export async function writePodEtcFiles(podDir: string, input: PodEtcFilesInput): Promise<PodEtcFiles> {
  const files = podEtcFilePaths(podDir);
  const podIPs = input.podIPs ?? (input.podIP === undefined || input.podIP === '' ? [] : [input.podIP]);
  const hosts = input.hostNetwork === true
    ? nodeHostsFileContent(await readFile(input.hostHostsFile ?? '/etc/hosts', 'utf8'), input.hostAliases)
    : managedHostsFileContent(podIPs, input.hostname, input.hostDomain, input.hostAliases);
  const resolvConf = await resolvConfContent(input);

  await mkdir(podDir, { recursive: true, mode: 0o755 });
  const rb = new Rollback();
  try {
    for (const [path, content] of [[files.hosts, hosts], [files.hostname, `${input.hostname}\n`], [files.resolvConf, resolvConf]] as const) {
      const existed = await lstat(path).then(() => true, () => false);
      await writeFile(path, content, { mode: FILE_MODE });
      if (!existed) rb.push(`file ${path}`, () => rm(path, { force: true }));
      await chmod(path, FILE_MODE);
    }
    if (input.serviceAccountNamespace !== undefined) {
      const dir = join(podDir, 'serviceaccount');
      await mkdir(dir, { recursive: true, mode: 0o755 });
      await writeFile(join(dir, 'namespace'), input.serviceAccountNamespace, { mode: FILE_MODE });
      files.serviceAccount = dir;
    }
    rb.release();
    return files;
  } catch (err) {
    await rb.unwind();
    throw err;
  }
}
