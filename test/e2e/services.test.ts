// Services against a real `podd serve` and the real kubectl: ClusterIP allocation, Endpoints and EndpointSlices
// following the pods, and the iptables proxy carrying traffic from the host, from another pod and from a backend
// to itself; deleting a backend or the Service updates the rules, and nothing of podd's stays in iptables.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ServeFixture, until } from './serve-harness.js';

const serve = new ServeFixture();
before(() => serve.start());
after(() => serve.dispose());


function jsonpath(what: string, path: string): string {
  return serve.kubectl('get', ...what.split(' '), '-o', `jsonpath=${path}`);
}

function ready(pod: string): boolean {
  return jsonpath(`pod ${pod}`, '{.status.conditions[?(@.type=="Ready")].status}') === 'True';
}

function iptablesSave(table: 'nat' | 'filter'): string {
  return execFileSync('iptables-save', ['-t', table], { encoding: 'utf8' });
}

function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // A fresh connection per request, so each one is balanced on its own.
    http.get({ host, port, path: '/', timeout: 5_000, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body.trim()));
    }).on('error', reject).on('timeout', function (this: http.ClientRequest) {
      this.destroy(new Error(`GET ${host}:${port} timed out`));
    });
  });
}

/** The distinct answers of `n` requests from the host. */
async function answers(ip: string, n: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(await httpGet(ip, 80));
  return seen;
}

/** busybox's `wget -T` crashes (SIGSEGV) in this image; `timeout` bounds each request instead. */
function kubectlExec(pod: string, script: string): string {
  return serve.kubectl('exec', pod, '--', 'sh', '-c', script);
}

const BACKEND = (name: string): string => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: web}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox
    command: [sh, -c, 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www']
    ports: [{name: http, containerPort: 8080}]
`;

const SERVICE = (name: string, targetPort: string): string => `
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: ${targetPort}}]
`;

const ips: Record<string, string> = {};

test('a Service over two backends: ClusterIP from 10.87/16, kubectl columns, Endpoints and EndpointSlices of both pods', async () => {
  serve.apply('web-a', BACKEND('web-a'));
  serve.apply('web-b', BACKEND('web-b'));
  serve.apply('client', `
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: busybox, command: [sleep, '3600']}]
`);
  serve.apply('web', SERVICE('web', '8080'));
  serve.apply('web-named', SERVICE('web-named', 'http'));
  await until('the pods Ready', () => ready('web-a') && ready('web-b') && ready('client'), 60_000);
  ips['web-a'] = jsonpath('pod web-a', '{.status.podIP}');
  ips['web-b'] = jsonpath('pod web-b', '{.status.podIP}');

  const table = serve.kubectl('get', 'svc');
  assert.match(table, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/m);
  assert.match(table, /^kubernetes\s+ClusterIP\s+10\.87\.0\.1\s+<none>\s+443\/TCP\s+\d+s$/m);
  for (const svc of ['web', 'web-named']) {
    const ip = jsonpath(`svc ${svc}`, '{.spec.clusterIP}');
    assert.match(ip, /^10\.87\.\d+\.\d+$/);
    assert.match(table, new RegExp(`^${svc}\\s+ClusterIP\\s+${ip.replaceAll('.', '\\.')}\\s+<none>\\s+80/TCP\\s+\\d+s$`, 'm'));
    ips[svc] = ip;
  }
  assert.notEqual(ips['web'], ips['web-named']);
  assert.match(serve.kubectl('get', 'svc', 'web', '-o', 'wide'), /^web\s+ClusterIP\s+\S+\s+<none>\s+80\/TCP\s+\d+s\s+app=web$/m);

  const both = [ips['web-a'], ips['web-b']].sort();
  await until('Endpoints and EndpointSlices of both pods', () => {
    const ep = serve.kubectl('get', 'endpoints', 'web', 'web-named', '--no-headers');
    const slices = serve.kubectl('get', 'endpointslices', '-l', 'kubernetes.io/service-name in (web,web-named)', '--no-headers');
    return both.every((ip) => ep.split('\n').filter((l) => l.includes(`${ip}:8080`)).length === 2 && slices.split('\n').filter((l) => l.includes(ip ?? '')).length === 2);
  });
  const out = serve.kubectl('get', 'endpoints,endpointslices');
  assert.match(out, /^NAME\s+ENDPOINTS\s+AGE$/m);
  assert.match(out, new RegExp(`^endpoints/web\\s+${both.map((ip) => `${ip}:8080`).join(',').replaceAll('.', '\\.')}\\s+\\d+s$`, 'm'));
  assert.match(out, /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/m);
  assert.match(out, new RegExp(`^endpointslice.discovery.k8s.io/web-[a-z0-9]{5}\\s+IPv4\\s+8080\\s+(${both.join(',')}|${[...both].reverse().join(',')})\\s+\\d+s$`.replaceAll('.', '\\.'), 'm'));
  const slice = JSON.parse(serve.kubectl('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json')) as {
    items: { metadata: { labels: Record<string, string>; ownerReferences: { kind: string; name: string }[] }; endpoints: { conditions: { ready: boolean } }[] }[];
  };
  assert.equal(slice.items.length, 1);
  assert.equal(slice.items[0]?.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.deepEqual(slice.items[0]?.metadata.ownerReferences.map((o) => `${o.kind}/${o.name}`), ['Service/web']);
  assert.deepEqual(slice.items[0]?.endpoints.map((e) => e.conditions.ready), [true, true]);
});

test('from the host, ClusterIP:80 reaches both backends (targetPort by number and by name)', async () => {
  for (const svc of ['web', 'web-named']) {
    const seen = await answers(ips[svc] ?? '', 30);
    assert.deepEqual([...seen].sort(), ['web-a', 'web-b'], svc);
  }
});

test('from another pod, and from a backend to its own Service (hairpin), the ClusterIP reaches both backends', () => {
  const loop = (ip: string): string => `for i in $(seq 30); do timeout 5 wget -q -O - http://${ip}/; done`;
  for (const pod of ['client', 'web-a']) {
    const seen = new Set(kubectlExec(pod, loop(ips['web'] ?? '')).trim().split('\n'));
    assert.deepEqual([...seen].sort(), ['web-a', 'web-b'], `from ${pod}`);
  }
});

