// Pod networking on real namespaces through the standard CNI plugins: one IP per pod shared by all its containers,
// pod-to-pod and host-to-pod traffic, hostPort, hostNetwork, /etc/hosts, and teardown that leaves nothing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { nodeConfigFromEnv } from '../../src/bin/node-config.js';
import { runPod, tempDir } from './harness.js';
import { ServeFixture, until } from './serve-harness.js';

const serve = new ServeFixture();
before(() => serve.start());
after(() => serve.dispose());

const POD_CIDR_PREFIX = '10.86.0.';


function podIP(name: string): string {
  return serve.kubectl('get', 'pod', name, '-o', 'jsonpath={.status.podIP}');
}

function ready(name: string): boolean {
  return serve.kubectl('get', 'pod', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}') === 'True';
}

function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host, port, path: '/', timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject).on('timeout', () => reject(new Error(`GET ${host}:${port} timed out`)));
  });
}

const WEB = (name: string, extra = ''): string => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox
    command: [sh, -c, 'mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && exec httpd -f -p 8080 -h /www']
    ports: [{containerPort: 8080${extra}}]
`;

test('every container of a pod sees the same eth0, IP and MAC, which status.podIP and fieldRef carry', async () => {
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: one-ip}
spec:
  restartPolicy: Never
  initContainers:
  - {name: init, image: busybox, command: [sh, -c, 'echo "init $(cat /sys/class/net/eth0/address) $(ip -4 -o addr show eth0 | awk "{print \\$4}")"']}
  containers:
  - {name: a, image: busybox, command: [sh, -c, 'echo "a $(cat /sys/class/net/eth0/address) $(ip -4 -o addr show eth0 | awk "{print \\$4}") env=$MY_IP route=$(ip route | grep -c ^default)"'],
     env: [{name: MY_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]}
  - {name: b, image: busybox, command: [sh, -c, 'echo "b $(cat /sys/class/net/eth0/address) $(ip -4 -o addr show eth0 | awk "{print \\$4}") hosts=$(grep -c "$(hostname)" /etc/hosts)"']}
`);
  assert.equal(r.code, 0, r.stderr);
  const ip = { podIP: r.pod?.status?.podIP ?? '', podIPs: r.pod?.status?.podIPs };
  assert.ok(ip.podIP.startsWith(POD_CIDR_PREFIX), ip.podIP);
  assert.deepEqual(ip.podIPs, [{ ip: ip.podIP }]);
  const lines = ['init', 'a', 'b'].flatMap((c) => r.output(c)).map((l) => l.split(' '));
  assert.equal(lines.length, 3, r.stderr);
  const macs = new Set(lines.map((l) => l[1]));
  assert.equal(macs.size, 1, 'one MAC');
  assert.deepEqual(new Set(lines.map((l) => l[2])), new Set([`${ip.podIP}/24`]), 'one IP');
  const a = lines.find((l) => l[0] === 'a') ?? [];
  assert.deepEqual(a.slice(3), [`env=${ip.podIP}`, 'route=1']);
  assert.deepEqual(lines.find((l) => l[0] === 'b')?.slice(3), ['hosts=1'], '/etc/hosts names the pod IP');
});

test('pods reach each other by IP, and the host reaches pods', async () => {
  serve.apply('web-a', WEB('web-a'));
  serve.apply('web-b', WEB('web-b'));
  await until('both pods Ready', () => ready('web-a') && ready('web-b'), 30_000);
  const [a, b] = [podIP('web-a'), podIP('web-b')];
  assert.notEqual(a, b);
  assert.equal(await httpGet(a, 8080), 'hello from web-a\n');
  const fromB = execFileSync('kubectl', ['exec', 'web-b', '--', 'wget', '-q', '-O', '-', `http://${a}:8080/`], {
    encoding: 'utf8', env: { ...process.env, KUBECONFIG: serve.kubeconfig, HOME: serve.dir },
  });
  assert.equal(fromB, 'hello from web-a\n');
  assert.match(serve.kubectl('get', 'pod', 'web-a', '-o', 'wide'), new RegExp(`web-a\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${a.replaceAll('.', '\\.')}\\s`));
});

