// The record that makes DEL possible after a restart: which configuration ADD ran with and what it returned (libcni
// keeps the same facts under /var/lib/cni/results). It is written before ADD starts, without a result, so a crash
// in the middle of ADD still leaves enough for a DEL that releases what the plugins had taken.
import { confListToObject, isJsonObject, parseConfListObject } from './conflist.js';
import { NetworkError } from './errors.js';
import type { JsonObject, NetConfList, PortMapping, RuntimeCapabilities } from './types.js';

export const CACHE_KIND = 'poddCniCacheV1';

export interface CacheEntry {
  sandboxId: string;
  ifName: string;
  netnsPath: string;
  cniArgs: [string, string][];
  capabilities: RuntimeCapabilities;
  config: NetConfList;
  /** The final result of the chain; absent until ADD has completed. */
  result?: JsonObject;
}

export function encodeCacheEntry(entry: CacheEntry): string {
  return `${JSON.stringify({
    kind: CACHE_KIND,
    sandboxId: entry.sandboxId,
    networkName: entry.config.name,
    ifName: entry.ifName,
    netnsPath: entry.netnsPath,
    cniArgs: entry.cniArgs,
    capabilities: entry.capabilities,
    config: confListToObject(entry.config),
    ...(entry.result === undefined ? {} : { result: entry.result }),
  })}\n`;
}

function corrupt(source: string, message: string): NetworkError {
  return new NetworkError('InvalidConfig', `cache entry ${source}: ${message}`);
}

function portMappings(value: unknown, source: string): PortMapping[] {
  if (!Array.isArray(value)) throw corrupt(source, 'capabilities.portMappings must be a list');
  return value.map((m) => {
    if (!isJsonObject(m) || typeof m['hostPort'] !== 'number' || typeof m['containerPort'] !== 'number') {
      throw corrupt(source, 'a port mapping needs hostPort and containerPort');
    }
    const protocol = m['protocol'];
    if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'sctp') throw corrupt(source, 'port mapping protocol');
    const hostIP = typeof m['hostIP'] === 'string' ? m['hostIP'] : undefined;
    return { hostPort: m['hostPort'], containerPort: m['containerPort'], protocol, ...(hostIP === undefined ? {} : { hostIP }) };
  });
}

export function decodeCacheEntry(text: string, source: string): CacheEntry {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw corrupt(source, 'not valid JSON');
  }
  if (!isJsonObject(v) || v['kind'] !== CACHE_KIND) throw corrupt(source, `not a ${CACHE_KIND} record`);
  const { sandboxId, ifName, netnsPath, cniArgs, capabilities, config, result } = v;
  if (typeof sandboxId !== 'string' || typeof ifName !== 'string' || typeof netnsPath !== 'string') {
    throw corrupt(source, 'sandboxId, ifName and netnsPath must be strings');
  }
  if (!Array.isArray(cniArgs) || !cniArgs.every((a) => Array.isArray(a) && a.length === 2 && a.every((s) => typeof s === 'string'))) {
    throw corrupt(source, 'cniArgs must be [key, value] pairs');
  }
  if (!isJsonObject(capabilities)) throw corrupt(source, 'capabilities must be an object');
  if (result !== undefined && !isJsonObject(result)) throw corrupt(source, 'result must be an object');
  const caps: RuntimeCapabilities = capabilities['portMappings'] === undefined ? {} : { portMappings: portMappings(capabilities['portMappings'], source) };
  return {
    sandboxId,
    ifName,
    netnsPath,
    cniArgs: cniArgs as [string, string][],
    capabilities: caps,
    config: parseConfListObject(config, `cache entry ${source}`),
    ...(result === undefined ? {} : { result }),
  };
}
