// CRI-like container verbs over conmon + runc. Each instance (pause or container) has a directory under
// <stateDir>/containers/<id> with its bundle and a meta.json, so a restarted agent can find and clean what exists.
//
// Instance states: (none) --create--> created --start--> running --exit--> exited --remove--> (none)
// An instance whose exit file is missing while runc reports it stopped is `unknown` (conmon died).
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PoddError, isPoddError, wrap } from '../../core/errors.js';
import type { OciSpec } from '../../core/oci/types.js';
import type { RuntimeContainerState } from '../../core/pod-runtime.js';
import { mountOverlay, unmountOverlay } from '../image/overlay.js';
import { Rollback } from '../rollback.js';
import { removeCgroup, wasOomKilled } from './cgroups.js';
import { createWithConmon } from './conmon.js';
import { ExitWatcher, readExitFile } from './exit-watcher.js';
import type { OciRuntime } from './runc.js';

export type InstanceRole = 'sandbox' | 'init' | 'app';

export interface InstanceMeta {
  id: string;
  role: InstanceRole;
  podUid: string;
  podName: string;
  namespace: string;
  /** Container name in the spec; 'POD' for the sandbox. */
  name: string;
  sandboxId: string;
  /** Sandbox attempt this instance belongs to. */
  attempt: number;
  restartCount: number;
  specHash: string;
  image: string;
  imageId: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  reason?: string;
  message?: string;
  pid?: number;
  logPath: string;
  cgroupsPath: string;
  /** True when the rootfs is an overlay podd mounted (and must unmount). */
  overlay: boolean;
  /** Sandboxes: the CNI container id of the pod network, and the IPs CNI ADD gave it. */
  networkId?: string;
  ips?: string[];
}

export type RootfsSource = { kind: 'layers'; layers: string[] } | { kind: 'dir'; path: string };

export interface CreateRequest {
  meta: Omit<InstanceMeta, 'id' | 'createdAt' | 'overlay'>;
  spec: OciSpec;
  rootfs: RootfsSource;
}

export interface RuntimeDirs {
  /** Bundles, exit files, conmon sockets: tmpfs-backed, gone after a reboot. */
  stateDir: string;
  conmonPath: string;
}

export interface InstanceStatus {
  state: RuntimeContainerState;
  meta: InstanceMeta;
}

/** True once `pid` has exited (a zombie counts as gone: it holds nothing). */
async function processGone(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return true;
  return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}

