// The kubelet-managed /etc/hosts (managedHostsFileContent, nodeHostsFileContent, hostsEntriesFromHostAliases).
import type { HostAlias } from '../../api/types.js';

export const MANAGED_HOSTS_HEADER = '# Kubernetes-managed hosts file.\n';
export const MANAGED_HOSTS_HEADER_HOST_NETWORK = '# Kubernetes-managed hosts file (host network).\n';

export function hostAliasesEntries(aliases: readonly HostAlias[] | undefined): string {
  if (aliases === undefined || aliases.length === 0) return '';
  // one line per alias entry, all its names on it, as the kubelet writes them
  const lines = aliases.map((a) => `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`);
  return `\n# Entries added by HostAliases.\n${lines.join('')}`;
}

/**
 * A pod with its own network namespace. `hostDomain` is `<subdomain>.<namespace>.svc.<cluster domain>` when the
 * pod sets a subdomain; each pod IP then also resolves to the FQDN.
 */
export function managedHostsFileContent(podIPs: readonly string[], hostname: string, hostDomain: string | undefined,
  aliases: readonly HostAlias[] | undefined): string {
  let out = MANAGED_HOSTS_HEADER;
  out += '127.0.0.1\tlocalhost\n';
  out += '::1\tlocalhost ip6-localhost ip6-loopback\n';
  out += 'fe00::0\tip6-localnet\n';
  out += 'fe00::0\tip6-mcastprefix\n';
  out += 'fe00::1\tip6-allnodes\n';
  out += 'fe00::2\tip6-allrouters\n';
  for (const ip of podIPs) {
    out += hostDomain !== undefined && hostDomain !== '' ? `${ip}\t${hostname}.${hostDomain}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  }
  return out + hostAliasesEntries(aliases);
}

/** A hostNetwork pod sees the node's own hosts file, plus its aliases. */
export function nodeHostsFileContent(nodeHosts: string, aliases: readonly HostAlias[] | undefined): string {
  return MANAGED_HOSTS_HEADER_HOST_NETWORK + nodeHosts + hostAliasesEntries(aliases);
}
