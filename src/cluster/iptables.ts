// The iptables binaries as the proxy uses them: save one table, restore without flushing others. On Debian 12
// `iptables` is iptables-nft, the same backend the CNI plugins call, so podd's rules and theirs share tables.
import { readFile } from 'node:fs/promises';
import { run } from '../runtime/exec.js';
import type { TableName } from '../core/proxy/restore.js';

export interface IptablesRunner {
  save(table: TableName): Promise<string>;
  /** iptables-restore --noflush: only the chains the text declares are flushed. */
  restore(text: string): Promise<void>;
}

export class IptablesCli implements IptablesRunner {
  constructor(private readonly saveBin = 'iptables-save', private readonly restoreBin = 'iptables-restore') {}

  async save(table: TableName): Promise<string> {
    return (await run(this.saveBin, ['-t', table], { timeoutMs: 10_000 })).stdout;
  }

  async restore(text: string): Promise<void> {
    // -w: wait for the xtables lock instead of failing while a CNI plugin holds it.
    await run(this.restoreBin, ['-w', '5', '--noflush'], { input: text, timeoutMs: 20_000 });
  }
}

/**
 * Whether bridged traffic passes through iptables (br_netfilter with bridge-nf-call-iptables=1). Without it, a
 * pod's reply to another pod on the same bridge skips conntrack and the DNAT is never undone, so the proxy must
 * masquerade all service traffic to force replies back through the host.
 */
export async function bridgeCallsIptables(path = '/proc/sys/net/bridge/bridge-nf-call-iptables'): Promise<boolean> {
  try {
    return (await readFile(path, 'utf8')).trim() === '1';
  } catch {
    return false;
  }
}
