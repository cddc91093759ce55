// `podd run -f FILE`: runs one pod in the foreground with the engine in-process, shows events, output and STATUS
// as they happen, and removes everything it made when the pod ends or the user interrupts it.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { stringify as toYaml } from 'yaml';
import { parseAndValidate } from '../api/load.js';
import type { Pod } from '../api/types.js';
import { PodWorker } from '../agent/pod-worker.js';
import { forgetOwner, reapOrphanedPods, recordOwner } from '../agent/orphans.js';
import type { PodEvent } from '../agent/events.js';
import { parseDuration } from '../core/plan/duration.js';
import { podStatusString } from '../core/status/pod-status-string.js';
import { formatRfc3339 } from '../core/time.js';
import { LogFollower } from '../runtime/logs/log-follower.js';
import type { InstanceMeta } from '../runtime/oci/container-runtime.js';
import { composeNode } from '../bin/compose.js';
import type { NodeConfig } from '../bin/node-config.js';
import { renderTimeline, type TimelineRow } from './timeline.js';

export interface RunOptions {
  file: string;
  output?: 'yaml' | 'json';
  timeout?: string;
  backoffBase?: string;
  backoffMax?: string;
  keepLogs: boolean;
  quiet: boolean;
  timeline: boolean;
}

export const EXIT_SUCCEEDED = 0;
export const EXIT_FAILED = 1;
export const EXIT_INVALID = 2;

function durationOrThrow(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : parseDuration(text);
  if (ms === undefined || ms <= 0) throw new Error(`invalid ${flag} "${text}": want a duration such as 30s, 2m or 500ms`);
  return ms;
}

function timelineRows(instances: Iterable<{ meta: InstanceMeta }>): TimelineRow[] {
  return [...instances]
    .map((t) => t.meta)
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((m) => {
      const label = m.role === 'sandbox' ? `pause#${m.attempt}` : `${m.role === 'init' ? 'init ' : ''}${m.name}${m.restartCount > 0 ? ` #${m.restartCount}` : ''}`;
      const note = m.exitCode === undefined ? (m.startedAt === undefined ? 'not started' : 'running') : m.reason === 'OOMKilled' ? 'OOMKilled' : `exit ${m.exitCode}`;
      const row: TimelineRow = { label, start: m.startedAt ?? m.createdAt, note };
      if (m.finishedAt !== undefined) row.end = m.finishedAt;
      return row;
    });
}

export async function runCommand(opts: RunOptions, cfg: NodeConfig): Promise<number> {
  const err = (line: string): boolean => process.stderr.write(`${line}\n`);
  let pod: Pod;
  let parsed;
  let timeoutMs: number | undefined;
  try {
    timeoutMs = durationOrThrow('--timeout', opts.timeout);
    const base = durationOrThrow('--backoff-base', opts.backoffBase);
    const max = durationOrThrow('--backoff-max', opts.backoffMax);
    if (base !== undefined) cfg.backoffBaseMs = base;
    if (max !== undefined) cfg.backoffMaxMs = max;
    parsed = parseAndValidate(await readFile(opts.file, 'utf8'));
    if (parsed.pods.length !== 1) throw new Error(`${opts.file}: want exactly one Pod, found ${parsed.pods.length}`);
    pod = parsed.pods[0] as Pod;
  } catch (e) {
    err(`error: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT_INVALID;
  }
  const now = Date.now();
  pod = { ...pod, metadata: { ...pod.metadata, uid: randomUUID(), creationTimestamp: formatRfc3339(now) } };

  const node = await composeNode(cfg);
  const reaped = await reapOrphanedPods({
    ...node.orphans,
    onError: (uid, e) => err(`podd: could not remove pod ${uid} left by an earlier run (podd cleanup retries): ${e instanceof Error ? e.message : String(e)}`),
  });
  if (reaped.length > 0 && !opts.quiet) err(`podd: removed ${reaped.length} pod(s) left by a podd run that is gone: ${reaped.join(' ')}`);
  await recordOwner(cfg.stateDir, pod.metadata.uid ?? '', { agent: 'run', pid: process.pid });
  const followers: LogFollower[] = [];
  let lastStatus = '';
  const name = pod.metadata.name ?? '';
  const sources = {
    secrets: new Map(parsed.secrets.map((s) => [s.metadata.name ?? '', s])),
    configMaps: new Map(parsed.configMaps.map((c) => [c.metadata.name ?? '', c])),
  };
  const worker = new PodWorker(
    pod,
    () => sources,
    node.deps,
    {
      onEvent: (e: PodEvent) => {
        if (!opts.quiet) err(`EVENT   ${e.type.padEnd(7)} ${e.reason.padEnd(14)} pod/${name}${e.fieldPath ? ` ${e.fieldPath}` : ''}: ${e.message.replaceAll('\n', '\\n')}`);
      },
      onInstanceCreated: (meta) => {
        const f = new LogFollower(meta.logPath, (line) => {
          if (!opts.quiet) err(`[${meta.name}] ${line.text}`);
        });
        f.start();
        followers.push(f);
      },
      onStatus: (p) => {
        const cols = podStatusString(p, Date.now());
        const line = `${cols.ready.padEnd(5)} ${cols.status.padEnd(24)} restarts ${cols.restarts}`;
        if (line !== lastStatus && !opts.quiet) err(`STATUS  ${name.padEnd(16)} ${line}`);
        lastStatus = line;
      },
    },
  );

  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (!opts.quiet) err(`podd: ${sig}: terminating pod ${name}${signals > 1 ? ' now' : ' gracefully'}`);
    worker.requestTermination(signals > 1 ? 0 : undefined);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
    err(`podd: --timeout ${opts.timeout ?? ''} reached: terminating pod ${name}`);
    worker.requestTermination();
  }, timeoutMs);

  let final: Pod;
  try {
    final = await worker.run();
  } finally {
    if (timer) clearTimeout(timer);
    await Promise.all(followers.map((f) => f.stop()));
    try {
      await worker.cleanUp({ keepLogs: opts.keepLogs });
      await forgetOwner(cfg.stateDir, pod.metadata.uid ?? '');
    } catch (e) {
      // The owner record stays, so `podd cleanup` (or the next run) finishes the job.
      const causes = e instanceof AggregateError ? e.errors : [e];
      err(`podd: cleanup incomplete, run \`podd cleanup\`: ${causes.map((c) => (c instanceof Error ? c.message : String(c))).join('; ')}`);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      node.close();
    }
  }
  if (opts.timeline) err(`\n${renderTimeline(timelineRows(worker.ctx.instances.values()), Date.now())}`);
  if (opts.output === 'yaml') process.stdout.write(toYaml(final));
  if (opts.output === 'json') process.stdout.write(`${JSON.stringify(final, null, 2)}\n`);
  return final.status?.phase === 'Succeeded' ? EXIT_SUCCEEDED : EXIT_FAILED;
}

/** `podd cleanup`: removes the pods of `podd run` processes that are gone. */
export async function cleanupCommand(cfg: NodeConfig): Promise<number> {
  const node = await composeNode(cfg);
  try {
    const reaped = await reapOrphanedPods(node.orphans);
    process.stdout.write(reaped.length === 0 ? 'nothing to clean up\n' : `removed ${reaped.length} pod(s): ${reaped.join(' ')}\n`);
    return 0;
  } finally {
    node.close();
  }
}
