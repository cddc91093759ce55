// One DNS message in, one out: cluster names answered from the index (authoritative), everything else relayed to the
// host's resolvers; malformed queries get FORMERR, other opcodes NOTIMP, an upstream that never answers SERVFAIL.
import { randomInt } from 'node:crypto';
import * as dnsPacket from 'dns-packet';
import type { Question } from '../../core/dns/resolver.js';
import type { Resolution } from '../../core/dns/types.js';
import type { Transport } from './upstream.js';

export interface QueryHandlerDeps {
  resolve(q: Question): Resolution;
  forward(query: Buffer, transport: Transport): Promise<Buffer | undefined>;
}

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4 } as const;
type RcodeName = keyof typeof RCODE;
/** The classic limit without EDNS (RFC 1035); with EDNS the client's payload size, up to the 1232 of DNS Flag Day 2020. */
const PLAIN_UDP_LIMIT = 512;
const EDNS_UDP_LIMIT = 1232;

/** A reply made from the 12-byte header alone, for a message dns-packet cannot decode. */
function headerReply(raw: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(raw.readUInt16BE(0), 0);
  // QR, the query's opcode and RD, RA, then the rcode
  out.writeUInt16BE(0x8000 | (raw.readUInt16BE(2) & 0x7900) | 0x0080 | rcode, 2);
  return out;
}

function optOf(query: dnsPacket.DecodedPacket): dnsPacket.OptAnswer | undefined {
  return (query.additionals ?? []).find((a): a is dnsPacket.OptAnswer => a.type === 'OPT');
}

function reply(query: dnsPacket.DecodedPacket, rcode: RcodeName, body: Partial<Pick<dnsPacket.Packet, 'answers' | 'authorities' | 'additionals'>>,
  transport: Transport, authoritative: boolean): Buffer {
  const opt = optOf(query);
  const edns: dnsPacket.Answer[] = opt ? [{ type: 'OPT', name: '.', udpPayloadSize: EDNS_UDP_LIMIT, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [];
  const flags = (authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | (query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0)
    | dnsPacket.RECURSION_AVAILABLE | RCODE[rcode];
  const packet: dnsPacket.Packet = {
    type: 'response', id: query.id ?? 0, flags, questions: query.questions ?? [],
    answers: body.answers ?? [], authorities: body.authorities ?? [], additionals: [...(body.additionals ?? []), ...edns],
  };
  const out = dnsPacket.encode(packet);
  const limit = opt ? Math.max(PLAIN_UDP_LIMIT, Math.min(opt.udpPayloadSize, EDNS_UDP_LIMIT)) : PLAIN_UDP_LIMIT;
  if (transport === 'tcp' || out.length <= limit) return out;
  // too big for this datagram: TC, and the client asks again over TCP
  return dnsPacket.encode({ ...packet, flags: flags | dnsPacket.TRUNCATED_RESPONSE, answers: [], authorities: [], additionals: edns });
}

/** An ExternalName's target, resolved upstream: its records follow the CNAME. */
async function chase(deps: QueryHandlerDeps, name: string, type: string): Promise<{ rcode: RcodeName; answers: dnsPacket.Answer[] } | undefined> {
  const query = dnsPacket.encode({
    type: 'query', id: randomInt(0, 65536), flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as dnsPacket.RecordType, class: 'IN' }],
  });
  let raw = await deps.forward(query, 'udp');
  if (raw !== undefined && ((raw[2] ?? 0) & 0x02) !== 0) raw = await deps.forward(query, 'tcp');
  if (raw === undefined) return undefined;
  const decoded = dnsPacket.decode(raw);
  const rcode = (raw[3] ?? 0) & 0x0f;
  return { rcode: rcode === RCODE.NXDOMAIN ? 'NXDOMAIN' : 'NOERROR', answers: decoded.answers ?? [] };
}

export async function handleQuery(raw: Buffer, transport: Transport, deps: QueryHandlerDeps): Promise<Buffer | undefined> {
  if (raw.length < 12 || (raw[2] ?? 0) >= 0x80) return undefined; // not even a header, or a response: drop
  let query: dnsPacket.DecodedPacket;
  try {
    query = dnsPacket.decode(raw);
  } catch {
    return headerReply(raw, RCODE.FORMERR);
  }
  if (((raw.readUInt16BE(2) >> 11) & 0x0f) !== 0) return headerReply(raw, RCODE.NOTIMP);
  const q = query.questions?.[0];
  if (q === undefined || query.questions?.length !== 1) return headerReply(raw, RCODE.FORMERR);
  try {
    const res = deps.resolve({ name: q.name, type: q.type });
    if (res.kind === 'forward') return (await deps.forward(raw, transport)) ?? reply(query, 'SERVFAIL', {}, transport, false);
    let rcode: RcodeName = res.rcode;
    const answers: dnsPacket.Answer[] = [...res.answers];
    if (res.chase !== undefined) {
      const chased = await chase(deps, res.chase.name, res.chase.type);
      if (chased !== undefined) {
        rcode = chased.rcode;
        answers.push(...chased.answers);
      }
    }
    return reply(query, rcode, { answers, authorities: res.authorities, additionals: res.additionals }, transport, true);
  } catch {
    // a record dns-packet cannot encode (an odd class echoed back, say): a bare SERVFAIL still reaches the client
    return headerReply(raw, RCODE.SERVFAIL);
  }
}
