// A tiny Kubernetes API client for the benchmark: the kubeconfig `podd serve` wrote, and a pod watch that tells the
// bench the moment a condition holds (polling through kubectl would add kubectl's own start to every poll).
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { parse } from 'yaml';

export interface BenchPod {
  metadata: { name: string; uid: string };
  status?: {
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; restartCount?: number; state: { running?: { startedAt?: string } } }[];
  };
}

export const isReady = (p: BenchPod | undefined): boolean =>
  p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export const allRunning = (p: BenchPod | undefined, names: string[]): boolean =>
  names.every((n) => p?.status?.containerStatuses?.some((s) => s.name === n && s.state.running !== undefined) ?? false);

interface Waiter {
  test: () => boolean;
  resolve: (at: number) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** The pods of one namespace and label selector as a watch streams them; waits resolve with performance.now(). */
export class PodWatch {
  readonly pods = new Map<string, BenchPod>();
  /** Every pod uid seen, deleted ones included: what the host must be clean of at the end. */
  readonly uids = new Set<string>();
  /** Resolves once the server has answered the watch (podd flushes the headers at once). */
  readonly opened: Promise<void>;
  private openedResult: { resolve: () => void; reject: (err: Error) => void } | undefined;
  private waiters: Waiter[] = [];
  private failed: Error | undefined;
  private readonly abort: () => void;

  constructor(kubeconfigPath: string, namespace: string, labelSelector: string) {
    const kc = parse(readFileSync(kubeconfigPath, 'utf8')) as {
      clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
      users: { user: { token: string } }[];
    };
    const cluster = kc.clusters[0]?.cluster;
    const token = kc.users[0]?.user.token;
    if (!cluster || !token) throw new Error(`${kubeconfigPath}: no cluster or user`);
    const path = `/api/v1/namespaces/${namespace}/pods?watch=true&labelSelector=${encodeURIComponent(labelSelector)}`;
    const ca = Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8');
    this.opened = new Promise((resolve, reject) => (this.openedResult = { resolve, reject }));
    this.opened.catch(() => undefined);
    const req = request(new URL(path, cluster.server), { ca, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) return this.fail(new Error(`watch ${path}: HTTP ${res.statusCode}`));
      this.openedResult?.resolve();
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') this.onEvent(JSON.parse(line) as { type: string; object: BenchPod });
      });
      res.on('end', () => this.fail(new Error('the pod watch ended (podd serve gone?)')));
      res.on('error', (e) => this.fail(new Error(`pod watch: ${e.message}`)));
    });
    req.on('error', (e) => this.fail(new Error(`pod watch: ${e.message}`)));
    req.end();
    this.abort = () => req.destroy();
  }

  private onEvent(e: { type: string; object: BenchPod }): void {
    if (e.type === 'ERROR') return this.fail(new Error(`watch error: ${JSON.stringify(e.object)}`));
    if (e.type === 'BOOKMARK') return;
    const at = performance.now();
    this.uids.add(e.object.metadata.uid);
    if (e.type === 'DELETED') this.pods.delete(e.object.metadata.name);
    else this.pods.set(e.object.metadata.name, e.object);
    this.waiters = this.waiters.filter((w) => {
      if (!w.test()) return true;
      clearTimeout(w.timer);
      w.resolve(at);
      return false;
    });
  }

  /** Makes every wait fail, now and from now on (the watch broke, or the bench was interrupted). */
  fail(err: Error): void {
    this.failed ??= err;
    this.openedResult?.reject(err);
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(err);
    }
  }

  /**
   * Resolves with the time of the watch event after which `test` holds. Call it before the action it waits for:
   * if `test` already holds, it resolves with the time of the call.
   */
  until(what: string, test: (pods: Map<string, BenchPod>) => boolean, timeoutMs: number): Promise<number> {
    const wait = new Promise<number>((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      if (test(this.pods)) return resolve(performance.now());
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`));
      }, timeoutMs);
      this.waiters.push({ test: () => test(this.pods), resolve, reject, timer });
    });
    wait.catch(() => undefined); // a wait abandoned because the action before it failed is no unhandled rejection
    return wait;
  }

  stop(): void {
    this.fail(new Error('watch stopped'));
    this.abort();
  }
}
