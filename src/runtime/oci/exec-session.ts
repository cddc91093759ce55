// Runs a command in a running container with `runc exec` (config.json's env, user, cwd and capabilities), for
// `kubectl exec`. Non-detached runc exits with the command's status. With a tty, runc itself receives the
// container's console over an internal socket and copies it to its own terminal: that terminal is a node-pty, so
// resizing the pty makes runc resize the console (SIGWINCH) and the command sees it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { PoddError } from '../../core/errors.js';
import { run } from '../exec.js';
import type { InstanceMeta } from './container-runtime.js';

// The shapes below match server/http/pod-exec.ts's ExecRunner structurally (runtime does not import server).
export interface TermSize { cols: number; rows: number }
export interface ExecStart { command: string[]; stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean; size?: TermSize }
export type ExecOutcome = { exitCode: number } | { error: string };
export interface ExecSink { stdout(data: Buffer): void; stderr(data: Buffer): void; exit(outcome: ExecOutcome): void }
export interface ExecSession {
  write(data: Buffer): void;
  closeStdin(): void;
  resize(size: TermSize): void;
  pauseOutput(): void;
  resumeOutput(): void;
  kill(): void;
}

export interface RuncExecOptions {
  runcPath: string;
  /** runc's --root when podd's runc uses a non-default one. */
  runcRoot?: string;
  /** Pid files of exec'd commands go under <stateDir>/exec. */
  stateDir: string;
  instances(): Promise<InstanceMeta[]>;
}

const KILL_RETRY_MS = 50;
const KILL_RUNC_AFTER_MS = 3_000;
// What the final status frame gets to reach the client before podd serve exits.
const FLUSH_MS = 200;

/** The message of runc's error (it logs JSON with --log-format json), or its output as it is. */
export function runcError(output: string): string {
  for (const line of output.split(/\r?\n/).reverse()) {
    try {
      const rec = JSON.parse(line) as { level?: unknown; msg?: unknown };
      if (rec.level === 'error' && typeof rec.msg === 'string') return rec.msg;
    } catch {
      // Not a log record.
    }
  }
  return output.trim() || 'runc exec failed';
}

/** Every process of the session led by `sid` (the exec'd command: runc makes it a session leader). */
function sessionMembers(sid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[3]) === sid) out.push(Number(entry));
    } catch {
      // Gone between readdir and read.
    }
  }
  return out;
}

interface Pty {
  onData(cb: (d: string) => void): unknown;
  onExit(cb: (e: { exitCode: number; signal?: number }) => void): unknown;
  write(d: string | Buffer): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  kill(signal?: string): void;
}
type PtyModule = { spawn(file: string, args: string[], opts: { name: string; cols: number; rows: number; encoding: null }): Pty };

// Loaded on first tty use: a host where the native module does not load can still run everything else.
let ptyModule: PtyModule | undefined;
async function loadPty(): Promise<void> {
  ptyModule ??= await import('node-pty').then((m) => m as unknown as PtyModule, () => undefined);
}

export class RuncExecRunner {
  private readonly live = new Set<ExecSession>();
  private readonly pidDir: string;

  constructor(private readonly opts: RuncExecOptions) {
    this.pidDir = join(opts.stateDir, 'exec');
  }

  private runcArgs(rest: string[]): string[] {
    return this.opts.runcRoot === undefined ? rest : ['--root', this.opts.runcRoot, ...rest];
  }

  async find(t: { podUid: string; container: string }): Promise<string> {
    await loadPty();
    const candidates = (await this.opts.instances())
      .filter((m) => m.podUid === t.podUid && m.role !== 'sandbox' && m.name === t.container && m.startedAt !== undefined && m.finishedAt === undefined)
      .sort((a, b) => b.attempt - a.attempt || b.restartCount - a.restartCount);
    for (const m of candidates) {
      const state = await run(this.opts.runcPath, this.runcArgs(['state', m.id])).then((r) => JSON.parse(r.stdout) as { status?: string }, () => undefined);
      if (state?.status === 'running') return m.id;
    }
    // The kubelet's words when the runtime has no running container of that name.
    throw new PoddError('FailedPrecondition', `container not found (${JSON.stringify(t.container)})`);
  }

