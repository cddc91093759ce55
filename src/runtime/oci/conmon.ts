// conmon holds each container's stdio, writes its CRI log, records its exit code, and lets the container
// outlive the agent. It runs `runc create`; the container is started separately with `runc start`.
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { PoddError } from '../../core/errors.js';

export interface ConmonOptions {
  conmonPath: string;
  runtimePath: string;
  id: string;
  /** Shown in conmon's own logs. */
  name: string;
  bundle: string;
  logPath: string;
  exitDir: string;
  socketDir: string;
  /** Kill the container if it runs longer (seconds); 0 = never. */
  timeoutSeconds?: number;
}

const CREATE_TIMEOUT_MS = 60_000;

/** Runs conmon and resolves with the container's host pid once `runc create` is done. */
export function createWithConmon(opts: ConmonOptions): Promise<number> {
  const args = [
    '--api-version', '1',
    '-c', opts.id,
    '-u', opts.id,
    '-n', opts.name,
    '-r', opts.runtimePath,
    '-b', opts.bundle,
    '-p', `${opts.bundle}/pidfile`,
    '-l', `k8s-file:${opts.logPath}`,
    '--exit-dir', opts.exitDir,
    '--socket-dir-path', opts.socketDir,
    '--container-pidfile', `${opts.bundle}/pidfile`,
    '--conmon-pidfile', `${opts.bundle}/conmon.pid`,
    '--log-level', 'error',
  ];
  if (opts.timeoutSeconds) args.push('--timeout', String(opts.timeoutSeconds));
  return new Promise((resolve, reject) => {
    // A hung `runc create` (a stuck mount, say) must not hang the pod worker: give up, and the caller's rollback
    // deletes whatever runc made.
    const timer = setTimeout(() => {
      sync.destroy();
      reject(new PoddError('Unavailable', `runc create did not finish within ${CREATE_TIMEOUT_MS / 1000}s`));
    }, CREATE_TIMEOUT_MS);
    timer.unref();
    // conmon reports the created pid (or the runtime's error) on the pipe named by _OCI_SYNCPIPE.
    const child = spawn(opts.conmonPath, args, {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env: { ...process.env, _OCI_SYNCPIPE: '3' },
      detached: true,
    });
    const sync = child.stdio[3] as Readable;
    let stderr = '';
    let reply = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    sync.on('data', (d: Buffer) => {
      reply += d.toString();
      const line = reply.split('\n')[0];
      if (!reply.includes('\n') || line === undefined) return;
      sync.destroy();
      clearTimeout(timer);
      try {
        const msg = JSON.parse(line) as { data: number; message?: string };
        if (msg.data > 0) resolve(msg.data);
        else reject(new PoddError('Internal', `runc create failed: ${(msg.message ?? stderr).trim()}`));
      } catch (err) {
        reject(new PoddError('Internal', `conmon sent ${JSON.stringify(line)}: ${String(err)}`));
      }
    });
    sync.on('end', () => {
      clearTimeout(timer);
      if (!reply.includes('\n')) reject(new PoddError('Internal', `conmon exited before the container was created: ${stderr.trim()}`));
    });
    child.on('error', (err) => reject(new PoddError('Unavailable', `cannot run conmon: ${err.message}`, { cause: err })));
    child.unref();
  });
}
