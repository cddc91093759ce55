// A command run to its end inside a running container, the CRI's ExecSync as lifecycle hooks use it: `runc exec` with
// the container's own process settings (env, user, cwd, capabilities), stdout and stderr kept apart, and ended early
// (its whole session killed) when the caller aborts.
import { dirname } from 'node:path';
import { PoddError } from '../../core/errors.js';
import { run } from '../exec.js';
import type { InstanceMeta } from '../oci/container-runtime.js';
import { RuncExecRunner } from '../oci/exec-session.js';

/** Output kept per stream: enough for a hook's message, bounded against a chatty command. */
const MAX_OUTPUT_BYTES = 16 * 1024;

export interface ExecSyncResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ContainerExec {
  /** Runs `command` in the running instance; rejects when it could not be run at all (no such executable, gone). */
  execSync(instance: InstanceMeta, command: readonly string[], signal: AbortSignal): Promise<ExecSyncResult>;
}

class Capped {
  private readonly parts: Buffer[] = [];
  private size = 0;

  push(d: Buffer): void {
    if (this.size >= MAX_OUTPUT_BYTES) return;
    const part = d.subarray(0, MAX_OUTPUT_BYTES - this.size);
    this.parts.push(part);
    this.size += part.length;
  }

  text(): string {
    return Buffer.concat(this.parts).toString('utf8');
  }
}

export class RuncContainerExec implements ContainerExec {
  constructor(private readonly runcPath: string, private readonly runcRoot?: string) {}

  async execSync(instance: InstanceMeta, command: readonly string[], signal: AbortSignal): Promise<ExecSyncResult> {
    if (signal.aborted) throw new PoddError('Unavailable', 'the hook was cancelled before it started');
    const rootArgs = this.runcRoot === undefined ? [] : ['--root', this.runcRoot];
    const state = await run(this.runcPath, [...rootArgs, 'state', instance.id])
      .then((r) => JSON.parse(r.stdout) as { bundle?: unknown }, () => undefined);
    if (typeof state?.bundle !== 'string') throw new PoddError('FailedPrecondition', `container ${JSON.stringify(instance.name)} is not running`);
    // The bundle is <stateDir>/containers/<id>: the exec's pid and process files go to <stateDir>/exec, as kubectl exec's.
    const runner = new RuncExecRunner({
      runcPath: this.runcPath,
      ...(this.runcRoot === undefined ? {} : { runcRoot: this.runcRoot }),
      stateDir: dirname(dirname(state.bundle)),
      instances: () => Promise.resolve([instance]),
    });
    const id = await runner.find({ podUid: instance.podUid, container: instance.name });
    return new Promise((resolve, reject) => {
      const stdout = new Capped();
      const stderr = new Capped();
      const onAbort = (): void => session.kill();
      const session = runner.start(id, { command: [...command], stdin: false, stdout: true, stderr: true, tty: false }, {
        stdout: (d) => stdout.push(d),
        stderr: (d) => stderr.push(d),
        exit: (outcome) => {
          signal.removeEventListener('abort', onAbort);
          if ('error' in outcome) reject(new PoddError('Internal', outcome.error));
          else resolve({ exitCode: outcome.exitCode, stdout: stdout.text(), stderr: stderr.text() });
        },
      });
      if (signal.aborted) session.kill();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
