// kube-proxy for one node: keeps podd's iptables chains equal to generateRules(Services, EndpointSlices). Every
// change to either queues a sync (debounced, one at a time, the latest state each time); a periodic check
// restores rules someone else removed, and a periodic resync rewrites them all. Start and stop remove every podd chain and jump, so a crashed podd's rules
// never outlive the next start, and a stopped one leaves nothing behind.
import type { EndpointSlice, Service } from '../api/service-types.js';
import { staleUdpFlows, type ConntrackDeletion } from '../core/proxy/conntrack.js';
import { generateRules, udpDestinations } from '../core/proxy/rules.js';
import type { ProxyInput, Ruleset } from '../core/proxy/rules.js';
import { TABLES, missingRules, parseSave, renderCleanup, renderSync } from '../core/proxy/restore.js';
import type { TableName, TableState } from '../core/proxy/restore.js';
import type { ObjectStore } from '../store/types.js';
import type { ConntrackRunner } from './conntrack.js';
import type { IptablesRunner } from './iptables.js';
import { ResyncWatch } from './resync-watch.js';

export interface ServiceProxyOptions {
  iptables: IptablesRunner;
  /** Clears UDP flows a change left going to a gone endpoint (or to a REJECT); without it they wait for a timeout. */
  conntrack?: ConntrackRunner;
  nodeName: string;
  /** Traffic from outside it to a ClusterIP is masqueraded. */
  podCidr?: string;
  masqueradeAll?: boolean;
  log?: (line: string) => void;
  /** Changes within this window make one sync (default 100 ms). */
  debounceMs?: number;
  /** Full resync period (default 30 s). */
  resyncMs?: number;
  /** How often to check that the rules are still there (default 10 s), as kube-proxy's canary chain does. */
  checkMs?: number;
}

export class ServiceProxy {
  private readonly watch: ResyncWatch;
  private readonly log: (line: string) => void;
  private timer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private installed: Ruleset | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private lastRules = '';
  /**
   * udpDestinations of the rules in place; unknown before the first sync, which clears nothing (as kube-proxy's
   * change tracker, it cannot know what a previous agent's rules sent where, and live flows are left alone).
   */
  private udp: Map<string, Set<string>> | undefined;
  private conntrackMissing = false;

  constructor(private readonly store: ObjectStore, private readonly opts: ServiceProxyOptions) {
    this.log = opts.log ?? (() => undefined);
    this.watch = new ResyncWatch(store, {
      resources: ['services', 'endpointslices'],
      onEvent: () => this.schedule(),
      onResync: () => this.schedule(),
      log: (line) => this.log(`service proxy: ${line}`),
    });
  }

  /** Removes what a previous podd left, installs the current rules, then follows changes. */
  async start(): Promise<void> {
    await this.cleanup();
    await this.syncNow();
    this.watch.start();
    this.resyncTimer = setInterval(() => {
      // Forget the last ruleset so the resync rewrites even when nothing changed here.
      this.lastRules = '';
      this.schedule();
    }, this.opts.resyncMs ?? 30_000);
    this.checkTimer = setInterval(() => void this.check(), this.opts.checkMs ?? 10_000);
  }

  /** Stops following changes and removes every podd chain and jump. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.watch.stop();
    clearTimeout(this.timer);
    clearInterval(this.resyncTimer);
    clearInterval(this.checkTimer);
    await this.running;
    await this.cleanup();
  }

  /** Syncs now (after any sync in progress); resolves when the rules are in place. */
  async syncNow(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.running !== undefined) await this.running;
    this.running = this.sync().finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.syncNow().catch(() => undefined);
    }, this.opts.debounceMs ?? 100);
  }

  private input(): ProxyInput {
    const input: ProxyInput = {
      services: this.store.list<Service>('services', undefined).items,
      slices: this.store.list<EndpointSlice>('endpointslices', undefined).items,
      nodeName: this.opts.nodeName,
    };
    if (this.opts.podCidr !== undefined) input.podCidr = this.opts.podCidr;
    if (this.opts.masqueradeAll === true) input.masqueradeAll = true;
    return input;
  }

  private async current(): Promise<Record<TableName, TableState>> {
    const out = {} as Record<TableName, TableState>;
    for (const t of TABLES) out[t] = parseSave(await this.opts.iptables.save(t), t);
    return out;
  }

  private async sync(): Promise<void> {
    this.again = false;
    if (this.stopped) return;
    const input = this.input();
    const rules = generateRules(input);
    const key = JSON.stringify(rules);
    if (key === this.lastRules) return;
    try {
      await this.opts.iptables.restore(renderSync(rules, await this.current()));
      this.lastRules = key;
      this.installed = rules;
      // After the rules: a flow cleared before them could be made again by the old ones.
      const udp = udpDestinations(input);
      if (this.udp !== undefined) await this.clearStaleFlows(staleUdpFlows(this.udp, udp));
      this.udp = udp;
    } catch (err) {
      this.log(`service proxy: sync failed, retrying: ${err instanceof Error ? err.message : String(err)}`);
      this.again = true;
    } finally {
      if (this.again && !this.stopped) {
        this.timer ??= setTimeout(() => {
          this.timer = undefined;
          void this.syncNow().catch(() => undefined);
        }, this.lastRules === key ? this.opts.debounceMs ?? 100 : 2000);
      }
    }
  }

  private async clearStaleFlows(deletions: readonly ConntrackDeletion[]): Promise<void> {
    if (this.opts.conntrack === undefined || this.conntrackMissing) return;
    for (const d of deletions) {
      try {
        await this.opts.conntrack.delete(d);
      } catch (err) {
        if ((err as { cause?: { code?: unknown } }).cause?.code === 'ENOENT') {
          this.conntrackMissing = true;
          this.log('service proxy: conntrack not found (install the conntrack package): UDP flows to gone endpoints last until they time out');
          return;
        }
        this.log(`service proxy: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** Someone flushed a table or deleted podd's chains: write everything again. */
  private async check(): Promise<void> {
    if (this.stopped || this.running !== undefined || this.installed === undefined) return;
    try {
      const missing = missingRules(this.installed, await this.current());
      if (missing.length === 0 || this.stopped) return;
      this.log(`service proxy: rules removed from outside (${missing.slice(0, 3).join(', ')}); restoring them`);
      this.lastRules = '';
      this.schedule();
    } catch (err) {
      this.log(`service proxy: cannot check the rules: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async cleanup(): Promise<void> {
    const text = renderCleanup(await this.current());
    if (text !== '') await this.opts.iptables.restore(text);
    this.lastRules = '';
    this.installed = undefined;
  }
}
