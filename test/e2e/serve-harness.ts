// A real `podd serve` for e2e tests, and the real kubectl pointed at it.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { poddBin, tempDir } from './harness.js';

export async function until(what: string, fn: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export class ServeFixture {
  readonly dir = tempDir('podd-serve-');
  readonly kubeconfig = join(this.dir, 'kubeconfig.yaml');
  readonly db: string;
  readonly port = String(20000 + Math.floor(Math.random() * 20000));
  proc: ChildProcess | undefined;
  /** Resolves with the exit signal (or code) of the current `podd serve`. */
  exited: Promise<NodeJS.Signals | number | null> = Promise.resolve(null);

  /** `db`: the database file, when it must live elsewhere than the fixture's directory. */
  constructor(opts: { db?: string } = {}) {
    this.db = opts.db ?? join(this.dir, 'state.db');
  }

  /** (Re)starts `podd serve` on this fixture's database and waits until kubectl reaches it. */
  async start(env: NodeJS.ProcessEnv = {}): Promise<void> {
    await this.stop();
    const proc = spawn(process.execPath, [poddBin, 'serve', '--port', this.port, '--kubeconfig', this.kubeconfig, '--db', this.db], {
      stdio: 'ignore', env: { ...process.env, ...env },
    });
    this.proc = proc;
    this.exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve(signal ?? code)));
    await until('the kubeconfig', () => existsSync(this.kubeconfig));
    await until('the API', () => {
      try {
        return this.kubectl('version').includes('v1.32.0');
      } catch {
        return false;
      }
    });
  }

  /** Stops the current `podd serve` with `signal` and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.proc === undefined || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill(signal);
    await this.exited;
  }

  /**
   * The end of a test file: every pod is deleted (whatever the tests left, failed ones included), then podd serve
   * stops and its directory goes, so nothing of it outlives the file.
   */
  async dispose(): Promise<void> {
    if (this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null) {
      try {
        this.kubectl('delete', 'pods', '--all', '-A', '--force', '--grace-period=0', '--wait=true', '--timeout=60s');
      } finally {
        await this.stop();
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  kubectl(...args: string[]): string {
    return execFileSync('kubectl', args, {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: this.kubeconfig, HOME: this.dir, KUBECACHEDIR: join(this.dir, 'cache') },
    });
  }

  /** `kubectl apply -f` of a manifest written to `<name>.yaml` in the fixture's directory; kubectl's output. */
  apply(name: string, yaml: string): string {
    const file = join(this.dir, `${name}.yaml`);
    writeFileSync(file, yaml);
    return this.kubectl('apply', '-f', file);
  }

  /** `kubectl get pod NAME -o json`, parsed. */
  pod(name: string): { status?: { phase?: string; initContainerStatuses?: ContainerStatus[]; containerStatuses?: ContainerStatus[] } } {
    return JSON.parse(this.kubectl('get', 'pod', name, '-o', 'json')) as ReturnType<ServeFixture['pod']>;
  }
}

interface ContainerStatus {
  name: string;
  restartCount: number;
  ready: boolean;
  containerID?: string;
  state?: { running?: unknown; terminated?: { exitCode: number; reason?: string } };
  lastState?: { terminated?: { exitCode: number } };
}

export interface Instance { id: string; name: string; podUid: string; role: string; restartCount: number }

/** podd's records of a pod's instances (sandbox and containers), read from the runtime's state dir. */
export function instancesOf(podUid: string): Instance[] {
  const dir = '/run/podd/containers';
  return readdirSync(dir).flatMap((id) => {
    try {
      const m = JSON.parse(readFileSync(join(dir, id, 'meta.json'), 'utf8')) as Instance;
      return m.podUid === podUid ? [m] : [];
    } catch {
      return [];
    }
  });
}

/** runc's view of an instance: running, created, stopped, or none. */
export function runcStatus(id: string): string {
  try {
    return (JSON.parse(execFileSync('runc', ['state', id], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { status: string }).status;
  } catch {
    return 'none';
  }
}
