// Runs a command in a running container with `runc exec` (config.json's env, user, cwd and capabilities), for
// `kubectl exec`. Non-detached runc exits with the command's status. With a tty, runc itself receives the
// container's console over an internal socket and copies it to its own terminal: that terminal is a node-pty, so
// resizing the pty makes runc resize the console (SIGWINCH) and the command sees it.
//
// Three races of that arrangement are closed here:
// - runc sizes the container's console from its own terminal only after the command has started, so a command that
//   asks at once (`stty size`) could see 0x0 (busybox: "stty: standard input"). The process is given to runc as a
//   file (--process, what `runc exec` builds from its flags) with consoleSize: runc's init sizes the console before
//   it execs the command.
// - runc makes its terminal raw only once it copies the console, and until then the pty cooks and echoes what is
//   typed ahead: the pty is made raw (stty) before runc starts.
// - A terminal's output is read to its end before the final status (TerminalOutput below).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, constants as fsConstants, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { PoddError } from '../../core/errors.js';
import { run } from '../exec.js';
import { killExecSession } from '../process-session.js';
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

/** An OCI process (config.json's `process`), as far as exec touches it. */
export type ProcessSpec = Record<string, unknown> & { args?: unknown; env?: unknown };

const DEFAULT_SIZE: TermSize = { cols: 80, rows: 24 };

/**
 * The process `runc exec` runs: the container's own (env, user, cwd, capabilities, rlimits, …) with the command, as
 * runc builds it from `exec [--tty --env TERM=xterm] ID CMD...`, and under a tty the terminal's size as well, which
 * only a process file can carry.
 */
export function execProcess(base: ProcessSpec, opts: ExecStart): ProcessSpec {
  const env = Array.isArray(base.env) ? base.env.filter((e): e is string => typeof e === 'string') : [];
  const { consoleSize: _c, ...rest } = base;
  const p: ProcessSpec = { ...rest, args: [...opts.command], terminal: opts.tty, env: opts.tty ? [...env, 'TERM=xterm'] : env };
  if (opts.tty) {
    const size = opts.size ?? DEFAULT_SIZE;
    p.consoleSize = { height: size.rows, width: size.cols };
  }
  return p;
}

// runc's terminal is raw before runc runs (it would make it raw itself, but only once it copies the console).
const RAW_THEN_EXEC = 'stty raw -echo && exec "$0" "$@"';

/** Whether process `pid` is gone (exited and reaped). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

interface Pty {
  readonly pid: number;
  /** The slave's path (node-pty's UnixTerminal has it, its typings do not). */
  readonly ptsName?: string;
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

/**
 * Reads runc's terminal to its very end. A pty hands out at most 4095 bytes a read, and libuv ends a stream at the
 * first hangup after a short read: what runc left in the terminal beyond one read when it exits would be dropped, and
 * node-pty besides gives up on the terminal 200 ms after the exit, read or not. So podd holds the terminal's slave
 * open itself, which keeps the hangup away while runc runs; once runc is gone, it resumes reading (output may be
 * paused for a slow client: what is left is at most the terminal's buffer, as runc exits only once it copied
 * everything there), writes a mark through its slave, passes on everything up to the mark, and only then closes the
 * slave, which ends the stream.
 */
export class TerminalOutput {
  private slave: number | undefined;
  private paused = false;
  private draining = false;
  /** Decimal digits: no output setting of a terminal changes them. */
  private readonly mark = Buffer.from(Array.from(randomBytes(24), (b) => String(b % 10)).join(''));
  private markWritten = -1;
  private tail = Buffer.alloc(0);

  constructor(private readonly term: Pty, private readonly out: (d: Buffer) => void) {
    try {
      this.slave = openSync(term.ptsName ?? '', fsConstants.O_RDWR | fsConstants.O_NOCTTY | fsConstants.O_NONBLOCK);
    } catch {
      // Without it, what is left in the terminal is still read while node-pty lets it.
      this.slave = undefined;
    }
    term.onData((d) => this.data(typeof d === 'string' ? Buffer.from(d) : d));
  }

  pause(): void {
    if (this.paused || this.draining) return;
    this.paused = true;
    this.term.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.term.resume();
  }

  /** Called every few milliseconds until the exit: notices that runc is gone, and drains the terminal. */
  poll(): void {
    if (!this.draining) {
      if (!gone(this.term.pid)) return;
      this.draining = true;
      if (this.paused) this.term.resume();
      this.markWritten = 0;
    }
    if (this.slave === undefined || this.markWritten >= this.mark.length) return;
    try {
      this.markWritten += writeSync(this.slave, this.mark, this.markWritten);
    } catch (err) {
      // EAGAIN: the terminal is full, the next poll tries again. Anything else: no mark can come.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') this.closeSlave();
    }
  }

  /** At the exit: passes on what was held back, and lets go of the slave. */
  close(): void {
    if (this.tail.length > 0) this.out(this.tail);
    this.tail = Buffer.alloc(0);
    this.closeSlave();
  }

