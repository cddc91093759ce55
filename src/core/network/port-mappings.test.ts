import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types.js';
import { isNetworkError } from './errors.js';
import { hostPortMappings, validatePortMappings } from './port-mappings.js';
import type { PortMapping } from './types.js';

test('hostPort mappings from app containers and sidecars, not from plain init containers', () => {
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: {
      initContainers: [
        { name: 'init', ports: [{ containerPort: 1, hostPort: 1001 }] },
        { name: 'sidecar', restartPolicy: 'Always', ports: [{ containerPort: 2, hostPort: 1002, protocol: 'UDP' }] },
      ],
      containers: [
        { name: 'app', ports: [{ containerPort: 80 }, { containerPort: 8080, hostPort: 18080, hostIP: '127.0.0.1' }, { containerPort: 53, hostPort: 1053, protocol: 'SCTP', hostIP: '' }] },
      ],
    },
  };
  assert.deepEqual(hostPortMappings(pod), [
    { hostPort: 1002, containerPort: 2, protocol: 'udp' },
    { hostPort: 18080, containerPort: 8080, protocol: 'tcp', hostIP: '127.0.0.1' },
    { hostPort: 1053, containerPort: 53, protocol: 'sctp' },
  ]);
});

const bad: [string, PortMapping[], RegExp][] = [
  ['host port 0', [{ hostPort: 0, containerPort: 80, protocol: 'tcp' }], /ports must be 1-65535/],
  ['container port too big', [{ hostPort: 80, containerPort: 70000, protocol: 'tcp' }], /ports must be 1-65535/],
  ['protocol', [{ hostPort: 80, containerPort: 80, protocol: 'TCP' as 'tcp' }], /protocol must be tcp, udp or sctp/],
  ['host IP', [{ hostPort: 80, containerPort: 80, protocol: 'tcp', hostIP: 'localhost' }], /hostIP "localhost" is not an IP/],
  ['twice', [{ hostPort: 80, containerPort: 80, protocol: 'tcp' }, { hostPort: 80, containerPort: 81, protocol: 'tcp' }], /host port 80\/tcp is mapped twice/],
];
for (const [name, mappings, want] of bad) {
  test(`validatePortMappings refuses: ${name}`, () => {
    assert.throws(() => validatePortMappings(mappings), (err: unknown) => isNetworkError(err, 'InvalidConfig') && want.test(err.message));
  });
}

test('validatePortMappings accepts the same port on another protocol or host IP', () => {
  validatePortMappings([
    { hostPort: 80, containerPort: 80, protocol: 'tcp' },
    { hostPort: 80, containerPort: 80, protocol: 'udp' },
    { hostPort: 80, containerPort: 81, protocol: 'tcp', hostIP: '127.0.0.1' },
  ]);
});
