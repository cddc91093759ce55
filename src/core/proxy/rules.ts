// kube-proxy's iptables mode for ClusterIP Services, as a pure function from Services and EndpointSlices to the
// rules of podd's own chains. nat: PODD-SERVICES matches each ClusterIP:port and jumps to its PODD-SVC chain,
// which picks an endpoint with `statistic --mode random` (probability 1/n, 1/(n-1), ..., so each is equally
// likely) and jumps to its PODD-SEP chain, which DNATs. Traffic needing SNAT is marked: from outside the pod
// network (the host), and hairpin (an endpoint reaching itself through its Service); PODD-POSTROUTING
// masquerades what is marked. filter: a Service with no usable endpoint is REJECTed (connection refused at once,
// not a timeout), as kube-proxy does.
import type { EndpointSlice, Service } from '../../api/service-types.js';
import { SERVICE_NAME_LABEL } from '../../api/service-types.js';
import { MARK_MASQ_CHAIN, POSTROUTING_CHAIN, SERVICES_CHAIN, endpointChain, serviceChain, servicePortName } from './chain-names.js';

export interface ProxyInput {
  services: readonly Service[];
  slices: readonly EndpointSlice[];
  /** This node's name: `internalTrafficPolicy: Local` uses only endpoints on it. */
  nodeName: string;
  /** Traffic from outside it is masqueraded (kube-proxy's --cluster-cidr); unset: only hairpin traffic is. */
  podCidr?: string;
  /** SNAT all service traffic: needed when bridged pod-to-pod replies bypass iptables (no br_netfilter). */
  masqueradeAll?: boolean;
  /** The fwmark bit for "masquerade this" (kube-proxy's default 0x4000; CNI's portmap uses 0x2000). */
  masqueradeBit?: number;
}

/** One table's chains (all podd's, declared and so flushed by iptables-restore) and rules, in order. */
export interface TableRules {
  chains: string[];
  rules: string[];
}

export interface Ruleset {
  nat: TableRules;
  filter: TableRules;
}

export const DEFAULT_MASQUERADE_BIT = 0x4000;

interface Endpoint {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName: string | undefined;
}

function cmpText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The endpoints of one service port, from every IPv4 slice of the Service, deduplicated by ip:port. */
function endpointsFor(svc: Service, portName: string, protocol: string, slices: readonly EndpointSlice[]): Endpoint[] {
  const out = new Map<string, Endpoint>();
  for (const s of slices) {
    if (s.metadata.namespace !== svc.metadata.namespace || s.metadata.labels?.[SERVICE_NAME_LABEL] !== svc.metadata.name) continue;
    if (s.addressType !== 'IPv4') continue;
    const port = (s.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol);
    if (port?.port === undefined) continue;
    for (const e of s.endpoints ?? []) {
      const ip = e.addresses[0];
      if (ip === undefined) continue;
      // Unset conditions mean "ready" (the API's rule); serving defaults to ready.
      const ready = e.conditions?.ready ?? true;
      const ep: Endpoint = {
        ip, port: port.port, ready, serving: e.conditions?.serving ?? ready, terminating: e.conditions?.terminating ?? false, nodeName: e.nodeName,
      };
      const key = `${ip}:${port.port}`;
      if (!out.has(key) || ep.ready) out.set(key, ep);
    }
  }
  return [...out.values()].sort((a, b) => cmpText(a.ip, b.ip) || a.port - b.port);
}

/** Ready endpoints; when there are none, the serving terminating ones (kube-proxy's graceful fallback). */
function usable(eps: readonly Endpoint[], local: string | undefined): Endpoint[] {
  const pool = local === undefined ? eps : eps.filter((e) => e.nodeName === local);
  const ready = pool.filter((e) => e.ready);
  return ready.length > 0 ? ready : pool.filter((e) => e.serving && e.terminating);
}

