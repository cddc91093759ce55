import { test } from 'node:test';
import { manifest, run } from './validate-fixtures.test.js';

test('probes', () => {
  const probe = (p: string): string => manifest(`containers: [{name: app, image: nginx, ${p}}]`);
  run([
    { name: 'no handler', text: probe('livenessProbe: {periodSeconds: 5}'), want: ['spec.containers[0].livenessProbe: Required value: must specify a handler type'] },
    {
      name: 'two handlers',
      text: probe('readinessProbe: {exec: {command: [x]}, httpGet: {port: 80}, tcpSocket: {port: 80}}'),
      want: [
        'spec.containers[0].readinessProbe.httpGet: Forbidden: may not specify more than 1 handler type',
        'spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
      ],
    },
    {
      name: 'successThreshold on liveness and startup probes',
      text: probe('livenessProbe: {tcpSocket: {port: 80}, successThreshold: 2}, startupProbe: {tcpSocket: {port: 80}, successThreshold: 3}'),
      want: [
        'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
        'spec.containers[0].startupProbe.successThreshold: Invalid value: 3: must be 1',
      ],
    },
    {
      name: 'readiness probe grace period',
      text: probe('readinessProbe: {tcpSocket: {port: 80}, terminationGracePeriodSeconds: 10}'),
      want: ['spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 10: must not be set for readinessProbes'],
    },
    {
      name: 'negative numbers and a zero grace period',
      text: probe('livenessProbe: {tcpSocket: {port: 80}, initialDelaySeconds: -1, periodSeconds: -5, terminationGracePeriodSeconds: 0}'),
      want: [
        'spec.containers[0].livenessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0',
        'spec.containers[0].livenessProbe.periodSeconds: Invalid value: -5: must be greater than or equal to 0',
        'spec.containers[0].livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0',
      ],
    },
    {
      name: 'handler contents',
      text: probe('livenessProbe: {exec: {command: []}}, readinessProbe: {httpGet: {port: 0, scheme: FTP}}, startupProbe: {tcpSocket: {port: HTTP}}'),
      want: [
        'spec.containers[0].livenessProbe.exec.command: Required value',
        'spec.containers[0].readinessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive',
        'spec.containers[0].readinessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"',
        'spec.containers[0].startupProbe.tcpSocket.port: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.containers[0].startupProbe.tcpSocket.port: Invalid value: "HTTP": must contain at least one letter (a-z)',
      ],
    },
    {
      name: 'sleep hook longer than the grace period',
      text: manifest('terminationGracePeriodSeconds: 10\ncontainers: [{name: app, image: nginx, lifecycle: {preStop: {sleep: {seconds: 20}}}}]'),
      want: ['spec.containers[0].lifecycle.preStop.sleep: Invalid value: 20: must be non-negative and less than terminationGracePeriodSeconds (10)'],
    },
  ]);
});

