// Pod networking through standard CNI: a pinned namespace per sandbox, the first conflist of the configuration
// directory, results cached per sandbox so DEL and CHECK work after a restart.
import { type CacheEntry } from '../../core/network/cache.js';
import { isJsonObject } from '../../core/network/conflist.js';
import { bridgeOf } from '../../core/network/default-conflist.js';
import { NetworkError, isNetworkError } from '../../core/network/errors.js';
import { cniEnv, containerIdProblem, podCniArgs } from '../../core/network/invocation.js';
import { validatePortMappings } from '../../core/network/port-mappings.js';
import { parseResult, podNetworkStatus } from '../../core/network/result.js';
import type { PodNetworkStatus } from '../../core/network/types.js';
import { supportsCheck } from '../../core/network/versions.js';
import { PoddError, wrap } from '../../core/errors.js';
import { Rollback } from '../rollback.js';
import { removeIdleBridge } from './bridge-gc.js';
import { type ChainContext, addChain, checkChain, delChain } from './cni-chain.js';
import { type LoadedNetwork, loadNetwork } from './config-dir.js';
import { KeyedLock } from './keyed-lock.js';
import { NetnsManager } from './netns.js';
import { ExecPluginInvoker, type PluginInvoker } from './plugin-exec.js';
import { ResultCache } from './result-cache.js';
import type { CniPodNetworkOptions, PodNetwork, PodNetworkRecord, PodNetworkRequest, PodNetworkSetup } from './types.js';

export const DEFAULT_BIN_DIRS = ['/usr/lib/cni', '/opt/cni/bin'];

function withCleanupErrors(err: unknown, cleanup: Error[]): unknown {
  if (cleanup.length === 0) return err;
  const suffix = ` (cleanup also failed: ${cleanup.map((e) => e.message).join('; ')})`;
  if (isNetworkError(err)) {
    return new NetworkError(err.reason, err.message + suffix, { cause: err, ...(err.cniCode === undefined ? {} : { cniCode: err.cniCode }) });
  }
  return wrap(err, `setting up the pod network${suffix}`);
}

export class CniPodNetwork implements PodNetwork {
  readonly #confDir: string;
  readonly #binDirs: string[];
  readonly #ifName: string;
  readonly #timeoutMs: number;
  readonly #opts: CniPodNetworkOptions;
  readonly #netns: NetnsManager;
  readonly #cache: ResultCache;
  readonly #invoker: PluginInvoker;
  readonly #lock = new KeyedLock();
  /** ADDs in flight; the idle bridge is only removed when there are none, and new ADDs wait while it is. */
  #adds = 0;
  #bridgeGc: Promise<void> | undefined;

  constructor(opts: CniPodNetworkOptions = {}) {
    this.#opts = opts;
    this.#confDir = opts.confDir ?? '/etc/cni/net.d';
    this.#binDirs = opts.binDirs ?? DEFAULT_BIN_DIRS;
    this.#ifName = opts.ifName ?? 'eth0';
    this.#timeoutMs = opts.pluginTimeoutMs ?? 60_000;
    this.#netns = new NetnsManager(opts.netnsDir ?? '/run/podd/netns');
    this.#cache = new ResultCache(opts.cacheDir ?? '/var/lib/podd/cni/results');
    this.#invoker = opts.invoker ?? new ExecPluginInvoker(this.#binDirs);
  }

  netnsPath(sandboxId: string): string {
    return this.#netns.path(sandboxId);
  }

  #load(): Promise<LoadedNetwork> {
    return loadNetwork(this.#confDir, this.#opts.defaultNetwork ?? {});
  }

