// A UDP Service whose backend is replaced while a client keeps sending from one socket: conntrack would keep the
// flow DNATed to the gone endpoint until it times out; the service proxy deletes such flows, as kube-proxy does,
// so the client's next datagrams reach the new backend.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { leftovers, repoRoot, tempDir } from './harness.js';
import { ServeFixture, until } from './serve-harness.js';

const serve = new ServeFixture();
const bin = tempDir('podd-udp-bin-');
let client: Socket | undefined;

before(async () => {
  // A static binary, so the busybox image can run it from a hostPath volume.
  execFileSync('gcc', ['-static', '-O2', '-o', join(bin, 'udp-hostname'), join(repoRoot, 'test', 'e2e', 'fixtures', 'udp-hostname.c')]);
  await serve.start();
});
after(async () => {
  client?.close();
  await serve.dispose();
});

const backend = (name: string): string => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: udp}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: srv
    image: busybox
    command: [/opt/udp/udp-hostname, '9000']
    ports: [{containerPort: 9000, protocol: UDP}]
    volumeMounts: [{name: bin, mountPath: /opt/udp, readOnly: true}]
  volumes: [{name: bin, hostPath: {path: ${bin}, type: Directory}}]
`;

function endpointIPs(): string {
  return serve.kubectl('get', 'endpointslices', '-l', 'kubernetes.io/service-name=udp', '-o', 'jsonpath={.items[*].endpoints[*].addresses[0]}');
}

test('a UDP client on one socket reaches the new backend once the old one is gone (its conntrack flow deleted)', async () => {
  serve.apply('udp-a', backend('udp-a'));
  serve.apply('udp-svc', `
apiVersion: v1
kind: Service
metadata: {name: udp}
spec:
  selector: {app: udp}
  ports: [{port: 9000, protocol: UDP, targetPort: 9000}]
`);
  const clusterIP = serve.kubectl('get', 'svc', 'udp', '-o', 'jsonpath={.spec.clusterIP}');
  const podIP = (pod: string): string => serve.kubectl('get', 'pod', pod, '-o', 'jsonpath={.status.podIP}');
  await until('udp-a behind the Service', () => podIP('udp-a') !== '' && endpointIPs() === podIP('udp-a'), 30_000);

  const socket = createSocket('udp4');
  client = socket;
  const answers: string[] = [];
  socket.on('message', (m) => answers.push(m.toString()));
  await new Promise<void>((resolve) => socket.bind(0, '0.0.0.0', () => resolve()));
  // One datagram every 200 ms keeps the flow alive, as a real client would.
  const sending = setInterval(() => socket.send('?', 9000, clusterIP), 200);
  try {
    await until('an answer from udp-a', () => answers.includes('udp-a'));
    serve.kubectl('delete', 'pod', 'udp-a', '--wait');
    serve.apply('udp-b', backend('udp-b'));
    await until('udp-b behind the Service', () => podIP('udp-b') !== '' && endpointIPs() === podIP('udp-b'), 30_000);
    // conntrack's UDP timeout is 30 s (120 s once replied to); the answer must come long before.
    await until('an answer from udp-b on the same socket', () => answers.includes('udp-b'), 10_000);
  } finally {
    clearInterval(sending);
  }
  serve.kubectl('delete', 'pod/udp-b', 'svc/udp', '--wait');
  await serve.stop();
  assert.deepEqual(leftovers(), []);
});
