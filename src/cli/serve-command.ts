// `podd serve`: the node agent and a Kubernetes API for kubectl, state in SQLite under the data dir.
import { join, resolve } from 'node:path';
import type { Service } from '../api/service-types.js';
import type { Pod } from '../api/types.js';
import type { AgentDeps } from '../agent/pod-context.js';
import { NodeAgent } from '../agent/node-agent.js';
import { NodeHeartbeat } from '../agent/node-heartbeat.js';
import { reapOrphanedPods } from '../agent/orphans.js';
import { composeNode } from '../bin/compose.js';
import { startClusterDnsFor } from '../cluster/dns/cluster-dns.js';
import { apiEndpointFor, serviceCidrFor, startServices } from '../cluster/services.js';
import { gcPolicyFromEnv, startImageGc } from '../runtime/image/image-gc.js';
import { RuncExecRunner } from '../runtime/oci/exec-session.js';
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
  /** How long events live after their last activity (--event-ttl; the API server's default 1 h when unset). */
  eventTtlMs?: number;
  /** ClusterIPs come from here (--service-cidr; else PODD_SERVICE_CIDR, else 10.87.0.0/16). */
  serviceCidr?: string;
}

function optionalApiEndpoint(e: { ip: string; port: number } | undefined): { apiEndpoint?: { ip: string; port: number } } {
  return e === undefined ? {} : { apiEndpoint: e };
}

export const DEFAULT_KUBECONFIG = '/etc/podd/kubeconfig.yaml';

export async function serveCommand(opts: ServeOptions, cfg: NodeConfig): Promise<number> {
  const log = (line: string): boolean => process.stderr.write(`${line}\n`);
  const serviceCidr = serviceCidrFor(opts.serviceCidr, cfg.podCidr);
  const pkiDir = join(cfg.dataDir, 'pki');
  const hosts = [...new Set(['127.0.0.1', 'localhost', opts.bind === '0.0.0.0' ? '127.0.0.1' : opts.bind])];
  const pki = await ensurePki(pkiDir, { hosts, now: new Date() });
  const token = await ensureToken(join(pkiDir, 'token'));
  const server = `https://${opts.bind === '0.0.0.0' ? '127.0.0.1' : opts.bind}:${opts.port}`;
  await writeKubeconfig(opts.kubeconfig, renderKubeconfig({ server, caPem: pki.caCertPem, token }));

  const dbPath = resolve(opts.db ?? join(cfg.dataDir, 'state.db'));
  const store = SqliteObjectStore.open(dbPath);
  const node = await composeNode(cfg);
  const imageGc = startImageGc(node.images, { stateDir: cfg.stateDir, policy: gcPolicyFromEnv(process.env), onError: (e) => log(`podd serve: image garbage collection: ${e instanceof Error ? e.message : String(e)}`) });
  // Before the agent: pods it re-adopts or starts find the server (bound now, or as soon as the pod bridge appears).
  const dns = await startClusterDnsFor(store, cfg, log);
  const deps: AgentDeps = {
    ...node.deps,
    services: () => store.list<Service>('services', undefined).items,
    ...(dns === undefined ? {} : { clusterDns: { nameservers: [dns.ip], ready: () => dns.ensureServing() } }),
  };
  const agent = new NodeAgent(store, deps, { stateDir: cfg.stateDir, db: dbPath, log });
  const exec = new RuncExecRunner({ runcPath: cfg.runcPath, stateDir: cfg.stateDir, instances: () => node.deps.runtime.list() });
  const api = createApiServer({
    store,
    token,
    tls: { cert: pki.serverCertPem, key: pki.serverKeyPem },
    now: Date.now,
    nodeName: cfg.nodeName,
    ...(cfg.nodeIP === undefined ? {} : { nodeIP: cfg.nodeIP }),
    version: { major: '1', minor: '32', gitVersion: 'v1.32.0' },
    logsDir: cfg.logsDir,
    ...(opts.eventTtlMs === undefined ? {} : { eventTtlMs: opts.eventTtlMs }),
    exec,
    serviceCidr,
    ...optionalApiEndpoint(apiEndpointFor(opts.bind, opts.port, cfg.nodeIP)),
  });
  await new Promise<void>((resolve, reject) => {
    api.once('error', reject);
    api.listen(opts.port, opts.bind, () => resolve());
  });
  // Pods a previous agent on this database left keep running and are re-adopted by agent.start(); what is left of
  // pods deleted meanwhile, or of `podd run`s that are gone, is removed first.
  const stored = new Set(store.list<Pod>('pods', undefined).items.map((p) => p.metadata.uid ?? ''));
  const reaped = await reapOrphanedPods({
    ...node.orphans,
    onError: (uid, e) => log(`podd serve: could not remove pod ${uid}: ${e instanceof Error ? e.message : String(e)}`),
  }, { agent: 'serve', db: dbPath, keep: (uid) => stored.has(uid) });
  if (reaped.length > 0) log(`podd serve: removed what ${reaped.length} pod(s) no longer stored had left`);
  await agent.start();
  const heartbeat = new NodeHeartbeat(store, { nodeName: cfg.nodeName, now: Date.now, log });
  heartbeat.start();
  const services = await startServices(store, { nodeName: cfg.nodeName, ...(cfg.podCidr === undefined ? {} : { podCidr: cfg.podCidr }), log });
  log(`podd serve: API on ${server} (kubeconfig ${opts.kubeconfig}); state in ${dbPath}`);

  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  // Containers keep running under conmon: stopping the agent stops nothing else.
  await agent.stop();
  heartbeat.stop();
  imageGc.stop();
  await services.stop();
  await dns?.close();
  api.close();
  await exec.close();
  store.close();
  node.close();
  return 0;
}