function quote(comment: string): string {
  return `"${comment.replace(/["\\]/g, '')}"`;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Services podd proxies: a ClusterIP (not headless, not ExternalName) that is IPv4. */
function proxied(svc: Service): string | undefined {
  const ip = svc.spec.clusterIP ?? '';
  if (svc.spec.type === 'ExternalName' || ip === '' || ip === 'None' || ip.includes(':')) return undefined;
  return ip;
}

export function generateRules(input: ProxyInput): Ruleset {
  const bit = hex(input.masqueradeBit ?? DEFAULT_MASQUERADE_BIT);
  const nat: TableRules = { chains: [SERVICES_CHAIN, POSTROUTING_CHAIN, MARK_MASQ_CHAIN], rules: [] };
  const filter: TableRules = { chains: [SERVICES_CHAIN], rules: [] };
  nat.rules.push(
    `-A ${POSTROUTING_CHAIN} -m mark ! --mark ${bit}/${bit} -j RETURN`,
    // Clear the bit so a packet re-entering the stack (e.g. IPsec) is not masqueraded twice.
    `-A ${POSTROUTING_CHAIN} -j MARK --xor-mark ${bit}`,
    `-A ${POSTROUTING_CHAIN} -m comment --comment "podd service traffic requiring SNAT" -j MASQUERADE --random-fully`,
    `-A ${MARK_MASQ_CHAIN} -j MARK --or-mark ${bit}`,
  );
  const services = [...input.services].sort((a, b) => cmpText(`${a.metadata.namespace}/${a.metadata.name}`, `${b.metadata.namespace}/${b.metadata.name}`));
  for (const svc of services) {
    const clusterIP = proxied(svc);
    if (clusterIP === undefined) continue;
    const local = svc.spec.internalTrafficPolicy === 'Local' ? input.nodeName : undefined;
    const affinity = svc.spec.sessionAffinity === 'ClientIP' ? svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800 : undefined;
    for (const sp of svc.spec.ports ?? []) {
      const protocol = sp.protocol ?? 'TCP';
      const proto = protocol.toLowerCase();
      const spn = servicePortName(svc.metadata.namespace ?? '', svc.metadata.name ?? '', sp.name ?? '');
      const match = `-m ${proto} -p ${proto} -d ${clusterIP}/32 --dport ${sp.port}`;
      const eps = usable(endpointsFor(svc, sp.name ?? '', protocol, input.slices), local);
      if (eps.length === 0) {
        filter.rules.push(`-A ${SERVICES_CHAIN} -m comment --comment ${quote(`${spn} has no endpoints`)} ${match} -j REJECT --reject-with icmp-port-unreachable`);
        continue;
      }
      const svcChain = serviceChain(spn, protocol);
      nat.chains.push(svcChain);
      nat.rules.push(`-A ${SERVICES_CHAIN} -m comment --comment ${quote(`${spn} cluster IP`)} ${match} -j ${svcChain}`);
      if (input.masqueradeAll === true) {
        nat.rules.push(`-A ${svcChain} -m comment --comment ${quote(`${spn} cluster IP`)} ${match} -j ${MARK_MASQ_CHAIN}`);
      } else if (input.podCidr !== undefined) {
        nat.rules.push(`-A ${svcChain} -m comment --comment ${quote(`${spn} cluster IP`)} ${match} ! -s ${input.podCidr} -j ${MARK_MASQ_CHAIN}`);
      }
      const sepChains = eps.map((e) => endpointChain(spn, protocol, `${e.ip}:${e.port}`));
      if (affinity !== undefined) {
        eps.forEach((e, i) => {
          const sep = sepChains[i] ?? '';
          nat.rules.push(`-A ${svcChain} -m comment --comment ${quote(`${spn} -> ${e.ip}:${e.port}`)} -m recent --name ${sep} --rcheck --seconds ${affinity} --reap -j ${sep}`);
        });
      }
      eps.forEach((e, i) => {
        const sep = sepChains[i] ?? '';
        const left = eps.length - i;
        const pick = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(10)}` : '';
        nat.rules.push(`-A ${svcChain} -m comment --comment ${quote(`${spn} -> ${e.ip}:${e.port}`)}${pick} -j ${sep}`);
      });
      eps.forEach((e, i) => {
        const sep = sepChains[i] ?? '';
        nat.chains.push(sep);
        nat.rules.push(`-A ${sep} -m comment --comment ${quote(spn)} -s ${e.ip}/32 -j ${MARK_MASQ_CHAIN}`);
        const recent = affinity === undefined ? '' : ` -m recent --name ${sep} --set`;
        nat.rules.push(`-A ${sep} -m comment --comment ${quote(spn)}${recent} -m ${proto} -p ${proto} -j DNAT --to-destination ${e.ip}:${e.port}`);
      });
    }
  }
  return { nat, filter };
}

/**
 * Where each UDP Service port sends now: "clusterIP:port" to the endpoint IPs its rules DNAT to. UDP has no
 * connection to end, so conntrack keeps sending a flow to the endpoint it first picked; comparing two of these
 * says which flows to clear (staleUdpFlows).
 */
export function udpDestinations(input: ProxyInput): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const svc of input.services) {
    const clusterIP = proxied(svc);
    if (clusterIP === undefined) continue;
    const local = svc.spec.internalTrafficPolicy === 'Local' ? input.nodeName : undefined;
    for (const sp of svc.spec.ports ?? []) {
      if ((sp.protocol ?? 'TCP') !== 'UDP') continue;
      const eps = usable(endpointsFor(svc, sp.name ?? '', 'UDP', input.slices), local);
      out.set(`${clusterIP}:${sp.port}`, new Set(eps.map((e) => e.ip)));
    }
  }
  return out;
}
