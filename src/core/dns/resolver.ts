// One question against the cluster index: an answer for names in the cluster zone (NXDOMAIN with the zone's SOA for
// unknown ones, an empty NOERROR for an existing name without records of the asked type), PTRs for cluster
// addresses, and "forward" for everything else.
import type { ClusterIndex, NameRecords } from './cluster-index.js';
import { canonicalName, inZone, isReverseName, labelsBelow, reverseNameIpKey, undashIPv4 } from './names.js';
import type { Resolution, ResourceRecord, SoaData } from './types.js';

/** CoreDNS's default TTL for cluster records. */
export const RECORD_TTL = 5;
const MAX_CNAME_DEPTH = 8;

export interface Question {
  name: string;
  /** A, AAAA, SRV, PTR, TXT, CNAME, SOA, ANY, ... (others get an empty answer in the zone). */
  type: string;
}

type Answer = Extract<Resolution, { kind: 'answer' }>;

function soaOf(index: ClusterIndex): ResourceRecord {
  const data: SoaData = {
    mname: `ns.dns.${index.zone}`, rname: `hostmaster.${index.zone}`, serial: index.serial,
    refresh: 7200, retry: 1800, expire: 86400, minimum: RECORD_TTL,
  };
  return { name: index.zone, type: 'SOA', class: 'IN', ttl: RECORD_TTL, data };
}

function negative(index: ClusterIndex, rcode: 'NOERROR' | 'NXDOMAIN', answers: ResourceRecord[] = []): Answer {
  return { kind: 'answer', rcode, answers, authorities: [soaOf(index)], additionals: [] };
}

function rr(name: string, type: 'A' | 'AAAA' | 'CNAME' | 'PTR' | 'TXT', data: string): ResourceRecord {
  return { name, type, class: 'IN', ttl: RECORD_TTL, data };
}

function addresses(owner: string, rec: NameRecords, type: string): ResourceRecord[] {
  const out: ResourceRecord[] = [];
  if (type === 'A' || type === 'ANY') out.push(...rec.a.map((ip) => rr(owner, 'A', ip)));
  if (type === 'AAAA' || type === 'ANY') out.push(...rec.aaaa.map((ip) => rr(owner, 'AAAA', ip)));
  return out;
}

/** SRV records share one priority; weights split 100 between them (as CoreDNS). */
function srvAnswer(index: ClusterIndex, owner: string, rec: NameRecords): Answer {
  const weight = Math.max(1, Math.floor(100 / Math.max(1, rec.srv.length)));
  const answers: ResourceRecord[] = rec.srv.map((s) => ({
    name: owner, type: 'SRV', class: 'IN', ttl: RECORD_TTL, data: { priority: 0, weight, port: s.port, target: s.target },
  }));
  const targets = [...new Set(rec.srv.map((s) => s.target))];
  const additionals = targets.flatMap((t) => {
    const target = index.records.get(t);
    return target ? addresses(t, target, 'ANY') : [];
  });
  return { kind: 'answer', rcode: 'NOERROR', answers, authorities: [], additionals };
}

function recordsAnswer(index: ClusterIndex, owner: string, rec: NameRecords, type: string, depth: number): Answer {
  if (rec.cname !== undefined && type !== 'CNAME') {
    const cname = rr(owner, 'CNAME', rec.cname);
    if (!inZone(rec.cname, index.zone) || depth >= MAX_CNAME_DEPTH) {
      return { kind: 'answer', rcode: 'NOERROR', answers: [cname], authorities: [], additionals: [], chase: { name: rec.cname, type } };
    }
    const next = resolveIn(index, { name: rec.cname, type }, depth + 1);
    if (next.kind === 'forward') return { kind: 'answer', rcode: 'NOERROR', answers: [cname], authorities: [], additionals: [] };
    return { ...next, answers: [cname, ...next.answers] };
  }
  if (type === 'SRV' && rec.srv.length > 0) return srvAnswer(index, owner, rec);
  const answers = addresses(owner, rec, type);
  if (type === 'CNAME' && rec.cname !== undefined) answers.push(rr(owner, 'CNAME', rec.cname));
  if ((type === 'TXT' || type === 'ANY') && rec.txt.length > 0) answers.push(...rec.txt.map((t) => rr(owner, 'TXT', t)));
  return answers.length > 0 ? { kind: 'answer', rcode: 'NOERROR', answers, authorities: [], additionals: [] } : negative(index, 'NOERROR');
}

/** `<a>-<b>-<c>-<d>.<ns>.pod.<zone>`: the deprecated pod records the spec still requires (CoreDNS's `pods insecure`). */
function podRecord(index: ClusterIndex, owner: string, labels: readonly string[], type: string): Answer {
  const ip = labels.length === 3 ? undashIPv4(labels[0] ?? '') : undefined;
  if (labels.length === 1 || labels.length === 2) return negative(index, 'NOERROR');
  if (ip === undefined) return negative(index, 'NXDOMAIN');
  if (type !== 'A' && type !== 'ANY') return negative(index, 'NOERROR');
  return { kind: 'answer', rcode: 'NOERROR', answers: [rr(owner, 'A', ip)], authorities: [], additionals: [] };
}

function resolveIn(index: ClusterIndex, q: Question, depth: number): Resolution {
  const name = canonicalName(q.name);
  // answers carry the name as asked (DNS 0x20 case randomisation), without the trailing dot dns-packet adds back
  const owner = q.name.replace(/\.+$/, '');
  const type = q.type.toUpperCase();
  if (isReverseName(name)) {
    const key = reverseNameIpKey(name);
    const targets = key === undefined ? undefined : index.ptr.get(key);
    if (targets === undefined || type !== 'PTR') return { kind: 'forward' };
    return { kind: 'answer', rcode: 'NOERROR', answers: targets.map((t) => rr(owner, 'PTR', t)), authorities: [], additionals: [] };
  }
  if (!inZone(name, index.zone)) return { kind: 'forward' };
  if (name === index.zone) {
    return type === 'SOA'
      ? { kind: 'answer', rcode: 'NOERROR', answers: [{ ...soaOf(index), name: owner }], authorities: [], additionals: [] }
      : negative(index, 'NOERROR');
  }
  const labels = labelsBelow(name, index.zone);
  if (labels[labels.length - 1] === 'pod') return podRecord(index, owner, labels, type);
  const rec = index.records.get(name);
  if (rec !== undefined) return recordsAnswer(index, owner, rec, type, depth);
  return negative(index, index.nonTerminals.has(name) ? 'NOERROR' : 'NXDOMAIN');
}

export function resolveQuestion(index: ClusterIndex, q: Question): Resolution {
  return resolveIn(index, q, 0);
}