test('hostPort: the container port is reachable on the host; a second pod asking for it does not start', async () => {
  serve.apply('web-hp', WEB('web-hp', ', hostPort: 18080'));
  await until('web-hp Ready', () => ready('web-hp'), 30_000);
  assert.equal(await httpGet('127.0.0.1', 18080), 'hello from web-hp\n');
  const nodeIP = nodeConfigFromEnv().nodeIP;
  if (nodeIP !== undefined) assert.equal(await httpGet(nodeIP, 18080), 'hello from web-hp\n');
  serve.apply('web-hp2', WEB('web-hp2', ', hostPort: 18080'));
  await until('web-hp2 to be rejected', () => serve.kubectl('get', 'pod', 'web-hp2', '-o', 'jsonpath={.status.phase}') === 'Failed');
  assert.match(serve.kubectl('get', 'pod', 'web-hp2'), /web-hp2\s+0\/1\s+NodePorts\s+0\s/);
  assert.match(serve.kubectl('get', 'pod', 'web-hp2', '-o', 'jsonpath={.status.message}'), /didn't have free ports/);
  assert.equal(await httpGet('127.0.0.1', 18080), 'hello from web-hp\n', 'the first pod keeps its port');
  serve.kubectl('delete', 'pod', 'web-hp2', '--wait=true');
  serve.kubectl('delete', 'pod', 'web-hp', '--wait=true');
  await assert.rejects(httpGet('127.0.0.1', 18080), 'the port mapping went with the pod');
});

test('hostNetwork: the pod is in the host network and UTS namespaces, with the host IP as pod IP', async () => {
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: host-net}
spec:
  restartPolicy: Never
  hostNetwork: true
  containers:
  - {name: c, image: busybox, command: [sh, -c, 'echo "ns=$(readlink /proc/self/ns/net) host=$(hostname)"']}
`);
  assert.equal(r.code, 0, r.stderr);
  const line = r.output('c')[0] ?? '';
  assert.equal(line, `ns=${execFileSync('readlink', ['/proc/self/ns/net'], { encoding: 'utf8' }).trim()} host=${hostname()}`);
  assert.ok(r.pod?.status?.hostIP);
  assert.equal(r.pod.status.podIP, r.pod.status.hostIP);
});

test('a failing CNI plugin: FailedCreatePodSandBox with its message, retried, and nothing half-made stays', async () => {
  const confDir = tempDir('podd-cni-');
  writeFileSync(join(confDir, '10-broken.conflist'), JSON.stringify({
    cniVersion: '1.0.0', name: 'broken', plugins: [{ type: 'bridge', bridge: 'poddbroken0', ipam: { type: 'no-such-ipam' } }],
  }));
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: cni-fails}
spec:
  containers: [{name: c, image: busybox, command: [sleep, '3600']}]
`, { args: ['--timeout', '5s'], env: { PODD_CNI_CONF_DIR: confDir } });
  assert.equal(r.code, 1);
  const failures = r.stderr.split('\n').filter((l) => l.includes('FailedCreatePodSandBox'));
  assert.ok(failures.length >= 2, `retried:\n${r.stderr}`);
  assert.match(failures[0] ?? '', /no-such-ipam/);
  assert.doesNotMatch(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' }), /poddbroken0/, 'the bridge the failed ADD made is gone');
});

test('deleting pods releases their IPs, veths and namespaces', async () => {
  serve.kubectl('delete', 'pod', 'web-a', 'web-b', '--wait=true');
  assert.equal(execFileSync('ip', ['-o', 'link', 'show', 'type', 'veth'], { encoding: 'utf8' }).trim(), '');
  const netnsDir = join(nodeConfigFromEnv().stateDir, 'netns');
  assert.deepEqual(existsSync(netnsDir) ? readdirSync(netnsDir) : [], []);
  const ipam = '/var/lib/cni/networks/podd';
  assert.deepEqual((existsSync(ipam) ? readdirSync(ipam) : []).filter((f) => f.startsWith(POD_CIDR_PREFIX)), [], 'host-local released the IPs');
});
