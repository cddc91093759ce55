// What a fresh store needs before kubectl can use it: the namespaces a cluster starts with (default, kube-node-lease,
// kube-public, kube-system) and this host as one Ready node. Existing objects are left as they are.

import { arch, cpus, release, totalmem } from 'node:os';
import type { ObjectStore, StoredObject } from '../../store/types.js';

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The node's addresses: its InternalIP (the host address pods get as status.hostIP) and its hostname. */
function nodeAddresses(nodeName: string, nodeIP: string | undefined): { type: string; address: string }[] {
  return [{ type: 'InternalIP', address: nodeIP ?? '127.0.0.1' }, { type: 'Hostname', address: nodeName }];
}

export function seedStore(store: ObjectStore, nodeName: string, gitVersion: string, now: number, nodeIP?: string): void {
  for (const name of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) {
    if (store.tryGet('namespaces', '', name) !== undefined) continue;
    store.create('namespaces', {
      apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
    } as StoredObject);
  }
  const existing = store.tryGet<StoredObject & { status?: { addresses?: unknown } }>('nodes', '', nodeName);
  if (existing !== undefined) {
    // The host may have a new address since the store was made.
    const addresses = nodeAddresses(nodeName, nodeIP);
    if (JSON.stringify(existing.status?.addresses) !== JSON.stringify(addresses)) {
      store.update<StoredObject & { status?: object }>('nodes', '', nodeName, (cur) => ({ ...cur, status: { ...cur.status, addresses } }));
    }
    return;
  }
  const goArch = arch() === 'x64' ? 'amd64' : arch();
  const capacity = { cpu: String(cpus().length), memory: `${Math.floor(totalmem() / 1024)}Ki`, pods: '110' };
  const at = rfc3339(now);
  store.create('nodes', {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: nodeName,
      labels: {
        'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': goArch,
        'node-role.kubernetes.io/control-plane': '',
      },
    },
    spec: {},
    status: {
      capacity, allocatable: capacity,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'podd is posting ready status', lastHeartbeatTime: at, lastTransitionTime: at }],
      addresses: nodeAddresses(nodeName, nodeIP),
      nodeInfo: {
        kubeletVersion: gitVersion, osImage: 'Linux', kernelVersion: release(), containerRuntimeVersion: 'podd://0.1.0',
        operatingSystem: 'linux', architecture: goArch,
      },
    },
  } as StoredObject);
}
