// The OCI runtime binary (runc by default; crun refuses hybrid cgroups on this kind of host).
import { PoddError } from '../../core/errors.js';
import { run } from '../exec.js';

export type RuncStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

export interface RuncState {
  id: string;
  pid: number;
  status: RuncStatus;
  bundle: string;
}

export interface OciRuntime {
  readonly path: string;
  state(id: string): Promise<RuncState | undefined>;
  start(id: string): Promise<void>;
  kill(id: string, signal: string, all?: boolean): Promise<void>;
  delete(id: string, force?: boolean): Promise<void>;
  list(): Promise<RuncState[]>;
}

function notExist(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  return /does not exist|not found|container .* not exist/i.test(msg);
}

export class Runc implements OciRuntime {
  constructor(readonly path = '/usr/sbin/runc', private readonly root?: string) {}

  private args(rest: string[]): string[] {
    return this.root === undefined ? rest : ['--root', this.root, ...rest];
  }

  async state(id: string): Promise<RuncState | undefined> {
    try {
      const { stdout } = await run(this.path, this.args(['state', id]));
      return JSON.parse(stdout) as RuncState;
    } catch (err) {
      if (notExist(err)) return undefined;
      throw err;
    }
  }

  async start(id: string): Promise<void> {
    await run(this.path, this.args(['start', id]));
  }

  async kill(id: string, signal: string, all = false): Promise<void> {
    try {
      await run(this.path, this.args(['kill', ...(all ? ['--all'] : []), id, signal]));
    } catch (err) {
      // Already gone, or not running: the caller waits for the exit anyway.
      if (notExist(err) || /not running|process already finished|container not running/i.test(String(err))) return;
      throw err;
    }
  }

  async delete(id: string, force = false): Promise<void> {
    try {
      await run(this.path, this.args(['delete', ...(force ? ['--force'] : []), id]));
    } catch (err) {
      if (notExist(err)) return;
      throw new PoddError('Internal', `runc delete ${id}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  async list(): Promise<RuncState[]> {
    const { stdout } = await run(this.path, this.args(['list', '--format', 'json']));
    const parsed: unknown = JSON.parse(stdout || 'null');
    return Array.isArray(parsed) ? (parsed as RuncState[]) : [];
  }
}
