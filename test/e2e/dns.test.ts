// Names inside pods under a real `podd serve`: resolv.conf per dnsPolicy, /etc/hosts, and the cluster DNS on the
// pod bridge's gateway answering Service names and forwarding the rest (busybox nslookup from inside the pods).
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { nodeConfigFromEnv } from '../../src/bin/node-config.js';
import { FakeUpstream } from '../../src/cluster/dns/test-dns.js';
import { parseResolvConf, renderResolvConf } from '../../src/core/dns/resolv-conf.js';
import { ServeFixture, until } from './serve-harness.js';

const serve = new ServeFixture();
const DNS_IP = '10.86.0.1';
const SVC = 'default.svc.cluster.local';

const pod = (name: string, spec: string, labels = '{}'): string => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: ${labels}}
spec:
  terminationGracePeriodSeconds: 1
${spec}
  containers: [{name: c, image: busybox, command: [sleep, '3600']}]
---`;

const PODS = [
  pod('dns-cf', '  hostname: web-0\n  subdomain: web', '{app: web}'),
  pod('dns-default', '  dnsPolicy: Default'),
  pod('dns-none', `  dnsPolicy: None
  dnsConfig:
    nameservers: [192.0.2.53]
    searches: [my.dns.search.suffix]
    options: [{name: ndots, value: '2'}, {name: edns0}]`),
  pod('dns-hostnet', '  hostNetwork: true\n  dnsPolicy: ClusterFirstWithHostNet'),
  pod('dns-hostnet-cf', '  hostNetwork: true'),
  // asks at once: on a host without the pod bridge the cluster DNS binds between CNI ADD and this container's start
  `apiVersion: v1
kind: Pod
metadata: {name: dns-early}
spec:
  restartPolicy: Never
  containers: [{name: c, image: busybox, command: [nslookup, -type=TXT, dns-version.cluster.local]}]`,
].join('\n');


/** kubectl exec that keeps the output of a failing command (busybox nslookup exits 1 if any search domain misses). */
function execIn(podName: string, ...cmd: string[]): { code: number | null; out: string } {
  const r = spawnSync('kubectl', ['exec', podName, '--', ...cmd], {
    encoding: 'utf8', timeout: 30_000,
    env: { ...process.env, KUBECONFIG: serve.kubeconfig, HOME: serve.dir, KUBECACHEDIR: join(serve.dir, 'cache') },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** execIn without blocking this process: a fake upstream served from this test process must keep answering. */
function execInAsync(podName: string, ...cmd: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile('kubectl', ['exec', podName, '--', ...cmd], {
      encoding: 'utf8', timeout: 30_000,
      env: { ...process.env, KUBECONFIG: serve.kubeconfig, HOME: serve.dir, KUBECACHEDIR: join(serve.dir, 'cache') },
    }, (_err, stdout, stderr) => resolve(`${stdout}${stderr}`));
  });
}

/** The addresses busybox nslookup printed per name (the server's own Address line comes before any Name). */
function nslookup(podName: string, name: string): { byName: Map<string, string[]>; out: string } {
  return parseNslookup(execIn(podName, 'nslookup', name).out);
}

function parseNslookup(out: string): { byName: Map<string, string[]>; out: string } {
  const byName = new Map<string, string[]>();
  let current: string | undefined;
  for (const line of out.split('\n')) {
    const m = /^(Name|Address):\s*(\S+)/.exec(line.trim());
    if (m?.[1] === 'Name') current = m[2];
    else if (m?.[1] === 'Address' && current !== undefined) byName.set(current, [...(byName.get(current) ?? []), m[2] ?? '']);
  }
  return { byName, out };
}

function readyPods(names: string[]): boolean {
  return names.every((n) => serve.kubectl('get', 'pod', n, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}') === 'True');
}

const hostResolvConf = nodeConfigFromEnv().hostResolvConf;

before(async () => {
  await serve.start();
  serve.apply('pods', PODS);
  await until('the DNS pods to be ready', () => readyPods(['dns-cf', 'dns-default', 'dns-none', 'dns-hostnet', 'dns-hostnet-cf']), 90_000);
});
after(() => serve.dispose());

test('resolv.conf follows dnsPolicy: ClusterFirst, Default, None with dnsConfig, and the hostNetwork cases', () => {
  const host = parseResolvConf(readFileSync(hostResolvConf, 'utf8'));
  const cluster = renderResolvConf({
    nameservers: [DNS_IP], searches: [...new Set([SVC, 'svc.cluster.local', 'cluster.local', ...host.searches])], options: ['ndots:5'],
  });
  const cat = (p: string): string => serve.kubectl('exec', p, '--', 'cat', '/etc/resolv.conf');
  assert.equal(cat('dns-cf'), cluster);
  assert.equal(cat('dns-default'), renderResolvConf(host));
  assert.equal(cat('dns-none'), 'search my.dns.search.suffix\nnameserver 192.0.2.53\noptions ndots:2 edns0\n');
  assert.equal(cat('dns-hostnet'), cluster, 'ClusterFirstWithHostNet keeps the cluster DNS');
  assert.equal(cat('dns-hostnet-cf'), renderResolvConf(host), 'ClusterFirst on the host network falls back to Default');
});

test('a ClusterFirst container resolves cluster names from its first instruction', async () => {
  await until('dns-early to finish', () => ['Succeeded', 'Failed'].includes(serve.pod('dns-early').status?.phase ?? ''), 60_000);
  const logs = serve.kubectl('logs', 'dns-early');
  assert.equal(serve.pod('dns-early').status?.phase, 'Succeeded', logs);
  assert.match(logs, /dns-version\.cluster\.local\s+text = "1\.1\.0"/);
});

test('/etc/hosts names the pod by hostname and by its hostname.subdomain FQDN', () => {
  const ip = serve.kubectl('get', 'pod', 'dns-cf', '-o', 'jsonpath={.status.podIP}');
  const hosts = serve.kubectl('exec', 'dns-cf', '--', 'cat', '/etc/hosts');
  assert.match(hosts, new RegExp(`\\n${ip.replace(/\./g, '\\.')}\\tweb-0\\.web\\.default\\.svc\\.cluster\\.local\\tweb-0\\n`));
  assert.equal(serve.kubectl('exec', 'dns-cf', '--', 'hostname'), 'web-0\n');
});

test('the cluster DNS answers Service names, headless Services with pod IPs, and NXDOMAIN for unknown cluster names', async (t) => {
  const services = `