test('containers get the Service variables (with enableServiceLinks: false only the kubernetes Service\'s), usable in $(VAR)', async () => {
  const envPod = (name: string, links: boolean): string => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: Never
  enableServiceLinks: ${links}
  containers:
  - name: c
    image: busybox
    command: [env]
    env: [{name: WEB_URL, value: 'http://$(WEB_SERVICE_HOST):$(WEB_SERVICE_PORT)/'}]
`;
  serve.apply('env-links', envPod('env-links', true));
  serve.apply('env-nolinks', envPod('env-nolinks', false));
  await until('both to finish', () => ['env-links', 'env-nolinks'].every((p) => jsonpath(`pod ${p}`, '{.status.phase}') === 'Succeeded'));
  const envOf = (pod: string): Map<string, string> =>
    new Map(serve.kubectl('logs', pod).trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  const links = envOf('env-links');
  const web = ips['web'] ?? '';
  for (const [name, value] of [
    ['WEB_SERVICE_HOST', web], ['WEB_SERVICE_PORT', '80'], ['WEB_PORT', `tcp://${web}:80`], ['WEB_PORT_80_TCP', `tcp://${web}:80`],
    ['WEB_PORT_80_TCP_PROTO', 'tcp'], ['WEB_PORT_80_TCP_PORT', '80'], ['WEB_PORT_80_TCP_ADDR', web],
    ['WEB_NAMED_SERVICE_HOST', ips['web-named'] ?? ''], ['WEB_URL', `http://${web}:80/`],
    ['KUBERNETES_SERVICE_HOST', '10.87.0.1'], ['KUBERNETES_SERVICE_PORT', '443'], ['KUBERNETES_SERVICE_PORT_HTTPS', '443'],
    ['KUBERNETES_PORT', 'tcp://10.87.0.1:443'],
  ] as const) assert.equal(links.get(name), value, name);
  const noLinks = envOf('env-nolinks');
  assert.equal(noLinks.get('KUBERNETES_SERVICE_HOST'), '10.87.0.1');
  assert.deepEqual([...noLinks.keys()].filter((k) => k.startsWith('WEB_') && k !== 'WEB_URL'), []);
  assert.equal(noLinks.get('WEB_URL'), 'http://$(WEB_SERVICE_HOST):$(WEB_SERVICE_PORT)/', 'unknown references stay as written');
  serve.kubectl('delete', 'pod', 'env-links', 'env-nolinks', '--wait');
});

test('deleting a backend takes it out of the endpoints and the rules: traffic only reaches the other', async () => {
  serve.kubectl('delete', 'pod', 'web-b', '--wait=true');
  await until('web-b out of the Endpoints and EndpointSlice', () =>
    jsonpath('endpoints web', '{.subsets[*].addresses[*].ip}') === ips['web-a']
    && jsonpath('endpointslices -l kubernetes.io/service-name=web', '{.items[*].endpoints[*].addresses[*]}') === ips['web-a']);
  await until('the rules to drop web-b', () => !iptablesSave('nat').includes(`${ips['web-b'] ?? ''}:8080`));
  assert.deepEqual([...await answers(ips['web'] ?? '', 15)], ['web-a']);
  assert.deepEqual(new Set(kubectlExec('client', `for i in $(seq 10); do timeout 5 wget -q -O - http://${ips['web'] ?? ''}/; done`).trim().split('\n')), new Set(['web-a']));
});

