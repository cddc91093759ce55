// The node's heartbeat, as the kubelet keeps it: the Lease kube-node-lease/<node> renewed every 10 s (what
// `kubectl describe node` shows under Lease, and what a node controller would watch), and the Ready condition's
// lastHeartbeatTime refreshed every 5 minutes (the kubelet's nodeStatusReportFrequency when nothing changed).
import { formatRfc3339 } from '../core/time.js';
import type { ObjectStore, StoredObject } from '../store/types.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const LEASE_DURATION_SECONDS = 40;

interface Lease extends StoredObject {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  spec: { holderIdentity: string; leaseDurationSeconds: number; renewTime: string };
}

interface NodeObject extends StoredObject {
  status?: { conditions?: { type: string; lastHeartbeatTime?: string }[] };
}

export interface NodeHeartbeatOptions {
  nodeName: string;
  now: () => number;
  log: (line: string) => void;
  /** Lease renewal period (default 10 s). */
  leaseMs?: number;
  /** Node status heartbeat period (default 5 min). */
  statusMs?: number;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class NodeHeartbeat {
  private leaseTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;

  constructor(private readonly store: ObjectStore, private readonly opts: NodeHeartbeatOptions) {}

  start(): void {
    this.renewLease();
    this.beat();
    this.leaseTimer = setInterval(() => this.renewLease(), this.opts.leaseMs ?? 10_000).unref();
    this.statusTimer = setInterval(() => this.beat(), this.opts.statusMs ?? 300_000).unref();
  }

  stop(): void {
    clearInterval(this.leaseTimer);
    clearInterval(this.statusTimer);
  }

  /** Writes that fail (a full disk) are tried again at the next tick. */
  private attempt(what: string, write: () => void): void {
    try {
      write();
    } catch (err) {
      this.opts.log(`podd serve: node ${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  renewLease(): void {
    const name = this.opts.nodeName;
    const renewTime = microTime(this.opts.now());
    this.attempt('lease', () => {
      if (this.store.tryGet<Lease>('leases', NODE_LEASE_NAMESPACE, name) !== undefined) {
        this.store.update<Lease>('leases', NODE_LEASE_NAMESPACE, name, (cur) => ({ ...cur, spec: { ...cur.spec, renewTime } }));
        return;
      }
      const node = this.store.tryGet<NodeObject>('nodes', '', name);
      const owner = node?.metadata.uid === undefined ? {} : { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid }] };
      this.store.create<Lease>('leases', {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: { name, namespace: NODE_LEASE_NAMESPACE, ...owner },
        spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime },
      });
    });
  }

  private beat(): void {
    const at = formatRfc3339(this.opts.now());
    this.attempt('status', () => {
      if (this.store.tryGet('nodes', '', this.opts.nodeName) === undefined) return;
      this.store.update<NodeObject>('nodes', '', this.opts.nodeName, (cur) => ({
        ...cur,
        status: { ...cur.status, conditions: (cur.status?.conditions ?? []).map((c) => (c.type === 'Ready' ? { ...c, lastHeartbeatTime: at } : c)) },
      }));
    });
  }
}
