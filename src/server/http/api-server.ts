// `podd serve`'s Kubernetes API: an https.Server that kubectl v1.32 drives (see kubectl-wire-protocol.md).
// Every request needs the bearer token. Routes: /version, discovery (/api, /apis, /api/v1), OpenAPI v3, and
// core/v1 resources under /api/v1. Listening is the caller's.

import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ObjectStore } from '../../store/types.js';
import { checkBearer } from '../auth/token.js';
import { negotiateDiscovery, ACCEPTED_MEDIA_TYPES } from '../wire/accept.js';
import { badRequestStatus, methodNotSupportedStatus, notAcceptableStatus, statusForError, unauthorizedStatus } from '../wire/status.js';
import type { Status } from '../wire/status.js';
import {
  GROUPS, aggregatedCore, aggregatedGroups, apiGroupDocument, apiGroupList, apiResourceList, apiVersions, openApiCoreV1, openApiGroupVersion,
  openApiRoot, resourceInfo, versionInfo,
} from './discovery.js';
import { handleCreate, handleDelete, handleGet, handleList, handlePatch, handleReplace } from './handlers.js';
import type { HandlerDeps, Target } from './handlers.js';
import { HttpError, sendJson, sendStatus } from './respond.js';
import { seedStore } from './seed.js';
import { seedKubernetesService } from './seed-services.js';
import { DEFAULT_SERVICE_CIDR, parseServiceCidr } from '../../core/service/ip-range.js';
import { PoddError } from '../../core/errors.js';
import { DEFAULT_EVENT_TTL_MS, startEventExpiry } from '../../store/event-ttl.js';
import { handleWatch } from './watch.js';
import { handleLogs } from './pod-logs.js';
import { execUpgradeHandler, rejectUpgrade } from './pod-exec.js';
import type { ExecRunner } from './pod-exec.js';

export interface ApiServerOptions {
  store: ObjectStore;
  token: string;
  tls: { cert: string; key: string };
  now: () => number;
  nodeName: string;
  /** The node's InternalIP (127.0.0.1 when unknown). */
  nodeIP?: string;
  version: { major: '1'; minor: '32'; gitVersion: 'v1.32.0' };
  /** Request body limit (default 3 MiB, the apiserver's). */
  maxBodyBytes?: number;
  /** Events last active longer ago are deleted (the apiserver's --event-ttl, default 1 h). */
  eventTtlMs?: number;
  /** Where conmon writes the CRI logs (the kubelet's /var/log/pods layout). */
  logsDir?: string;
  /** Runs `kubectl exec` commands; without it exec answers 405. */
  exec?: ExecRunner;
  /** ClusterIPs come from here (default 10.87.0.0/16); the first address is the `kubernetes` Service's. */
  serviceCidr?: string;
  /** Where pods reach this API (the `kubernetes` Service's endpoint); unset when they cannot (a loopback bind). */
  apiEndpoint?: { ip: string; port: number };
  /** Randomness for ClusterIP allocation; injectable for tests. */
  random?: () => number;
}

const NOT_FOUND: Status = {
  kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource',
  reason: 'NotFound', details: {}, code: 404,
};

/** Resources with a status subresource (PUT/PATCH of status only). */
const STATUS_SUBRESOURCE = ['pods', 'namespaces', 'services'];

/** Parses the path after `/api/v1` (or `/apis/<group>/v1`) into a resource target; undefined when it names nothing podd serves. */
export function parseTarget(segs: readonly string[], group = ''): Target | undefined {
  let ns: string | undefined;
  let rest = segs;
  if (segs[0] === 'namespaces' && segs.length >= 3 && segs[2] !== 'status' && segs[2] !== 'finalize') {
    ns = segs[1];
    rest = segs.slice(2);
  }
  const [res = '', name, sub, ...extra] = rest;
  const info = resourceInfo(res, group);
  if (info === undefined || extra.length > 0 || name === '' || sub === '') return undefined;
  if (info.namespaced === false && ns !== undefined) return undefined;
  if (info.namespaced && ns === undefined && name !== undefined) return undefined;
  if (sub !== undefined && !((sub === 'status' && STATUS_SUBRESOURCE.includes(res)) || (sub === 'log' && res === 'pods'))) return undefined;
  const t: Target = { info, namespace: info.namespaced ? ns : '' };
  if (name !== undefined) t.name = name;
  if (sub !== undefined) t.subresource = sub;
  return t;
}

async function routeResource(deps: HandlerDeps & { logsDir: string }, req: IncomingMessage, res: ServerResponse, t: Target, query: URLSearchParams): Promise<void> {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && query.getAll('dryRun').some((v) => v !== '')) {
    // Never write when asked not to: podd has no dry-run path yet.
    throw new HttpError(400, badRequestStatus('dryRun is not supported by podd'));
  }
  if (t.name === undefined) {
    if (method === 'GET') {
      const watch = query.get('watch');
      if (watch === 'true' || watch === '1') handleWatch(deps, req, res, t, query);
      else handleList(deps, req, res, t, query);
      return;
    }
    if (method === 'POST' && t.namespace !== undefined) return handleCreate(deps, req, res, t, query);
  } else {
    switch (method) {
      case 'GET': return t.subresource === 'log' ? handleLogs(deps, req, res, t, query) : handleGet(deps, req, res, t, query);
      case 'PUT': return handleReplace(deps, req, res, t, query);
      case 'PATCH': return handlePatch(deps, req, res, t, query);
      case 'DELETE': if (t.subresource === undefined) return handleDelete(deps, req, res, t, query);
    }
  }
  throw new HttpError(405, methodNotSupportedStatus({ resource: t.info.name }, method.toLowerCase()));
}

