// iptables-restore input that replaces podd's chains and nothing else. Run with --noflush: declaring a chain
// (`:NAME - [0:0]`) flushes just that chain, so the CNI plugins' chains (CNI-*, CNI-HOSTPORT-*) and anyone else's
// rules stay as they are. Everything happens in one transaction per table, so packets never see a half-written
// ruleset. The jumps from the built-in chains are deleted (as iptables-save printed them) and inserted again at the
// top in the same transaction: podd's masquerade must come before the bridge plugin's ACCEPT for pod-network
// destinations in POSTROUTING, or hairpin traffic would never be SNATed.
import { CHAIN_PREFIX, POSTROUTING_CHAIN, SERVICES_CHAIN } from './chain-names.js';
import type { Ruleset, TableRules } from './rules.js';

export type TableName = 'nat' | 'filter';
export const TABLES: readonly TableName[] = ['nat', 'filter'];

/** One table as iptables-save printed it. */
export interface TableState {
  chains: string[];
  /** `-A CHAIN ...` lines, verbatim. */
  rules: string[];
}

export interface Jump {
  table: TableName;
  chain: string;
  spec: string;
}

/** The jumps into podd's chains from the built-in ones (kube-proxy's, with podd's names). */
export const JUMPS: readonly Jump[] = [
  { table: 'nat', chain: 'PREROUTING', spec: `-m comment --comment "podd service portals" -j ${SERVICES_CHAIN}` },
  { table: 'nat', chain: 'OUTPUT', spec: `-m comment --comment "podd service portals" -j ${SERVICES_CHAIN}` },
  { table: 'nat', chain: 'POSTROUTING', spec: `-m comment --comment "podd postrouting rules" -j ${POSTROUTING_CHAIN}` },
  { table: 'filter', chain: 'INPUT', spec: `-m conntrack --ctstate NEW -m comment --comment "podd service portals" -j ${SERVICES_CHAIN}` },
  { table: 'filter', chain: 'FORWARD', spec: `-m conntrack --ctstate NEW -m comment --comment "podd service portals" -j ${SERVICES_CHAIN}` },
  { table: 'filter', chain: 'OUTPUT', spec: `-m conntrack --ctstate NEW -m comment --comment "podd service portals" -j ${SERVICES_CHAIN}` },
];

/** Parses `iptables-save -t <table>` output (comments and other tables' sections ignored). */
export function parseSave(text: string, table: TableName): TableState {
  const state: TableState = { chains: [], rules: [] };
  let inTable = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) inTable = line.slice(1).trim() === table;
    else if (!inTable || line.startsWith('#')) continue;
    else if (line.startsWith(':')) state.chains.push(line.slice(1).split(' ')[0] ?? '');
    else if (line.startsWith('-A ')) state.rules.push(line);
  }
  return state;
}

function isPodd(chain: string): boolean {
  return chain.startsWith(CHAIN_PREFIX);
}

/** `-A CHAIN spec` → [CHAIN, spec]. */
function splitRule(rule: string): [string, string] {
  const rest = rule.slice(3);
  const sp = rest.indexOf(' ');
  return sp < 0 ? [rest, ''] : [rest.slice(0, sp), rest.slice(sp + 1)];
}

/** Rules in chains that are not podd's but jump (or goto) into one that is: the ones cleanup must delete. */
export function foreignJumps(state: TableState): string[] {
  return state.rules.filter((r) => {
    const [chain, spec] = splitRule(r);
    return !isPodd(chain) && / -[jg] PODD-\S+/.test(` ${spec}`);
  }).map((r) => {
    const [chain, spec] = splitRule(r);
    return `-D ${chain} ${spec}`;
  });
}

/** The restore text for one table: podd's chains become exactly `want`; no other chain changes. */
function tableText(table: TableName, current: TableState, want: TableRules | undefined): string[] {
  const desired = [...new Set(want?.chains ?? [])];
  const stale = current.chains.filter((c) => isPodd(c) && !desired.includes(c));
  const deletes = foreignJumps(current);
  if (want === undefined && stale.length === 0 && deletes.length === 0) return [];
  const lines = [`*${table}`];
  for (const c of [...desired, ...stale]) lines.push(`:${c} - [0:0]`);
  lines.push(...deletes);
  if (want !== undefined) {
    lines.push(...want.rules);
    for (const j of JUMPS.filter((x) => x.table === table)) lines.push(`-I ${j.chain} 1 ${j.spec}`);
  }
  for (const c of stale) lines.push(`-X ${c}`);
  lines.push('COMMIT');
  return lines;
}

/** What to feed `iptables-restore --noflush` to install `rules` over the current state. */
export function renderSync(rules: Ruleset, current: Readonly<Record<TableName, TableState>>): string {
  return TABLES.flatMap((t) => tableText(t, current[t], rules[t])).join('\n') + '\n';
}

/** Removes every podd chain and every jump into one; '' when there is nothing of podd's. */
export function renderCleanup(current: Readonly<Record<TableName, TableState>>): string {
  const lines = TABLES.flatMap((t) => tableText(t, current[t], undefined));
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

/**
 * What of an installed ruleset is no longer there (a flushed table, a firewall reload, `iptables -F`): its jumps
 * from the built-in chains and its chains. Empty when all is in place; contents are not compared.
 */
export function missingRules(rules: Ruleset, current: Readonly<Record<TableName, TableState>>): string[] {
  const missing: string[] = [];
  for (const t of TABLES) {
    const chains = new Set(current[t].chains);
    for (const c of rules[t].chains) if (!chains.has(c)) missing.push(`${t} chain ${c}`);
    for (const j of JUMPS.filter((x) => x.table === t)) {
      if (!current[t].rules.some((r) => r.startsWith(`-A ${j.chain} `) && r.endsWith(`-j ${j.spec.split(' -j ')[1] ?? ''}`))) missing.push(`${t} jump from ${j.chain}`);
    }
  }
  return missing;
}

/** Whether a table state holds anything of podd's (for tests and for the "after stop" check). */
export function hasPoddRules(state: TableState): boolean {
  return state.chains.some(isPodd) || foreignJumps(state).length > 0;
}
