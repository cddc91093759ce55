// Executes a network configuration list the way SPEC.md orders it: ADD in list order, each plugin given the previous
// plugin's result; CHECK in order and DEL in reverse, each given the cached result of the whole ADD. The first
// failure stops the chain (the caller decides how to unwind).
import { cniEnv, pluginConfig, pluginOrder } from '../../core/network/invocation.js';
import { decodeOutput, parseResult } from '../../core/network/result.js';
import type { CniCommand, CniResult, JsonObject, NetConfList, RuntimeCapabilities } from '../../core/network/types.js';
import type { PluginInvoker } from './plugin-exec.js';

export interface ChainContext {
  containerId: string;
  /** Empty for a DEL after the namespace is gone. */
  netnsPath: string;
  ifName: string;
  cniArgs: readonly (readonly [string, string])[];
  capabilities: RuntimeCapabilities;
  binDirs: readonly string[];
  timeoutMs: number;
  signal?: AbortSignal;
}

async function invoke(invoker: PluginInvoker, list: NetConfList, index: number, command: CniCommand, ctx: ChainContext, prevResult?: JsonObject): Promise<string> {
  const plugin = list.plugins[index];
  if (!plugin) throw new RangeError(`plugin index ${index} out of range`);
  const env = cniEnv({ command, containerId: ctx.containerId, netnsPath: ctx.netnsPath, ifName: ctx.ifName, args: ctx.cniArgs, binDirs: ctx.binDirs });
  const config = pluginConfig(list, index, { command, capabilities: ctx.capabilities, ...(prevResult === undefined ? {} : { prevResult }) });
  return invoker.invoke({ type: plugin.type, command, env, config, timeoutMs: ctx.timeoutMs, ...(ctx.signal === undefined ? {} : { signal: ctx.signal }) });
}

export async function addChain(invoker: PluginInvoker, list: NetConfList, ctx: ChainContext): Promise<CniResult> {
  let result: CniResult | undefined;
  for (const i of pluginOrder(list, 'ADD')) {
    const source = `CNI plugin ${list.plugins[i]?.type ?? i} ADD`;
    result = parseResult(decodeOutput(await invoke(invoker, list, i, 'ADD', ctx, result?.raw), source), source);
  }
  if (!result) throw new RangeError('empty plugin list');
  return result;
}

export async function checkChain(invoker: PluginInvoker, list: NetConfList, ctx: ChainContext, prevResult: JsonObject): Promise<void> {
  for (const i of pluginOrder(list, 'CHECK')) await invoke(invoker, list, i, 'CHECK', ctx, prevResult);
}

export async function delChain(invoker: PluginInvoker, list: NetConfList, ctx: ChainContext, prevResult: JsonObject | undefined): Promise<void> {
  for (const i of pluginOrder(list, 'DEL')) await invoke(invoker, list, i, 'DEL', ctx, prevResult);
}
