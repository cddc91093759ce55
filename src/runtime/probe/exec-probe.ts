// exec probes (pkg/probe/exec with the CRI's ExecSync): `runc exec <id> cmd...` in the running container (its
// config.json gives the process env, user, cwd and capabilities), stdout and stderr together, the first 10 KiB
// kept. Exit 0 is success, any other exit a failure quoting the output; past the timeout the command's session is
// SIGKILLed and the probe fails with `command "…" timed out` (ExecProbeTimeout). When runc itself could not run the
// command (no such executable, container gone), the probe errored: the pid file runc writes once the command has
// started tells the two apart, as for kubectl exec.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeOutcome } from '../../core/probe/types.js';
import { runcError } from '../oci/exec-session.js';
import { killExecSession } from '../process-session.js';

export const MAX_EXEC_OUTPUT = 10 * 1024;
/** After the kill, how long runc gets to notice before it is killed too. */
const RUNC_GRACE_MS = 2_000;

export interface ExecProbeOptions {
  runcPath: string;
  runcRoot?: string;
  /** Pid files go under <stateDir>/exec. */
  stateDir: string;
}

export function execProbe(opts: ExecProbeOptions, containerId: string, command: readonly string[], timeoutMs: number): Promise<ProbeOutcome> {
  const dir = join(opts.stateDir, 'exec');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pidFile = join(dir, `probe-${randomBytes(8).toString('hex')}.pid`);
  const args = [...(opts.runcRoot === undefined ? [] : ['--root', opts.runcRoot]), '--log-format', 'json', 'exec', '--pid-file', pidFile, containerId, ...command];
  return new Promise((resolve) => {
    const child = spawn(opts.runcPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    const collect = (d: Buffer): void => {
      const room = MAX_EXEC_OUTPUT - size;
      if (room <= 0) return;
      const part = d.length > room ? d.subarray(0, room) : d;
      chunks.push(part);
      size += part.length;
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    let runcKill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killExecSession(pidFile);
      runcKill = setTimeout(() => child.kill('SIGKILL'), RUNC_GRACE_MS);
    }, timeoutMs);
    const finish = (outcome: ProbeOutcome): void => {
      clearTimeout(timer);
      clearTimeout(runcKill);
      rmSync(pidFile, { force: true });
      resolve(outcome);
    };
    child.once('error', (err) => finish({ result: 'unknown', output: '', error: `${opts.runcPath}: ${err.message}` }));
    child.once('close', (code) => {
      const output = Buffer.concat(chunks).toString('utf8');
      const started = existsSync(pidFile);
      if (timedOut) {
        finish({ result: 'failure', output: `command ${JSON.stringify(command.join(' '))} timed out` });
      } else if (!started) {
        finish({ result: 'unknown', output: '', error: runcError(output) });
      } else if (code === 0) {
        finish({ result: 'success', output });
      } else {
        finish({ result: 'failure', output });
      }
    });
  });
}