async function waitProcessGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await processGone(pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

function newId(): string {
  return randomBytes(32).toString('hex');
}

export class ContainerRuntime {
  readonly exits: ExitWatcher;
  private readonly containersDir: string;
  private readonly exitDir: string;
  private readonly socketDir: string;

  constructor(private readonly runc: OciRuntime, private readonly dirs: RuntimeDirs, private readonly clock: () => number = Date.now) {
    this.containersDir = join(dirs.stateDir, 'containers');
    this.exitDir = join(dirs.stateDir, 'exits');
    this.socketDir = join(dirs.stateDir, 'sockets');
    this.exits = new ExitWatcher(this.exitDir);
  }

  async init(): Promise<void> {
    await Promise.all([this.containersDir, this.exitDir, this.socketDir].map((d) => mkdir(d, { recursive: true, mode: 0o700 })));
    this.exits.start();
  }

  close(): void {
    this.exits.close();
  }

  private bundleDir(id: string): string {
    return join(this.containersDir, id);
  }

  private async saveMeta(meta: InstanceMeta): Promise<void> {
    const file = join(this.bundleDir(meta.id), 'meta.json');
    await writeFile(`${file}.tmp`, JSON.stringify(meta));
    await rename(`${file}.tmp`, file);
  }

  async readMeta(id: string): Promise<InstanceMeta | undefined> {
    try {
      return JSON.parse(await readFile(join(this.bundleDir(id), 'meta.json'), 'utf8')) as InstanceMeta;
    } catch {
      return undefined;
    }
  }

  async createContainer(req: CreateRequest): Promise<InstanceMeta> {
    const id = newId();
    const bundle = this.bundleDir(id);
    const rollback = new Rollback();
    try {
      await mkdir(bundle, { recursive: true, mode: 0o700 });
      rollback.push('bundle', () => rm(bundle, { recursive: true, force: true }));
      // Recorded before anything is acquired: an agent killed from here on leaves an instance it can find again.
      const meta: InstanceMeta = { ...req.meta, id, createdAt: this.clock(), overlay: req.rootfs.kind === 'layers' };
      await this.saveMeta(meta);
      let rootPath: string;
      if (req.rootfs.kind === 'layers') {
        const overlay = await mountOverlay(req.rootfs.layers, join(bundle, 'rootfs'));
        rollback.push('overlay', () => overlay.unmount());
        rootPath = overlay.merged;
      } else {
        rootPath = req.rootfs.path;
      }
      const spec: OciSpec = { ...req.spec, root: { ...req.spec.root, path: rootPath } };
      await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
      await mkdir(dirname(meta.logPath), { recursive: true });
      // Unwound in reverse: runc delete (which kills) before the cgroup can be removed.
      rollback.push('cgroup', () => removeCgroup(meta.cgroupsPath));
      rollback.push('runc', () => this.runc.delete(id, true));
      meta.pid = await createWithConmon({
        conmonPath: this.dirs.conmonPath,
        runtimePath: this.runc.path,
        id,
        name: `${meta.podName}_${meta.name}`,
        bundle,
        logPath: meta.logPath,
        exitDir: this.exitDir,
        socketDir: this.socketDir,
      });
      await this.saveMeta(meta);
      rollback.release();
      return meta;
    } catch (err) {
      const cleanup = await rollback.unwind();
      const left = cleanup.length === 0 ? '' : ` (and its cleanup failed: ${cleanup.map((e) => e.message).join('; ')})`;
      throw wrap(err, `failed to create container "${req.meta.name}"${left}`);
    }
  }

  async startContainer(id: string): Promise<InstanceMeta> {
    const meta = await this.requireMeta(id);
    try {
      await this.runc.start(id);
    } catch (err) {
      throw wrap(err, `failed to start container "${meta.name}"`);
    }
    meta.startedAt = this.clock();
    await this.saveMeta(meta);
    return meta;
  }

  private async requireMeta(id: string): Promise<InstanceMeta> {
    const meta = await this.readMeta(id);
    if (!meta) throw new PoddError('NotFound', `container ${id} not found`);
    return meta;
  }

  /**
   * Current state; records the exit (code, time, OOM) in meta.json the first time it is seen. A started instance
   * without an exit file is running (conmon writes the file when it ends); `verify` asks runc anyway.
   */
  async status(id: string, verify = false): Promise<InstanceStatus> {
    const meta = await this.requireMeta(id);
    if (meta.finishedAt !== undefined) return { state: 'exited', meta };
    const exit = await readExitFile(this.exitDir, id);
    if (exit) {
      meta.finishedAt = exit.finishedAt;
      // startedAt is when `runc start` returned; a process quicker than that was running before it: it cannot have
      // started after it finished.
      if (meta.startedAt !== undefined && meta.startedAt > exit.finishedAt) meta.startedAt = exit.finishedAt;
      meta.exitCode = exit.exitCode;
      if (await wasOomKilled(meta.cgroupsPath)) meta.reason = 'OOMKilled';
      await this.saveMeta(meta);
      return { state: 'exited', meta };
    }
    if (meta.startedAt !== undefined && !verify) return { state: 'running', meta };
    const st = await this.runc.state(id);
    if (st && (st.status === 'running' || st.status === 'paused')) return { state: 'running', meta };
    if (st && (st.status === 'created' || st.status === 'creating')) return { state: 'created', meta };
    // Stopped (or gone) without an exit file: conmon is about to write it, or conmon itself died and never will.
    if (await this.conmonAlive(id)) return { state: meta.startedAt === undefined ? 'created' : 'running', meta };
    // conmon may have written the file and exited since the first look.
    if (await readExitFile(this.exitDir, id)) return this.status(id);
    meta.finishedAt = this.clock();
    meta.exitCode = 137;
    meta.reason = 'ContainerStatusUnknown';
    meta.message = 'The container could not be located when the pod was terminated';
    await this.saveMeta(meta);
    return { state: 'exited', meta };
  }

  private async conmonAlive(id: string): Promise<boolean> {
    const pid = Number.parseInt(await readFile(join(this.bundleDir(id), 'conmon.pid'), 'utf8').catch(() => ''), 10);
    return Number.isInteger(pid) && !(await processGone(pid));
  }

  /**
   * An instance a previous agent left, as a new agent takes it over: its current state, or undefined when it never
   * started (the agent died between create and start) and has been removed, so it is created again from scratch.
   */
  async recover(id: string): Promise<InstanceStatus | undefined> {
    const meta = await this.requireMeta(id);
    if (meta.startedAt === undefined) {
      const st = await this.runc.state(id).catch(() => undefined);
      const ran = (st !== undefined && (st.status === 'running' || st.status === 'paused')) || (await readExitFile(this.exitDir, id)) !== undefined;
      if (!ran) {
        await this.removeContainer(id);
        return undefined;
      }
      // Started, but the agent died before recording it: the start time is the best one known.
      meta.startedAt = this.clock();
      await this.saveMeta(meta);
    }
    return this.status(id, true);
  }

  /** runc start failed: the instance is over, as containerd reports it (StartError, exit code 128). */
  async recordStartError(id: string, message: string): Promise<InstanceMeta> {
    await this.runc.kill(id, 'SIGKILL', true).catch(() => undefined);
    await this.waitExit(id, 5_000);
    const meta = await this.requireMeta(id);
    meta.finishedAt = this.clock();
    meta.exitCode = 128;
    meta.reason = 'StartError';
    meta.message = message;
    await this.saveMeta(meta);
    return meta;
  }

  /** Sends the stop signal, waits up to graceMs, then SIGKILL; resolves once the instance has exited. */
  async stopContainer(id: string, graceMs: number, stopSignal = 'SIGTERM'): Promise<void> {
    const before = await this.status(id, true).catch(async (err: unknown) => {
      if (!isPoddError(err, 'NotFound')) throw err;
      // No record left: make sure nothing of it runs, and there is nothing more to wait for.
      await this.runc.kill(id, 'SIGKILL', true).catch(() => undefined);
      return undefined;
    });
    if (!before || before.state === 'exited') return;
    if (before.state === 'unknown') {
      await this.runc.kill(id, 'SIGKILL', true).catch(() => undefined);
      return;
    }
    if (before.state === 'created') {
      // Never started: runc's init waits in exec.fifo; SIGKILL is the only way out.
      await this.runc.kill(id, 'SIGKILL');
      await this.waitExit(id, 5_000);
      return;
    }
    await this.runc.kill(id, stopSignal);
    if (await this.waitExit(id, graceMs)) return;
    await this.runc.kill(id, 'SIGKILL', true);
    // Without an exit file by now conmon is gone too: status() records the instance as lost (137).
    if (!(await this.waitExit(id, 10_000))) await this.status(id, true);
  }

  /** Sends a signal to every process of the container (a no-op when it is gone). */
  async kill(id: string, signal: string): Promise<void> {
    await this.runc.kill(id, signal, true);
  }

  /** Resolves true once the exit file exists, false after timeoutMs. */
  waitExit(id: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (v: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(poll);
        this.exits.off('exit', onExit);
        resolve(v);
      };
      const onExit = (rec: { id: string }): void => {
        if (rec.id === id) finish(true);
      };
      this.exits.on('exit', onExit);
      const check = (): void => void readExitFile(this.exitDir, id).then((r) => r && finish(true));
      const poll = setInterval(check, 100);
      const timer = setTimeout(() => finish(false), Math.max(0, timeoutMs));
      check();
    });
  }

  /** Removes the runc container, its rootfs and its bundle. Idempotent. */
  async removeContainer(id: string): Promise<void> {
    const meta = await this.readMeta(id);
    const st = await this.runc.state(id).catch(() => undefined);
    if (st && st.status !== 'stopped') {
      await this.runc.kill(id, 'SIGKILL', true).catch(() => undefined);
      await this.waitExit(id, 5_000);
    }
    if (meta && meta.finishedAt === undefined) await this.status(id).catch(() => undefined);
    const conmonPid = Number.parseInt(await readFile(join(this.bundleDir(id), 'conmon.pid'), 'utf8').catch(() => ''), 10);
    await this.runc.delete(id, true);
    // conmon exits on its own once the container is gone; wait for it, so "removed" means no process is left.
    if (Number.isInteger(conmonPid)) await waitProcessGone(conmonPid, 10_000);
    if (meta) await removeCgroup(meta.cgroupsPath);
    await unmountOverlay(join(this.bundleDir(id), 'rootfs')).catch(() => undefined);
    await rm(this.bundleDir(id), { recursive: true, force: true });
    await rm(join(this.exitDir, id), { force: true });
    await rm(join(this.socketDir, id), { recursive: true, force: true });
    if (meta?.role === 'sandbox') await rm(meta.logPath, { force: true });
    this.exits.forget(id);
  }

  /** Every instance with a directory here (for recovery and leak cleanup). */
  async list(): Promise<InstanceMeta[]> {
    const ids = await readdir(this.containersDir).catch(() => [] as string[]);
    const metas = await Promise.all(ids.map((id) => this.readMeta(id)));
    return metas.filter((m): m is InstanceMeta => m !== undefined);
  }
}