test('lifecycle hooks', () => {
  const hooks = (l: string): string => manifest(`containers: [{name: app, image: nginx, lifecycle: ${l}}]`);
  run([
    { name: 'every handler kind once, sleep 0 allowed', text: hooks('{postStart: {exec: {command: [x]}}, preStop: {sleep: {seconds: 0}}}'), want: [] },
    { name: 'an empty lifecycle', text: hooks('{}'), want: [] },
    { name: 'a hook without a handler', text: hooks('{postStart: {}}'), want: ['spec.containers[0].lifecycle.postStart: Required value: must specify a handler type'] },
    {
      name: 'more than one handler: every extra one, in exec, httpGet, tcpSocket, sleep order',
      text: hooks('{postStart: {sleep: {seconds: 1}, exec: {command: [x]}}, preStop: {tcpSocket: {port: 80}, httpGet: {port: 0}, sleep: {seconds: 1}}}'),
      want: [
        'spec.containers[0].lifecycle.postStart.sleep: Forbidden: may not specify more than 1 handler type',
        'spec.containers[0].lifecycle.preStop.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive',
        'spec.containers[0].lifecycle.preStop.tcpSocket: Forbidden: may not specify more than 1 handler type',
        'spec.containers[0].lifecycle.preStop.sleep: Forbidden: may not specify more than 1 handler type',
      ],
    },
    {
      name: 'ports out of range, bad port names, bad header names, an empty command',
      text: hooks('{postStart: {httpGet: {port: 99999, path: /x, httpHeaders: [{name: "bad header", value: v}]}}, preStop: {tcpSocket: {port: Web_Port}}}'),
      want: [
        'spec.containers[0].lifecycle.postStart.httpGet.port: Invalid value: 99999: must be between 1 and 65535, inclusive',
        'spec.containers[0].lifecycle.postStart.httpGet.httpHeaders: Invalid value: "bad header": a valid HTTP header must consist of alphanumeric characters or \'-\' '
          + '(e.g. \'X-Header-Name\', regex used for validation is \'[-A-Za-z0-9]+\')',
        'spec.containers[0].lifecycle.preStop.tcpSocket.port: Invalid value: "Web_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      ],
    },
    {
      name: 'an empty exec command; an unsupported scheme',
      text: hooks('{postStart: {exec: {command: []}}, preStop: {httpGet: {port: http, scheme: ftp}}}'),
      want: [
        'spec.containers[0].lifecycle.postStart.exec.command: Required value',
        'spec.containers[0].lifecycle.preStop.httpGet.scheme: Unsupported value: "ftp": supported values: "HTTP", "HTTPS"',
      ],
    },
    {
      name: 'sleep: negative, or longer than the grace period (30 by default)',
      text: hooks('{postStart: {sleep: {seconds: -1}}, preStop: {sleep: {seconds: 31}}}'),
      want: [
        'spec.containers[0].lifecycle.postStart.sleep: Invalid value: -1: must be non-negative and less than terminationGracePeriodSeconds (30)',
        'spec.containers[0].lifecycle.preStop.sleep: Invalid value: 31: must be non-negative and less than terminationGracePeriodSeconds (30)',
      ],
    },
    {
      name: 'a sidecar\'s hooks get the same checks',
      text: manifest('containers: [{name: app, image: nginx}]\ninitContainers: [{name: proxy, image: envoy, restartPolicy: Always, lifecycle: {preStop: {httpGet: {port: 0}}}}]'),
      want: ['spec.initContainers[0].lifecycle.preStop.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive'],
    },
    {
      name: 'a plain init container may have no hooks, however valid',
      text: manifest('containers: [{name: app, image: nginx}]\ninitContainers: [{name: init, image: busybox, lifecycle: {preStop: {sleep: {seconds: 1}}}}]'),
      want: ['spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always'],
    },
  ]);
});

test('probe ports out of range and thresholds', () => {
  const probe = (p: string): string => manifest(`containers: [{name: app, image: nginx, ${p}}]`);
  run([
    {
      name: 'grpc, httpGet and tcpSocket ports',
      text: probe('livenessProbe: {grpc: {port: 70000}}, readinessProbe: {httpGet: {port: -1}}, startupProbe: {tcpSocket: {port: 0}, failureThreshold: -1}'),
      want: [
        'spec.containers[0].livenessProbe.grpc.port: Invalid value: 70000: must be between 1 and 65535, inclusive',
        'spec.containers[0].readinessProbe.httpGet.port: Invalid value: -1: must be between 1 and 65535, inclusive',
        'spec.containers[0].startupProbe.tcpSocket.port: Invalid value: 0: must be between 1 and 65535, inclusive',
        'spec.containers[0].startupProbe.failureThreshold: Invalid value: -1: must be greater than or equal to 0',
      ],
    },
    { name: 'readiness may need several successes', text: probe('readinessProbe: {exec: {command: [x]}, successThreshold: 3}'), want: [] },
    { name: 'successThreshold 0 is defaulted to 1', text: probe('livenessProbe: {exec: {command: [x]}, successThreshold: 0}'), want: [] },
    {
      name: 'a sidecar\'s liveness and startup probes need successThreshold 1 too',
      text: manifest('containers: [{name: app, image: nginx}]\ninitContainers: [{name: proxy, image: envoy, restartPolicy: Always, startupProbe: {exec: {command: [x]}, successThreshold: 2}}]'),
      want: ['spec.initContainers[0].startupProbe.successThreshold: Invalid value: 2: must be 1'],
    },
  ]);
});

test('ports', () => {
  run([
    {
      name: 'numbers, names and protocols',
      text: manifest(`containers:
- name: app
  image: nginx
  ports:
  - {containerPort: 70000, hostPort: 65536}
  - {name: http, containerPort: 80, protocol: ICMP}
  - {name: http, containerPort: 81}
  - {name: Web--Port, containerPort: 82}
  - {name: metrics}`),
      want: [
        'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
        'spec.containers[0].ports[0].hostPort: Invalid value: 65536: must be between 1 and 65535, inclusive',
        'spec.containers[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
        'spec.containers[0].ports[2].name: Duplicate value: "http"',
        'spec.containers[0].ports[3].name: Invalid value: "Web--Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.containers[0].ports[3].name: Invalid value: "Web--Port": must not contain consecutive hyphens',
        'spec.containers[0].ports[4].containerPort: Required value',
      ],
    },
    {
      name: 'host port conflicts between app containers',
      text: manifest('containers: [{name: a, image: x, ports: [{containerPort: 80, hostPort: 8080}]}, {name: b, image: x, ports: [{containerPort: 81, hostPort: 8080}]}]'),
      want: ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"'],
    },
    {
      name: 'host network requires host port == container port',
      text: manifest('hostNetwork: true\ncontainers: [{name: a, image: x, ports: [{containerPort: 80, hostPort: 8080}]}]'),
      want: ['spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true'],
    },
  ]);
});

test('resources', () => {
  const res = (r: string): string => manifest(`containers: [{name: app, image: nginx, resources: ${r}}]`);
  run([
    {
      name: 'negative quantities',
      text: res('{requests: {cpu: "-1", memory: -128Mi}, limits: {ephemeral-storage: -0.5}}'),
      want: [
        'spec.containers[0].resources.limits[ephemeral-storage]: Invalid value: "-500m": must be greater than or equal to 0',
        'spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0',
        'spec.containers[0].resources.requests[memory]: Invalid value: "-128Mi": must be greater than or equal to 0',
        'spec.containers[0].resources.requests[ephemeral-storage]: Invalid value: "-500m": must be greater than or equal to 0',
      ],
    },
    {
      name: 'request above limit',
      text: res('{requests: {cpu: 2000m, memory: 2Gi}, limits: {cpu: 1, memory: 1Gi}}'),
      want: [
        'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
        'spec.containers[0].resources.requests: Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi',
      ],
    },
    {
      name: 'unknown and extended resource names',
      text: res('{requests: {cpus: 1}, limits: {example.com/gpu: 2, example.com/fpga: 500m}}'),
      want: [
        'spec.containers[0].resources.limits[example.com/fpga]: Invalid value: 500m: must be an integer',
        'spec.containers[0].resources.requests[cpus]: Invalid value: cpus: must be a standard resource type or fully qualified',
        'spec.containers[0].resources.requests[cpus]: Invalid value: cpus: must be a standard resource for containers',
        'spec.containers[0].resources.requests[example.com/fpga]: Invalid value: 500m: must be an integer',
      ],
    },
    {
      name: 'extended resources cannot be overcommitted',
      text: res('{requests: {example.com/gpu: 1}, limits: {example.com/gpu: 2}}'),
      want: ['spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/gpu limit of 2'],
    },
  ]);
});

test('env and envFrom', () => {
  run([
    {
      name: 'names and value sources',
      text: manifest(`containers:
- name: app
  image: nginx
  env:
  - {value: x}
  - {name: "A=B", value: x}
  - {name: C, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
  - {name: D, valueFrom: {fieldRef: {fieldPath: metadata.name}, secretKeyRef: {name: s, key: k}}}
  - {name: E, valueFrom: {}}
  - {name: F, valueFrom: {fieldRef: {fieldPath: spec.containers}}}
  - {name: G, valueFrom: {fieldRef: {fieldPath: status.phase}}}
  - {name: H, valueFrom: {configMapKeyRef: {name: cfg}}}
  - {name: I, valueFrom: {resourceFieldRef: {resource: limits.gpu}}}
  envFrom:
  - {prefix: X}`),
      want: [
        'spec.containers[0].env[0].name: Required value',
        'spec.containers[0].env[1].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than \'=\'',
        'spec.containers[0].env[2].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
        'spec.containers[0].env[3].valueFrom: Invalid value: "": may not have more than one field specified at a time',
        'spec.containers[0].env[4].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
        'spec.containers[0].env[5].valueFrom.fieldRef.fieldPath: Invalid value: "spec.containers": error converting fieldPath: field label not supported: spec.containers',
        'spec.containers[0].env[6].valueFrom.fieldRef.fieldPath: Unsupported value: "status.phase": supported values: "metadata.name", '
          + '"metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", '
          + '"status.podIP", "status.podIPs"',
        'spec.containers[0].env[7].valueFrom.configMapKeyRef.key: Required value',
        'spec.containers[0].env[8].valueFrom.resourceFieldRef.resource: Unsupported value: "limits.gpu": supported values: "limits.cpu", '
          + '"limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"',
        'spec.containers[0].envFrom: Invalid value: "": must specify one of: `configMapRef` or `secretRef`',
      ],
    },
  ]);
});
