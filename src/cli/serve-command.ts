// `podd serve`: the node agent and a Kubernetes API for kubectl, state in SQLite under the data dir.
import { join } from 'node:path';
import { NodeAgent } from '../agent/node-agent.js';
import { reapOrphanedPods } from '../agent/orphans.js';
import { composeNode } from '../bin/compose.js';
import type { NodeConfig } from '../bin/node-config.js';
import { createApiServer } from '../server/http/api-server.js';
import { ensureToken } from '../server/auth/token.js';
import { renderKubeconfig, writeKubeconfig } from '../server/auth/kubeconfig.js';
import { ensurePki } from '../server/tls/pki.js';
import { SqliteObjectStore } from '../store/object-store.js';

export interface ServeOptions {
  bind: string;
  port: number;
  kubeconfig: string;
  /** SQLite database; <dataDir>/state.db by default. */
  db?: string;
}

export const DEFAULT_KUBECONFIG = '/etc/podd/kubeconfig.yaml';

export async function serveCommand(opts: ServeOptions, cfg: NodeConfig): Promise<number> {
  const log = (line: string): boolean => process.stderr.write(`${line}\n`);
  const pkiDir = join(cfg.dataDir, 'pki');
  const hosts = [...new Set(['127.0.0.1', 'localhost', opts.bind === '0.0.0.0' ? '127.0.0.1' : opts.bind])];
  const pki = await ensurePki(pkiDir, { hosts, now: new Date() });
  const token = await ensureToken(join(pkiDir, 'token'));
  const server = `https://${opts.bind === '0.0.0.0' ? '127.0.0.1' : opts.bind}:${opts.port}`;
  await writeKubeconfig(opts.kubeconfig, renderKubeconfig({ server, caPem: pki.caCertPem, token }));

  const dbPath = opts.db ?? join(cfg.dataDir, 'state.db');
  const store = SqliteObjectStore.open(dbPath);
  const node = await composeNode(cfg);
  const agent = new NodeAgent(store, node.deps, cfg.stateDir, log);
  const api = createApiServer({
    store,
    token,
    tls: { cert: pki.serverCertPem, key: pki.serverKeyPem },
    now: Date.now,
    nodeName: cfg.nodeName,
    version: { major: '1', minor: '32', gitVersion: 'v1.32.0' },
    logsDir: cfg.logsDir,
  });
  await new Promise<void>((resolve, reject) => {
    api.once('error', reject);
    api.listen(opts.port, opts.bind, () => resolve());
  });
  // Re-adopting running containers after an agent restart is not built yet: until it is, what a previous agent
  // left is removed and its pods start again from their spec (nothing duplicated, nothing leaked).
  const reaped = await reapOrphanedPods({
    runtime: node.deps.runtime, volumes: node.deps.volumes, stateDir: cfg.stateDir, podsDir: node.deps.paths.podsDir,
    onError: (uid, e) => log(`podd serve: could not remove pod ${uid}: ${e instanceof Error ? e.message : String(e)}`),
  });
  if (reaped.length > 0) log(`podd serve: removed the containers of ${reaped.length} pod(s) left by a previous agent; they start again`);
  agent.start();
  log(`podd serve: API on ${server} (kubeconfig ${opts.kubeconfig}); state in ${dbPath}`);

  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  // Containers keep running under conmon: stopping the agent stops nothing else.
  agent.stop();
  api.close();
  store.close();
  node.close();
  return 0;
}