  start(id: string, opts: ExecStart, sink: ExecSink): ExecSession {
    if (opts.tty && ptyModule === undefined) throw new PoddError('Unavailable', 'terminals are not available: node-pty did not load');
    mkdirSync(this.pidDir, { recursive: true, mode: 0o700 });
    const pidFile = join(this.pidDir, `${randomBytes(8).toString('hex')}.pid`);
    const args = this.runcArgs(['--log-format', 'json', 'exec', '--pid-file', pidFile, ...(opts.tty ? ['--tty', '--env', 'TERM=xterm'] : []), id, ...opts.command]);

    // Until runc writes the pid file the command has not started, and what arrives on the error stream is runc's
    // own failure (no such executable, …): held back, it becomes the session's error instead of output.
    let started = false;
    const held: Buffer[] = [];
    const isStarted = (): boolean => (started ||= existsSync(pidFile));
    let errOut: (d: Buffer) => void = () => undefined;
    const fromErrStream = (d: Buffer): void => {
      if (isStarted()) {
        for (const h of held.splice(0)) errOut(h);
        errOut(d);
      } else {
        held.push(d);
      }
    };
    const poll = setInterval(() => {
      if (held.length > 0 && isStarted()) fromErrStream(Buffer.alloc(0));
    }, 20);

    let exited = false;
    let killTimer: NodeJS.Timeout | undefined;
    let killRunc: () => void = () => undefined;
    const finish = (code: number): void => {
      if (exited) return;
      exited = true;
      clearInterval(poll);
      clearInterval(killTimer);
      this.live.delete(session);
      const ran = isStarted();
      rmSync(pidFile, { force: true });
      if (ran) {
        fromErrStream(Buffer.alloc(0));
        sink.exit({ exitCode: code });
      } else {
        sink.exit({ error: runcError(Buffer.concat(held).toString('utf8')) });
      }
    };
    const killCommand = (): void => {
      const pid = Number.parseInt(existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : '', 10);
      if (!Number.isInteger(pid) || pid <= 1) return;
      for (const p of sessionMembers(pid)) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    };

    let session: ExecSession;
    if (opts.tty) {
      const size = opts.size ?? { cols: 80, rows: 24 };
      const term = (ptyModule as PtyModule).spawn(this.opts.runcPath, args, { name: 'xterm', cols: size.cols, rows: size.rows, encoding: null });
      errOut = (d) => sink.stdout(d);
      term.onData((d) => fromErrStream(typeof d === 'string' ? Buffer.from(d) : d));
      term.onExit((e) => finish(e.signal ? 128 + e.signal : e.exitCode));
      killRunc = () => term.kill('SIGKILL');
      session = {
        write: (d) => term.write(d),
        // A terminal has no end of input to pass on; ^D is the user's to type.
        closeStdin: () => undefined,
        resize: (s) => term.resize(s.cols, s.rows),
        pauseOutput: () => term.pause(),
        resumeOutput: () => term.resume(),
        kill: () => undefined,
      };
    } else {
      const child = spawn(this.opts.runcPath, args, { stdio: [opts.stdin ? 'pipe' : 'ignore', opts.stdout ? 'pipe' : 'ignore', 'pipe'] });
      errOut = opts.stderr ? (d) => sink.stderr(d) : () => undefined;
      child.stdout?.on('data', (d: Buffer) => sink.stdout(d));
      child.stderr?.on('data', fromErrStream);
      child.stdin?.on('error', () => undefined);
      child.on('error', (err) => {
        held.push(Buffer.from(err.message));
        finish(255);
      });
      child.on('close', (code, signal) => finish(code ?? 128 + (signal === null ? 9 : constants.signals[signal])));
      killRunc = () => child.kill('SIGKILL');
      session = {
        write: (d) => child.stdin?.write(d),
        closeStdin: () => child.stdin?.end(),
        resize: () => undefined,
        pauseOutput: () => child.stdout?.pause(),
        resumeOutput: () => child.stdout?.resume(),
        kill: () => undefined,
      };
    }
    // runc forwards no SIGKILL: the command's whole session is killed, and runc then exits on its own.
    session.kill = () => {
      if (exited || killTimer !== undefined) return;
      const deadline = Date.now() + KILL_RUNC_AFTER_MS;
      killCommand();
      killTimer = setInterval(() => {
        killCommand();
        if (Date.now() > deadline) killRunc();
      }, KILL_RETRY_MS);
    };
    this.live.add(session);
    return session;
  }

  /**
   * Ends every running exec (podd serve is stopping: their connections are going away), and resolves once they
   * have ended and their clients had a moment to receive the final status.
   */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.live.size === 0) return;
    for (const s of this.live) s.kill();
    const deadline = Date.now() + timeoutMs;
    while (this.live.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, FLUSH_MS));
  }
}