  private data(d: Buffer): void {
    if (this.markWritten < 0 || this.slave === undefined) {
      this.out(d);
      return;
    }
    // The mark may come in pieces: up to its length less one byte is held back.
    const all = this.tail.length > 0 ? Buffer.concat([this.tail, d]) : d;
    const at = all.indexOf(this.mark);
    if (at >= 0) {
      this.tail = Buffer.alloc(0);
      if (at > 0) this.out(all.subarray(0, at));
      this.closeSlave();
      return;
    }
    const keep = Math.min(all.length, this.mark.length - 1);
    if (all.length > keep) this.out(all.subarray(0, all.length - keep));
    this.tail = Buffer.from(all.subarray(all.length - keep));
  }

  private closeSlave(): void {
    if (this.slave === undefined) return;
    closeSync(this.slave);
    this.slave = undefined;
  }
}

export class RuncExecRunner {
  private readonly live = new Set<ExecSession>();
  private readonly pidDir: string;
  /** Bundle directories (runc state) of the instances find() returned. */
  private readonly bundles = new Map<string, string>();

  constructor(private readonly opts: RuncExecOptions) {
    this.pidDir = join(opts.stateDir, 'exec');
  }

  private runcArgs(rest: string[]): string[] {
    return this.opts.runcRoot === undefined ? rest : ['--root', this.opts.runcRoot, ...rest];
  }

  async find(t: { podUid: string; container: string }): Promise<string> {
    await loadPty();
    const all = await this.opts.instances();
    for (const id of this.bundles.keys()) if (!all.some((m) => m.id === id)) this.bundles.delete(id);
    const candidates = all
      .filter((m) => m.podUid === t.podUid && m.role !== 'sandbox' && m.name === t.container && m.startedAt !== undefined && m.finishedAt === undefined)
      .sort((a, b) => b.attempt - a.attempt || b.restartCount - a.restartCount);
    for (const m of candidates) {
      const state = await run(this.opts.runcPath, this.runcArgs(['state', m.id]))
        .then((r) => JSON.parse(r.stdout) as { status?: string; bundle?: string }, () => undefined);
      if (state?.status === 'running' && typeof state.bundle === 'string') {
        this.bundles.set(m.id, state.bundle);
        return m.id;
      }
    }
    // The kubelet's words when the runtime has no running container of that name.
    throw new PoddError('FailedPrecondition', `container not found (${JSON.stringify(t.container)})`);
  }

  start(id: string, opts: ExecStart, sink: ExecSink): ExecSession {
    if (opts.tty && ptyModule === undefined) throw new PoddError('Unavailable', 'terminals are not available: node-pty did not load');
    const bundle = this.bundles.get(id);
    if (bundle === undefined) throw new PoddError('FailedPrecondition', `container instance ${id} was not found for exec`);
    const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as { process?: ProcessSpec };
    mkdirSync(this.pidDir, { recursive: true, mode: 0o700 });
    const name = randomBytes(8).toString('hex');
    const pidFile = join(this.pidDir, `${name}.pid`);
    const processFile = join(this.pidDir, `${name}.process.json`);
    writeFileSync(processFile, JSON.stringify(execProcess(spec.process ?? {}, opts)), { mode: 0o600 });
    const args = this.runcArgs(['--log-format', 'json', 'exec', '--pid-file', pidFile, '--process', processFile, id]);

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
    let onPoll: () => void = () => undefined;
    const poll = setInterval(() => {
      if (held.length > 0 && isStarted()) fromErrStream(Buffer.alloc(0));
      onPoll();
    }, 20);

    let exited = false;
    let killTimer: NodeJS.Timeout | undefined;
    let killRunc: () => void = () => undefined;
    let endOutput: () => void = () => undefined;
    const finish = (code: number): void => {
      if (exited) return;
      exited = true;
      clearInterval(poll);
      endOutput();
      clearInterval(killTimer);
      this.live.delete(session);
      const ran = isStarted();
      rmSync(pidFile, { force: true });
      rmSync(processFile, { force: true });
      if (ran) {
        fromErrStream(Buffer.alloc(0));
        sink.exit({ exitCode: code });
      } else {
        sink.exit({ error: runcError(Buffer.concat(held).toString('utf8')) });
      }
    };
    const killCommand = (): void => killExecSession(pidFile);

    let session: ExecSession;
    if (opts.tty) {
      const size = opts.size ?? DEFAULT_SIZE;
      const term = (ptyModule as PtyModule).spawn('/bin/sh', ['-c', RAW_THEN_EXEC, this.opts.runcPath, ...args],
        { name: 'xterm', cols: size.cols, rows: size.rows, encoding: null });
      errOut = (d) => sink.stdout(d);
      const output = new TerminalOutput(term, fromErrStream);
      onPoll = () => output.poll();
      endOutput = () => output.close();
      term.onExit((e) => finish(e.signal ? 128 + e.signal : e.exitCode));
      killRunc = () => term.kill('SIGKILL');
      session = {
        write: (d) => term.write(d),
        // A terminal has no end of input to pass on; ^D is the user's to type.
        closeStdin: () => undefined,
        resize: (s) => term.resize(s.cols, s.rows),
        pauseOutput: () => output.pause(),
        resumeOutput: () => output.resume(),
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