function discovery(req: IncomingMessage, res: ServerResponse, path: string, opts: ApiServerOptions): boolean {
  if (path === '/version') {
    sendJson(res, 200, versionInfo(opts.version));
    return true;
  }
  if (path === '/api' || path === '/apis') {
    const d = negotiateDiscovery(req.headers.accept);
    if (d === undefined) throw new HttpError(406, notAcceptableStatus(ACCEPTED_MEDIA_TYPES));
    if (d.aggregated) sendJson(res, 200, path === '/api' ? aggregatedCore(d.version ?? 'v2') : aggregatedGroups(d.version ?? 'v2'), d.contentType);
    else sendJson(res, 200, path === '/api' ? apiVersions(req.socket.localAddress ?? '127.0.0.1') : apiGroupList());
    return true;
  }
  if (path === '/api/v1') sendJson(res, 200, apiResourceList());
  else if (path === '/openapi/v3') sendJson(res, 200, openApiRoot());
  else if (path === '/openapi/v3/api/v1') sendJson(res, 200, openApiCoreV1(opts.version.gitVersion));
  else {
    // The named groups: /apis/<g>, /apis/<g>/v1 and their OpenAPI document.
    const g = GROUPS.find((x) => path === `/apis/${x.name}` || path === `/apis/${x.name}/${x.version}` || path === `/openapi/v3/apis/${x.name}/${x.version}`);
    if (g === undefined) return false;
    if (path === `/apis/${g.name}`) sendJson(res, 200, apiGroupDocument(g.name));
    else if (path.startsWith('/openapi/')) sendJson(res, 200, openApiGroupVersion(g.name, opts.version.gitVersion));
    else sendJson(res, 200, apiResourceList(g.name));
  }
  return true;
}

/** `/api/v1/...` or `/apis/<group>/<version>/...`: the group and the segments after the version. */
function splitApiPath(segs: readonly string[]): { group: string; rest: string[] } | undefined {
  if (segs[0] === 'api' && segs[1] === 'v1') return { group: '', rest: segs.slice(2) };
  if (segs[0] === 'apis' && GROUPS.some((g) => g.name === segs[1] && g.version === segs[2])) return { group: segs[1] ?? '', rest: segs.slice(3) };
  return undefined;
}

export function createApiServer(opts: ApiServerOptions): Server {
  const range = parseServiceCidr(opts.serviceCidr ?? DEFAULT_SERVICE_CIDR);
  if (!range.ok) throw new PoddError('Invalid', `service CIDR: ${range.message}`);
  const deps: HandlerDeps & { logsDir: string } = {
    store: opts.store, now: opts.now, nodeName: opts.nodeName, maxBodyBytes: opts.maxBodyBytes ?? 3 * 1024 * 1024, logsDir: opts.logsDir ?? '/var/log/pods',
    serviceRange: range.range, random: opts.random ?? Math.random,
  };
  seedStore(opts.store, opts.nodeName, opts.version.gitVersion, opts.now(), opts.nodeIP);
  seedKubernetesService(opts.store, range.range, opts.apiEndpoint);
  const stopEventExpiry = startEventExpiry(opts.store, { ttlMs: opts.eventTtlMs ?? DEFAULT_EVENT_TTL_MS, now: opts.now });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!checkBearer(req.headers.authorization, opts.token)) {
      sendStatus(res, 401, unauthorizedStatus());
      return;
    }
    const url = new URL(req.url ?? '/', 'https://podd.invalid');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    let target: Target | undefined;
    try {
      if (req.method === 'GET' && discovery(req, res, path, opts)) return;
      const segs = path.split('/').filter((s) => s !== '').map(decodeURIComponent);
      const api = splitApiPath(segs);
      if (api === undefined) throw new HttpError(404, NOT_FOUND);
      target = parseTarget(api.rest, api.group);
      if (target === undefined) throw new HttpError(404, NOT_FOUND);
      await routeResource(deps, req, res, target, url.searchParams);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) {
        sendStatus(res, err.code, err.body);
        return;
      }
      const ctx: { resource: string; name?: string; kind?: string } = { resource: target?.info.name ?? '' };
      if (target?.name !== undefined) ctx.name = target.name;
      if (target !== undefined) ctx.kind = target.info.kind;
      const { code, body } = statusForError(err, ctx);
      sendStatus(res, code, body);
    }
  };

  const server = createServer({ cert: opts.tls.cert, key: opts.tls.key }, (req, res) => {
    void handle(req, res);
  });
  // exec arrives as a WebSocket upgrade, which never reaches the request handler.
  const exec = execUpgradeHandler({ store: opts.store, runner: opts.exec });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (checkBearer(req.headers.authorization, opts.token)) exec(req, socket, head);
    else rejectUpgrade(socket, 401, unauthorizedStatus());
  });
  server.on('close', stopEventExpiry);
  return server;
}