  #context(entry: CacheEntry, netnsPath: string, signal?: AbortSignal): ChainContext {
    return {
      containerId: entry.sandboxId,
      netnsPath,
      ifName: entry.ifName,
      cniArgs: entry.cniArgs,
      capabilities: entry.capabilities,
      binDirs: this.#binDirs,
      timeoutMs: this.#timeoutMs,
      ...(signal === undefined ? {} : { signal }),
    };
  }

  async setUp(req: PodNetworkRequest): Promise<PodNetworkSetup> {
    const problem = containerIdProblem(req.sandboxId);
    if (problem !== undefined) throw new NetworkError('InvalidConfig', `sandbox id "${req.sandboxId}" ${problem}`);
    validatePortMappings(req.portMappings ?? []);
    try {
      return await this.#lock.run(req.sandboxId, async () => {
        while (this.#bridgeGc) await this.#bridgeGc;
        this.#adds++;
        try {
          return await this.#setUp(req);
        } finally {
          this.#adds--;
        }
      });
    } catch (err) {
      // the failed ADD may have been the one that created the bridge
      await this.#collectBridge(undefined);
      throw err;
    }
  }

  async #setUp(req: PodNetworkRequest): Promise<PodNetworkSetup> {
    const id = req.sandboxId;
    if ((await this.#cache.read(id).catch(() => 'corrupt')) !== undefined || (await this.#netns.list()).some((n) => n.id === id)) {
      throw new PoddError('AlreadyExists', `sandbox ${id} already has network state; tear it down first`);
    }
    const { list } = await this.#load();
    const cniArgs = podCniArgs({ namespace: req.namespace, name: req.podName, uid: req.podUid, sandboxId: id });
    // what the plugins would refuse is refused here, before anything exists to undo
    cniEnv({ command: 'ADD', containerId: id, netnsPath: this.#netns.path(id), ifName: this.#ifName, args: cniArgs, binDirs: this.#binDirs });
    // a missing plugin (or its IPAM plugin) is found before anything is made, not half-way through the chain
    for (const p of list.plugins) {
      await this.#invoker.find(p.type);
      const ipam = p.raw['ipam'];
      if (isJsonObject(ipam) && typeof ipam['type'] === 'string') await this.#invoker.find(ipam['type']);
    }
    const rollback = new Rollback();
    try {
      const netnsPath = await this.#netns.create(id);
      let delFailed = false;
      rollback.push(`network namespace ${netnsPath}`, async () => {
        // after a failed DEL the namespace stays with the record: plugins such as bridge 1.1.1 find what to
        // release (the NAT rules of eth0's address) only through it, so the retry needs it
        if (!delFailed) await this.#netns.remove(id);
      });
      const ports = req.portMappings ?? [];
      const entry: CacheEntry = {
        sandboxId: id,
        ifName: this.#ifName,
        netnsPath,
        cniArgs,
        capabilities: ports.length > 0 ? { portMappings: ports } : {},
        config: list,
      };
      await this.#cache.write(entry);
      rollback.push(`CNI DEL on network ${list.name}`, async () => {
        // the caller's signal may be what failed the ADD: the undo must still run to the end
        try {
          await delChain(this.#invoker, list, this.#context(entry, netnsPath), undefined);
        } catch (err) {
          delFailed = true;
          throw err;
        }
        await this.#cache.remove(id);
      });
      const result = await addChain(this.#invoker, list, this.#context(entry, netnsPath, req.signal));
      const status = podNetworkStatus(result, this.#ifName);
      if (status.ips.length === 0) {
        throw new NetworkError('InvalidResult', `network ${list.name} gave ${this.#ifName} no IP address`);
      }
      await this.#cache.write({ ...entry, result: result.raw });
      rollback.release();
      return { netnsPath, status, networkName: list.name };
    } catch (err) {
      throw withCleanupErrors(err, await rollback.unwind());
    }
  }

  async check(sandboxId: string, signal?: AbortSignal): Promise<void> {
    await this.#lock.run(sandboxId, async () => {
      const entry = await this.#cache.read(sandboxId);
      if (entry?.result === undefined) throw new NetworkError('NotFound', `sandbox ${sandboxId} has no pod network`);
      if (entry.config.disableCheck || !supportsCheck(entry.config.cniVersion)) return;
      if (!(await this.#netns.isPinned(sandboxId))) {
        throw new NetworkError('NotFound', `network namespace of sandbox ${sandboxId} is gone`);
      }
      await checkChain(this.#invoker, entry.config, this.#context(entry, this.#netns.path(sandboxId), signal), entry.result);
    });
  }

  async status(sandboxId: string): Promise<PodNetworkStatus | undefined> {
    const entry = await this.#cache.read(sandboxId);
    if (entry?.result === undefined) return undefined;
    return podNetworkStatus(parseResult(entry.result, this.#cache.file(sandboxId)), entry.ifName);
  }

  async tearDown(sandboxId: string, signal?: AbortSignal): Promise<void> {
    const bridge = await this.#lock.run(sandboxId, () => this.#tearDown(sandboxId, signal));
    if (bridge !== undefined) await this.#collectBridge(bridge);
  }

  /** Returns the default network's bridge when this was one of its pods. */
  async #tearDown(sandboxId: string, signal?: AbortSignal): Promise<string | undefined> {
    const netnsPath = this.#netns.path(sandboxId);
    let entry: CacheEntry | undefined;
    try {
      entry = await this.#cache.read(sandboxId);
    } catch (err) {
      if (!isNetworkError(err, 'InvalidConfig')) throw err;
      // unreadable record: DEL with today's configuration and no prevResult still releases what plugins hold
      const { list } = await this.#load();
      this.#opts.log?.(`pod network: ${err.message}; running DEL with ${list.name} from ${this.#confDir}`);
      entry = { sandboxId, ifName: this.#ifName, netnsPath, cniArgs: [], capabilities: {}, config: list };
    }
    if (entry !== undefined) {
      const pinned = await this.#netns.isPinned(sandboxId);
      await delChain(this.#invoker, entry.config, this.#context(entry, pinned ? netnsPath : '', signal), entry.result);
      await this.#cache.remove(sandboxId);
    }
    await this.#netns.remove(sandboxId);
    return entry === undefined ? undefined : bridgeOf(entry.config);
  }

  /** Removes the default network's bridge when no pod uses it; `bridge`, when given, must be that bridge. */
  async #collectBridge(bridge: string | undefined): Promise<void> {
    if (this.#opts.removeIdleBridge === false) return;
    while (this.#bridgeGc) await this.#bridgeGc;
    if (this.#adds > 0) return;
    this.#bridgeGc = (async () => {
      try {
        const loaded = await this.#load();
        const current = bridgeOf(loaded.list);
        if (!loaded.isPoddDefault || current === undefined || (bridge !== undefined && current !== bridge)) return;
        await removeIdleBridge(current, loaded.list.name, this.#cache);
      } catch (err) {
        this.#opts.log?.(`pod network: removing the idle bridge: ${err instanceof Error ? err.message : String(err)}`);
      }
    })().finally(() => (this.#bridgeGc = undefined));
    await this.#bridgeGc;
  }

  async list(): Promise<PodNetworkRecord[]> {
    const [cached, namespaces] = await Promise.all([this.#cache.list(), this.#netns.list()]);
    const pinned = new Map(namespaces.map((n) => [n.id, n.pinned]));
    const ids = [...new Set([...cached, ...pinned.keys()])].sort();
    return Promise.all(
      ids.map(async (sandboxId) => {
        const entry = cached.includes(sandboxId) ? await this.#cache.read(sandboxId).catch(() => undefined) : undefined;
        return {
          sandboxId,
          netnsPath: this.#netns.path(sandboxId),
          pinned: pinned.get(sandboxId) ?? false,
          cached: cached.includes(sandboxId),
          complete: entry?.result !== undefined,
        };
      }),
    );
  }
}
