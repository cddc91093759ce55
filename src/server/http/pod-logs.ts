// GET pods/{name}/log: the container's CRI log file, in the kubelet's layout, as text/plain (what kubectl logs reads).
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Pod } from '../../api/types.js';
import { parseCriLogLine } from '../../core/logs/cri-log.js';
import { badRequestStatus } from '../wire/status.js';
import type { HandlerDeps, Target } from './handlers.js';
import { HttpError } from './respond.js';

const FOLLOW_POLL_MS = 200;

export interface LogRenderOptions {
  timestamps: boolean;
  tailLines?: number;
  /** Records older than this (ms since epoch) are left out: sinceSeconds / sinceTime. */
  sinceMs?: number;
}

/** Whole CRI records → the text the container wrote; `timestamps` prefixes each line with its time. */
export function renderCriLog(text: string, opts: LogRenderOptions): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const rec = parseCriLogLine(line);
    if (!rec) continue;
    if (opts.sinceMs !== undefined && Date.parse(rec.time) < opts.sinceMs) continue;
    const prefix = opts.timestamps ? `${rec.time} ` : '';
    out.push(`${prefix}${rec.content}${rec.partial ? '' : '\n'}`);
  }
  const lines = out.join('').split(/(?<=\n)/);
  return (opts.tailLines === undefined ? lines : lines.slice(Math.max(0, lines.length - opts.tailLines))).join('');
}

/** sinceSeconds or sinceTime (the apiserver rejects both at once), as a cutoff in ms since epoch. */
function sinceCutoff(query: URLSearchParams, now: number): number | undefined {
  const seconds = query.get('sinceSeconds');
  const time = query.get('sinceTime');
  if (seconds !== null && time !== null) throw new HttpError(400, badRequestStatus('at most one of sinceTime or sinceSeconds may be specified'));
  if (seconds !== null) {
    const n = Number(seconds);
    if (!Number.isInteger(n) || n < 1) throw new HttpError(400, badRequestStatus('sinceSeconds: Invalid value: must be greater than 0'));
    return now - n * 1000;
  }
  if (time === null) return undefined;
  const at = Date.parse(time);
  if (Number.isNaN(at)) throw new HttpError(400, badRequestStatus(`sinceTime: Invalid value: "${time}": must be an RFC3339 time`));
  return at;
}

function logFile(logsDir: string, pod: Pod, container: string, restartCount: number): string {
  const dir = `${pod.metadata.namespace ?? 'default'}_${pod.metadata.name ?? ''}_${pod.metadata.uid ?? ''}`;
  return join(logsDir, dir, container, `${restartCount}.log`);
}

export async function handleLogs(deps: HandlerDeps & { logsDir: string }, _req: IncomingMessage, res: ServerResponse, t: Target, query: URLSearchParams): Promise<void> {
  const ns = t.namespace ?? 'default';
  const name = t.name ?? '';
  const pod = deps.store.get<Pod>('pods', ns, name);
  const container = query.get('container') ?? pod.spec.containers[0]?.name ?? '';
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const status = statuses.find((s) => s.name === container);
  const known = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].some((c) => c.name === container);
  if (!known) throw new HttpError(400, badRequestStatus(`container ${container} is not valid for pod ${name}`));
  const previous = query.get('previous') === 'true';
  if (status === undefined || (previous && status.restartCount === 0) || (!previous && status.state.waiting !== undefined && status.restartCount === 0)) {
    const why = previous ? `previous terminated container "${container}" in pod "${name}" not found` : `container "${container}" in pod "${name}" is waiting to start: ${status?.state.waiting?.reason ?? 'ContainerCreating'}`;
    throw new HttpError(400, badRequestStatus(why));
  }
  const restartCount = previous ? status.restartCount - 1 : status.restartCount;
  const file = logFile(deps.logsDir, pod, container, restartCount);
  const timestamps = query.get('timestamps') === 'true';
  const tail = query.get('tailLines');
  const tailLines = tail === null ? undefined : Math.max(0, Number.parseInt(tail, 10) || 0);
  const sinceMs = sinceCutoff(query, deps.now());
  const text = await readFile(file, 'utf8').catch(() => '');
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.write(renderCriLog(text, { timestamps, ...(tailLines === undefined ? {} : { tailLines }), ...(sinceMs === undefined ? {} : { sinceMs }) }));
  if (query.get('follow') !== 'true' || previous) {
    res.end();
    return;
  }
  // Follow: send what is appended until the container is no longer running (or the client goes away).
  let offset = Buffer.byteLength(text);
  let closed = false;
  res.on('close', () => (closed = true));
  while (!closed) {
    await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
    const now = await readFile(file).catch(() => Buffer.alloc(0));
    if (now.length > offset) {
      const chunk = now.subarray(offset).toString('utf8');
      const complete = chunk.slice(0, chunk.lastIndexOf('\n') + 1);
      offset += Buffer.byteLength(complete);
      if (complete !== '') res.write(renderCriLog(complete, { timestamps }));
    }
    const current = deps.store.tryGet<Pod>('pods', ns, name);
    const st = [...(current?.status?.initContainerStatuses ?? []), ...(current?.status?.containerStatuses ?? [])].find((s) => s.name === container);
    if (current?.metadata.uid !== pod.metadata.uid || st?.state.running === undefined || st.restartCount !== restartCount) break;
  }
  res.end();
}
