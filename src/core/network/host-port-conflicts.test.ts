import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../api/types.js';
import { conflictingHostPort } from './host-port-conflicts.js';

function pod(ports: { containerPort: number; hostPort?: number; protocol?: string; hostIP?: string }[], sidecar = false): Pod {
  const c = { name: 'c', image: 'busybox', ports };
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: sidecar ? { initContainers: [{ ...c, restartPolicy: 'Always' }], containers: [{ name: 'm', image: 'busybox' }] } : { containers: [c] },
  } as Pod;
}

const cases: { name: string; wants: Pod; held: Pod[]; clash: boolean }[] = [
  { name: 'no host ports never conflict', wants: pod([{ containerPort: 80 }]), held: [pod([{ containerPort: 80, hostPort: 80 }])], clash: false },
  { name: 'same port and protocol', wants: pod([{ containerPort: 80, hostPort: 8080 }]), held: [pod([{ containerPort: 81, hostPort: 8080 }])], clash: true },
  { name: 'same port, other protocol', wants: pod([{ containerPort: 53, hostPort: 53, protocol: 'UDP' }]), held: [pod([{ containerPort: 53, hostPort: 53 }])], clash: false },
  { name: 'different ports', wants: pod([{ containerPort: 80, hostPort: 8080 }]), held: [pod([{ containerPort: 80, hostPort: 8081 }])], clash: false },
  { name: 'two specific addresses', wants: pod([{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.1' }]), held: [pod([{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.2' }])], clash: false },
  { name: 'the same specific address', wants: pod([{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.1' }]), held: [pod([{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.1' }])], clash: true },
  { name: 'a wildcard holds every address', wants: pod([{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.1' }]), held: [pod([{ containerPort: 80, hostPort: 80, hostIP: '0.0.0.0' }])], clash: true },
  { name: 'a wildcard wants every address', wants: pod([{ containerPort: 80, hostPort: 80 }]), held: [pod([{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.1' }])], clash: true },
  { name: 'a sidecar holds its port', wants: pod([{ containerPort: 80, hostPort: 80 }]), held: [pod([{ containerPort: 80, hostPort: 80 }], true)], clash: true },
  { name: 'nothing admitted', wants: pod([{ containerPort: 80, hostPort: 80 }]), held: [], clash: false },
];

for (const c of cases) {
  test(`host port conflicts: ${c.name}`, () => {
    assert.equal(conflictingHostPort(c.wants, c.held) !== undefined, c.clash);
  });
}
