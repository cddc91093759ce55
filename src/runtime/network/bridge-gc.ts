// The bridge plugin creates its bridge on the first ADD and never deletes it. For podd's own default network the
// bridge is podd's, so it goes with the last pod: no stray interface with a gateway address stays on the host.
import { run } from '../exec.js';
import type { ResultCache } from './result-cache.js';

async function inUse(networkName: string, cache: ResultCache): Promise<boolean> {
  for (const id of await cache.list()) {
    // an unreadable record may belong to this network: keep the bridge rather than guess
    const entry = await cache.read(id).catch(() => undefined);
    if (entry === undefined || entry.config.name === networkName) return true;
  }
  return false;
}

async function exists(bridge: string): Promise<boolean> {
  try {
    await run('ip', ['link', 'show', 'dev', bridge], { timeoutMs: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** Deletes `bridge` unless some cached sandbox of `networkName` still uses it. */
export async function removeIdleBridge(bridge: string, networkName: string, cache: ResultCache): Promise<void> {
  if (await inUse(networkName, cache)) return;
  if (!(await exists(bridge))) return;
  await run('ip', ['link', 'delete', 'dev', bridge, 'type', 'bridge'], { timeoutMs: 10_000 });
}