test('kubectl create service clusterip works; with no pod selected it has no endpoints and refuses connections', async () => {
  assert.match(serve.kubectl('create', 'service', 'clusterip', 's2', '--tcp=80:8080'), /service\/s2 created/);
  const ip = jsonpath('svc s2', '{.spec.clusterIP}');
  assert.match(ip, /^10\.87\.\d+\.\d+$/);
  assert.match(serve.kubectl('get', 'svc', 's2', '-o', 'wide'), new RegExp(`^s2\\s+ClusterIP\\s+${ip.replaceAll('.', '\\.')}\\s+<none>\\s+80/TCP\\s+\\d+s\\s+app=s2$`, 'm'));
  await until('an empty Endpoints and a placeholder slice', () => /^s2\s+<none>\s/m.test(serve.kubectl('get', 'endpoints', 's2'))
    && /^s2-[a-z0-9]{5}\s+IPv4\s+<unset>\s+<unset>\s/m.test(serve.kubectl('get', 'endpointslices', '-l', 'kubernetes.io/service-name=s2')));
  await until('the REJECT rule', () => iptablesSave('filter').includes('"default/s2:80-8080 has no endpoints"'));
  await assert.rejects(httpGet(ip, 80), (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED');
});

test('a clusterIP outside the service CIDR, or one already taken, is refused with 422 and the apiserver message', () => {
  const bad = (name: string, clusterIP: string): { status: string; stderr: string } => {
    const file = join(serve.dir, `${name}.yaml`);
    writeFileSync(file, `{"apiVersion":"v1","kind":"Service","metadata":{"name":"${name}"},"spec":{"clusterIP":"${clusterIP}","ports":[{"port":80}]}}`);
    try {
      serve.kubectl('create', '-f', file, '-v=6');
      return { status: 'created', stderr: '' };
    } catch (err) {
      const stderr = String((err as { stderr?: unknown }).stderr ?? '');
      return { status: /POST https:\S+ (\d{3})/.exec(stderr)?.[1] ?? '?', stderr };
    }
  };
  const out = bad('bad', '10.99.0.5');
  assert.equal(out.status, '422', out.stderr);
  assert.match(out.stderr, /The Service "bad" is invalid: spec\.clusterIPs: Invalid value: \[\]string\{"10\.99\.0\.5"\}: failed to allocate IP 10\.99\.0\.5: the provided IP \(10\.99\.0\.5\) is not in the valid range\. The range of valid IPs is 10\.87\.0\.0\/16/);
  const taken = bad('taken', ips['web'] ?? '');
  assert.equal(taken.status, '422', taken.stderr);
  assert.match(taken.stderr, new RegExp(`failed to allocate IP ${(ips['web'] ?? '').replaceAll('.', '\\.')}: provided IP is already allocated`));
  assert.throws(() => serve.kubectl('patch', 'svc', 'web', '-p', '{"spec":{"clusterIP":"10.87.200.200"}}'),
    (err: { stderr?: unknown }) => /spec\.clusterIPs\[0\]: Invalid value: \[\]string\{"10\.87\.200\.200"\}: may not change once set/.test(String(err.stderr)));
});

test('deleting a Service removes its rules and frees its ClusterIP', async () => {
  const ip = ips['web'] ?? '';
  assert.ok(iptablesSave('nat').includes(`${ip}/32`));
  serve.kubectl('delete', 'svc', 'web');
  // Its comments are "default/web cluster IP", "default/web -> ip:port" and "default/web" (not web-named's).
  const ofWeb = /"default\/web( [^"]*)?"/;
  assert.match(iptablesSave('nat'), ofWeb);
  await until('the rules of web to go', () => !iptablesSave('nat').includes(`${ip}/32`) && !ofWeb.test(iptablesSave('nat')));
  assert.ok(!iptablesSave('filter').includes(`${ip}/32`));
  await until('its Endpoints and EndpointSlice to go', () => serve.kubectl('get', 'endpoints,endpointslices', '-l', 'kubernetes.io/service-name=web', '--no-headers').trim() === ''
    && serve.kubectl('get', 'endpoints', '--no-headers').split('\n').every((l) => !l.startsWith('web ')));
  // Without the rules the address leads nowhere podd knows (this host's egress may still answer something).
  assert.ok(!['web-a', 'web-b'].includes(await httpGet(ip, 80).catch(() => 'no answer')));
  serve.apply('reuse', `{"apiVersion":"v1","kind":"Service","metadata":{"name":"reuse"},"spec":{"clusterIP":"${ip}","selector":{"app":"web"},"ports":[{"port":80,"targetPort":8080}]}}`);
  assert.equal(jsonpath('svc reuse', '{.spec.clusterIP}'), ip);
  await until('reuse to carry traffic', () => iptablesSave('nat').includes('"default/reuse cluster IP"'));
  assert.deepEqual([...await answers(ip, 3)], ['web-a']);
});

test('after podd serve stops, no PODD chain or jump remains in iptables', async () => {
  assert.match(iptablesSave('nat'), /-j PODD-SERVICES/);
  await serve.dispose();
  for (const table of ['nat', 'filter'] as const) assert.doesNotMatch(iptablesSave(table), /PODD/, table);
});
