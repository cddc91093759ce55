// resolveProbeAction and its parts against the kubelet's prober: ports by name, URLs, headers, exec expansion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Probe } from '../../api/types.js';
import {
  PROBE_USER_AGENT, canonicalHeaderKey, joinHostPort, probeHeaders, probeURL, resolveContainerPort, resolveProbeAction,
} from './action.js';

const c: Container = {
  name: 'web',
  image: 'busybox',
  ports: [{ name: 'http', containerPort: 8080 }, { name: 'grpc', containerPort: 9000 }, { name: 'zero', containerPort: 0 }],
  env: [{ name: 'FILE', value: '/tmp/ready' }, { name: 'SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
};

test('resolveContainerPort: numbers, names, numbers as strings, Go errors', () => {
  const cases: [number | string, number | { error: string }][] = [
    [80, 80],
    ['http', 8080],
    ['grpc', 9000],
    ['8081', 8081],
    ['+8082', 8082],
    ['nope', { error: 'strconv.Atoi: parsing "nope": invalid syntax' }],
    [0, { error: 'invalid port number: 0' }],
    [65536, { error: 'invalid port number: 65536' }],
    ['zero', { error: 'invalid port number: 0' }],
    ['-1', { error: 'invalid port number: -1' }],
  ];
  for (const [port, want] of cases) assert.deepEqual(resolveContainerPort(port, c), want, String(port));
});

test('canonicalHeaderKey as Go\'s textproto', () => {
  assert.equal(canonicalHeaderKey('x-probe'), 'X-Probe');
  assert.equal(canonicalHeaderKey('USER-AGENT'), 'User-Agent');
  assert.equal(canonicalHeaderKey('accept'), 'Accept');
  assert.equal(canonicalHeaderKey('x-a-b'), 'X-A-B');
  assert.equal(canonicalHeaderKey('bad key'), 'bad key');
});

test('probeHeaders: user headers kept in order, User-Agent and Accept defaulted, empty Accept dropped', () => {
  assert.deepEqual(probeHeaders(undefined), [['User-Agent', PROBE_USER_AGENT], ['Accept', '*/*']]);
  assert.equal(PROBE_USER_AGENT, 'kube-probe/1.32');
  assert.deepEqual(probeHeaders([{ name: 'x-probe', value: 'a' }, { name: 'X-Probe', value: 'b' }]), [
    ['X-Probe', 'a'], ['X-Probe', 'b'], ['User-Agent', PROBE_USER_AGENT], ['Accept', '*/*'],
  ]);
  assert.deepEqual(probeHeaders([{ name: 'user-agent', value: 'mine' }, { name: 'Accept', value: 'text/plain' }]), [
    ['User-Agent', 'mine'], ['Accept', 'text/plain'],
  ]);
  assert.deepEqual(probeHeaders([{ name: 'Accept', value: '' }]), [['User-Agent', PROBE_USER_AGENT]]);
  assert.deepEqual(probeHeaders([{ name: 'Host', value: 'example.com' }]), [['Host', 'example.com'], ['User-Agent', PROBE_USER_AGENT], ['Accept', '*/*']]);
});

test('probeURL and joinHostPort', () => {
  assert.equal(probeURL('http', '10.86.0.5', 8080, '/healthz'), 'http://10.86.0.5:8080/healthz');
  assert.equal(probeURL('https', '10.86.0.5', 443, '/'), 'https://10.86.0.5:443/');
  assert.equal(probeURL('http', '10.86.0.5', 80, 'healthz?a=1&b=2'), 'http://10.86.0.5:80/healthz?a=1&b=2');
  assert.equal(probeURL('http', '10.86.0.5', 80, '//evil/x'), 'http://10.86.0.5:80//evil/x');
  assert.equal(probeURL('http', 'fd00::5', 80, '/a b'), 'http://[fd00::5]:80/a%20b');
  assert.equal(joinHostPort('fd00::5', 80), '[fd00::5]:80');
  assert.equal(joinHostPort('10.0.0.1', 80), '10.0.0.1:80');
});

interface ActionCase { name: string; probe: Probe; want: unknown }

const actionCases: ActionCase[] = [
  {
    name: 'exec: $(VAR) from static env, valueFrom ones empty, unknown kept, $$ escaped',
    probe: { exec: { command: ['sh', '-c', 'test -f $(FILE) && echo $(SECRET)x $(NOPE) $$(FILE)'] } },
    want: { kind: 'exec', command: ['sh', '-c', 'test -f /tmp/ready && echo x $(NOPE) $(FILE)'] },
  },
  {
    name: 'httpGet: pod IP, named port, defaults',
    probe: { httpGet: { path: '/healthz', port: 'http' } },
    want: { kind: 'http', url: 'http://10.86.0.5:8080/healthz', scheme: 'http', host: '10.86.0.5', port: 8080, headers: [['User-Agent', PROBE_USER_AGENT], ['Accept', '*/*']] },
  },
  {
    name: 'httpGet: HTTPS, own host, headers',
    probe: { httpGet: { path: '/', port: 8443, scheme: 'HTTPS', host: '127.0.0.1', httpHeaders: [{ name: 'x-custom', value: 'yes' }] } },
    want: { kind: 'http', url: 'https://127.0.0.1:8443/', scheme: 'https', host: '127.0.0.1', port: 8443, headers: [['X-Custom', 'yes'], ['User-Agent', PROBE_USER_AGENT], ['Accept', '*/*']] },
  },
  { name: 'httpGet: unknown port name errors', probe: { httpGet: { path: '/', port: 'metrics' } }, want: { kind: 'invalid', error: 'strconv.Atoi: parsing "metrics": invalid syntax' } },
  { name: 'tcpSocket: pod IP and named port', probe: { tcpSocket: { port: 'grpc' } }, want: { kind: 'tcp', host: '10.86.0.5', port: 9000 } },
  { name: 'tcpSocket: own host', probe: { tcpSocket: { port: 22, host: '10.0.0.9' } }, want: { kind: 'tcp', host: '10.0.0.9', port: 22 } },
  { name: 'tcpSocket: bad port', probe: { tcpSocket: { port: 'zero' } }, want: { kind: 'invalid', error: 'invalid port number: 0' } },
  { name: 'grpc: default service', probe: { grpc: { port: 9000 } }, want: { kind: 'grpc', host: '10.86.0.5', port: 9000, service: '' } },
  { name: 'grpc: named service', probe: { grpc: { port: 9000, service: 'db' } }, want: { kind: 'grpc', host: '10.86.0.5', port: 9000, service: 'db' } },
  { name: 'no handler', probe: {}, want: { kind: 'invalid', error: 'missing probe handler for web' } },
];

for (const a of actionCases) {
  test(`resolveProbeAction: ${a.name}`, () => {
    assert.deepEqual(resolveProbeAction(a.probe, c, '10.86.0.5'), a.want);
  });
}
