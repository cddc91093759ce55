// A pod's /etc/resolv.conf as the kubelet forms it (pkg/kubelet/network/dns GetPodDNS) and containerd writes it:
// the policy picks a base (cluster DNS, the host's file, or nothing), spec.dnsConfig is merged into it, and the
// result is cut to the resolver's limits with a warning event for what was cut.
import type { PodDNSConfig } from '../../api/types.js';
import { parseIp } from '../network/cidr.js';

export interface ResolvConfig {
  nameservers: string[];
  searches: string[];
  /** `name` or `name:value`, as on an `options` line. */
  options: string[];
}

/** Where the pod's resolver points: the cluster DNS, the node's settings, or only spec.dnsConfig. */
export type PodDnsType = 'cluster' | 'host' | 'none';

export interface PodDnsInput {
  dnsPolicy?: string;
  dnsConfig?: PodDNSConfig;
  hostNetwork?: boolean;
  namespace: string;
}

export interface ClusterDnsSettings {
  nameservers: readonly string[];
  /** cluster.local */
  domain: string;
}

/** An event the kubelet records on the pod (`DNSConfigForming`). */
export interface DnsWarning {
  reason: string;
  message: string;
}

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
export const MAX_NAMESERVERS = 3;
/** The ExpandedDNSConfig limits (GA since 1.28). */
export const MAX_SEARCH_PATHS = 32;
export const MAX_SEARCH_LINE_CHARS = 2048;
const MAX_SEARCH_PATH_CHARS = 253;
const CLUSTER_OPTIONS = ['ndots:5'];

/** Nameserver lines accumulate; the last `search` and the last `options` line win; search domains lose a trailing dot. */
export function parseResolvConf(text: string): ResolvConfig {
  const out: ResolvConfig = { nameservers: [], searches: [], options: [] };
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) continue;
    const [key, ...rest] = trimmed.split(/\s+/);
    if (key === 'nameserver' && rest[0] !== undefined) out.nameservers.push(rest[0]);
    else if (key === 'search') out.searches = rest.filter((s) => s !== '').map((s) => s.replace(/\.$/, ''));
    else if (key === 'options') out.options = rest.filter((s) => s !== '');
  }
  return out;
}

/** ClusterFirst on the host network falls back to Default; ClusterFirstWithHostNet keeps the cluster DNS. */
export function podDnsType(dnsPolicy: string | undefined, hostNetwork: boolean): PodDnsType {
  switch (dnsPolicy) {
    case 'None': return 'none';
    case 'Default': return 'host';
    case 'ClusterFirstWithHostNet': return 'cluster';
    case 'ClusterFirst': case undefined: case '': return hostNetwork ? 'host' : 'cluster';
    // the API rejects other values; the kubelet treats them as ClusterFirst
    default: return 'cluster';
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function optionName(option: string): string {
  const colon = option.indexOf(':');
  return colon < 0 ? option : option.slice(0, colon);
}

/** dnsConfig options replace same-named ones in place and the rest are appended (a stable order, unlike Go's map). */
export function mergeDnsOptions(existing: readonly string[], overrides: PodDNSConfig['options']): string[] {
  const merged = new Map<string, string>();
  for (const o of existing) merged.set(optionName(o), o);
  for (const o of overrides ?? []) merged.set(o.name, o.value === undefined || o.value === '' ? o.name : `${o.name}:${o.value}`);
  return [...merged.values()];
}

function fitSearches(searches: readonly string[], warnings: DnsWarning[]): string[] {
  let out = searches.slice(0, MAX_SEARCH_PATHS);
  let exceeded = out.length < searches.length;
  const short = out.filter((s) => s.length <= MAX_SEARCH_PATH_CHARS);
  exceeded ||= short.length < out.length;
  out = short;
  while (out.join(' ').length > MAX_SEARCH_LINE_CHARS) {
    out = out.slice(0, -1);
    exceeded = true;
  }
  if (exceeded) {
    warnings.push({ reason: 'DNSConfigForming', message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${out.join(' ')}` });
  }
  return out;
}

function fitNameservers(nameservers: readonly string[], warnings: DnsWarning[]): string[] {
  if (nameservers.length <= MAX_NAMESERVERS) return [...nameservers];
  const out = nameservers.slice(0, MAX_NAMESERVERS);
  warnings.push({ reason: 'DNSConfigForming', message: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${out.join(' ')}` });
  return out;
}

/**
 * The pod's resolver settings from the host's (parsed) resolv.conf. Without cluster DNS settings (`podd run`) a
 * cluster pod gets the host's settings, as a kubelet with no --cluster-dns.
 */
export function podResolvConfig(host: ResolvConfig, pod: PodDnsInput, cluster?: ClusterDnsSettings): { config: ResolvConfig; warnings: DnsWarning[] } {
  const type = podDnsType(pod.dnsPolicy, pod.hostNetwork === true);
  let config: ResolvConfig;
  if (type === 'none') {
    config = { nameservers: [], searches: [], options: [] };
  } else if (type === 'cluster' && cluster !== undefined && cluster.nameservers.length > 0) {
    const d = cluster.domain;
    const clusterSearch = d === '' ? [] : [`${pod.namespace}.svc.${d}`, `svc.${d}`, d];
    config = { nameservers: [...cluster.nameservers], searches: unique([...clusterSearch, ...host.searches]), options: [...CLUSTER_OPTIONS] };
  } else {
    config = { nameservers: [...host.nameservers], searches: [...host.searches], options: [...host.options] };
  }
  const extra = pod.dnsConfig;
  if (extra !== undefined) {
    config = {
      nameservers: unique([...config.nameservers, ...(extra.nameservers ?? [])]),
      searches: unique([...config.searches, ...(extra.searches ?? [])]),
      options: mergeDnsOptions(config.options, extra.options),
    };
  }
  const warnings: DnsWarning[] = [];
  config = { ...config, nameservers: fitNameservers(config.nameservers, warnings), searches: fitSearches(config.searches, warnings) };
  return { config, warnings };
}

/** containerd's layout: search, then one nameserver line each, then options. */
export function renderResolvConf(config: ResolvConfig): string {
  let out = '';
  if (config.searches.length > 0) out += `search ${config.searches.join(' ')}\n`;
  for (const ns of config.nameservers) out += `nameserver ${ns}\n`;
  if (config.options.length > 0) out += `options ${config.options.join(' ')}\n`;
  return out;
}

/** `<subdomain>.<namespace>.svc.<domain>` for a pod with a subdomain (its /etc/hosts FQDN), else undefined. */
export function podHostDomain(subdomain: string | undefined, namespace: string, domain: string): string | undefined {
  if (subdomain === undefined || subdomain === '') return undefined;
  return domain === '' ? `${subdomain}.${namespace}.svc` : `${subdomain}.${namespace}.svc.${domain}`;
}

/** 127.0.0.0/8 and ::1: a stub (systemd-resolved's 127.0.0.53, a local dnsmasq) a pod's namespace cannot reach. */
export function isLoopbackAddress(ip: string): boolean {
  const bytes = parseIp(ip);
  if (bytes === undefined) return false;
  return bytes.length === 4 ? bytes[0] === 127 : bytes.every((b, i) => b === (i === 15 ? 1 : 0));
}
