// Which UDP conntrack entries kube-proxy deletes after a rules change (pkg/proxy/conntrack): a flow DNATed to an
// endpoint that no longer serves its Service port would keep going there, and one that met the REJECT of a Service
// without endpoints would keep failing, until conntrack's timeout, as long as the client keeps sending.
export interface ConntrackDeletion {
  protocol: 'udp';
  /** The Service's ClusterIP and port: the flow's original destination. */
  origDst: string;
  port: number;
  /** Only the flows DNATed to this endpoint; unset: every flow to the Service port. */
  dstNat?: string;
}

function split(key: string): { ip: string; port: number } {
  const colon = key.lastIndexOf(':');
  return { ip: key.slice(0, colon), port: Number(key.slice(colon + 1)) };
}

/** `before` and `after` are udpDestinations of the rules installed before and after a sync. */
export function staleUdpFlows(before: ReadonlyMap<string, ReadonlySet<string>>, after: ReadonlyMap<string, ReadonlySet<string>>): ConntrackDeletion[] {
  const out: ConntrackDeletion[] = [];
  for (const [key, now] of [...after].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const { ip, port } = split(key);
    const was = before.get(key);
    if (now.size > 0 && (was === undefined || was.size === 0)) {
      out.push({ protocol: 'udp', origDst: ip, port });
      continue;
    }
    for (const endpoint of [...(was ?? [])].sort()) if (!now.has(endpoint)) out.push({ protocol: 'udp', origDst: ip, port, dstNat: endpoint });
  }
  for (const [key, was] of before) {
    if (after.has(key)) continue;
    const { ip, port } = split(key);
    for (const endpoint of [...was].sort()) out.push({ protocol: 'udp', origDst: ip, port, dstNat: endpoint });
  }
  return out;
}

/** The conntrack(8) command line deleting these flows. */
export function conntrackDeleteArgs(d: ConntrackDeletion): string[] {
  return ['-D', '-p', d.protocol, '--orig-dst', d.origDst, '--dport', String(d.port), ...(d.dstNat === undefined ? [] : ['--dst-nat', d.dstNat])];
}