apiVersion: v1
kind: Service
metadata: {name: myservice}
spec: {selector: {app: web}, ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {clusterIP: None, selector: {app: web}, ports: [{name: http, port: 80}]}
`;
  try {
    serve.apply('services', services);
  } catch (err) {
    t.diagnostic(`Services are not served by this API yet, so the Service checks are skipped: ${(err as Error).message.split('\n')[0] ?? ''}`);
    t.skip('no Service kind in the API');
    return;
  }
  const clusterIP = serve.kubectl('get', 'service', 'myservice', '-o', 'jsonpath={.spec.clusterIP}');
  assert.match(clusterIP, /^\d+\.\d+\.\d+\.\d+$/);
  const podIP = serve.kubectl('get', 'pod', 'dns-cf', '-o', 'jsonpath={.status.podIP}');

  await until('myservice in the DNS', () => nslookup('dns-cf', `myservice.${SVC}`).byName.get(`myservice.${SVC}`)?.includes(clusterIP) === true);
  // the short name through the search list, from a pod and from a ClusterFirstWithHostNet pod on the host network
  assert.deepEqual(nslookup('dns-cf', 'myservice').byName.get(`myservice.${SVC}`), [clusterIP]);
  assert.deepEqual(nslookup('dns-hostnet', `myservice.${SVC}`).byName.get(`myservice.${SVC}`), [clusterIP]);
  // headless: the ready pods' IPs, and the pod's hostname.subdomain record
  assert.deepEqual(nslookup('dns-cf', `web.${SVC}`).byName.get(`web.${SVC}`), [podIP]);
  assert.deepEqual(nslookup('dns-cf', `web-0.web.${SVC}`).byName.get(`web-0.web.${SVC}`), [podIP]);
  const srv = execIn('dns-cf', 'nslookup', '-type=SRV', `_http._tcp.myservice.${SVC}`);
  assert.match(srv.out, new RegExp(`service = 0 100 80 myservice\\.${SVC.replace(/\./g, '\\.')}`));

  const missing = nslookup('dns-cf', `nosuch.${SVC}`);
  assert.match(missing.out, /NXDOMAIN/);
  assert.equal(missing.byName.size, 0);

  serve.kubectl('delete', 'service', 'myservice');
  await until('myservice to leave the DNS', () => /NXDOMAIN/.test(nslookup('dns-cf', `myservice.${SVC}`).out));
});

/** A name the host itself resolves over DNS (not from /etc/hosts), with its IPv4 addresses. */
function hostResolvable(): { name: string; ips: string[] } | undefined {
  for (const name of ['deb.debian.org', 'registry.npmjs.org']) {
    const r = spawnSync('getent', ['ahostsv4', name], { encoding: 'utf8', timeout: 10_000 });
    const ips = [...new Set((r.stdout ?? '').split('\n').map((l) => l.split(/\s+/)[0] ?? '').filter((ip) => ip !== ''))];
    if (r.status === 0 && ips.length > 0) return { name, ips };
  }
  return undefined;
}

test('names outside the cluster are forwarded to the host resolvers', (t) => {
  const target = hostResolvable();
  if (target === undefined) {
    t.diagnostic('the host resolves none of deb.debian.org, registry.npmjs.org: forwarding to the real upstream is not checked here (the PODD_DNS_UPSTREAM test below checks forwarding)');
    t.skip('no upstream DNS on this host');
    return;
  }
  const { byName, out } = nslookup('dns-cf', target.name);
  const got = [...byName.values()].flat();
  assert.ok(got.some((ip) => target.ips.includes(ip)), `${target.name}: host ${target.ips.join(',')}, pod:\n${out}`);
});

test('after a restart with PODD_DNS_UPSTREAM the cluster DNS serves the running pods again and forwards to that resolver', async () => {
  const upstream = new FakeUpstream({ 'fake-upstream.podd.test': '192.0.2.77' });
  await upstream.start('127.0.0.1');
  try {
    await serve.start({ PODD_DNS_UPSTREAM: `127.0.0.1:${upstream.port}` });
    let last = '';
    for (let i = 0; ; i++) {
      last = await execInAsync('dns-cf', 'nslookup', 'fake-upstream.podd.test');
      if (parseNslookup(last).byName.get('fake-upstream.podd.test')?.includes('192.0.2.77') === true) break;
      assert.ok(i < 30, `no forwarded answer after the restart:\n${last}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(upstream.queries.some((q) => q.includes('fake-upstream.podd.test')), upstream.queries.join('\n'));
    assert.equal(upstream.queries.some((q) => q.includes('cluster.local')), false, 'cluster names never leave podd');
  } finally {
    await upstream.close();
  }
});
