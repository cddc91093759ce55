// The real kubectl (v1.32) against the in-process API: Services, Endpoints and EndpointSlices (a second API
// group), ClusterIP allocation and its errors, kubectl's generators (protobuf) and apply flavours, and the
// `kubernetes` Service.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Endpoints, Service } from '../../api/service-types.js';
import type { RunResult } from './test-harness.js';
import { startApi } from './test-harness.js';

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `kubectl failed: ${r.stderr}`);
  return r.stdout;
}

function fails(r: RunResult): string {
  assert.notEqual(r.code, 0, `kubectl should have failed: ${r.stdout}`);
  return r.stderr;
}

const WEB = `
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
`;

test('discovery: services and endpoints in core/v1, endpointslices in discovery.k8s.io/v1 (aggregated, legacy, OpenAPI)', async (t) => {
  const h = await startApi(t);
  const out = ok(await h.kubectl(['api-resources']));
  assert.match(out, /^services\s+svc\s+v1\s+true\s+Service$/m);
  assert.match(out, /^endpoints\s+ep\s+v1\s+true\s+Endpoints$/m);
  assert.match(out, /^endpointslices\s+discovery\.k8s\.io\/v1\s+true\s+EndpointSlice$/m);
  const groups = JSON.parse((await h.raw('GET', '/apis')).body) as { kind: string; groups: { name: string; preferredVersion: { groupVersion: string } }[] };
  assert.deepEqual(groups.groups.map((g) => [g.name, g.preferredVersion.groupVersion]), [['discovery.k8s.io', 'discovery.k8s.io/v1'], ['coordination.k8s.io', 'coordination.k8s.io/v1']]);
  assert.match(out, /^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m);
  const group = JSON.parse((await h.raw('GET', '/apis/discovery.k8s.io')).body) as { kind: string; name: string };
  assert.deepEqual([group.kind, group.name], ['APIGroup', 'discovery.k8s.io']);
  const list = JSON.parse((await h.raw('GET', '/apis/discovery.k8s.io/v1')).body) as { groupVersion: string; resources: { name: string }[] };
  assert.deepEqual([list.groupVersion, list.resources.map((r) => r.name)], ['discovery.k8s.io/v1', ['endpointslices']]);
  const root = JSON.parse((await h.raw('GET', '/openapi/v3')).body) as { paths: Record<string, { serverRelativeURL: string }> };
  const url = root.paths['apis/discovery.k8s.io/v1']?.serverRelativeURL ?? '';
  const doc = JSON.parse((await h.raw('GET', url)).body) as { paths: Record<string, { patch: { 'x-kubernetes-group-version-kind': unknown } }> };
  assert.deepEqual(doc.paths['/apis/discovery.k8s.io/v1/namespaces/{namespace}/endpointslices/{name}']?.patch['x-kubernetes-group-version-kind'],
    { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' });
  assert.equal((await h.raw('GET', '/apis/apps/v1/namespaces/default/deployments')).status, 404);
  assert.equal((await h.raw('GET', '/api/v1/namespaces/default/endpointslices')).status, 404, 'not in core');
});

test('kubectl apply, get (columns, wide, yaml), describe and delete a Service; the ClusterIP is free again after', async (t) => {
  const h = await startApi(t, {}, { random: () => 0 });
  const file = await h.file('web.yaml', WEB);
  assert.match(ok(await h.kubectl(['apply', '-f', file])), /service\/web created/);
  const table = ok(await h.kubectl(['get', 'svc']));
  assert.match(table, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\nkubernetes\s+ClusterIP\s+10\.87\.0\.1\s+<none>\s+443\/TCP\s+\d+s\nweb\s+ClusterIP\s+10\.87\.1\.1\s+<none>\s+80\/TCP\s+\d+s\n$/);
  assert.match(ok(await h.kubectl(['get', 'svc', 'web', '-o', 'wide'])), /^web\s+ClusterIP\s+10\.87\.1\.1\s+<none>\s+80\/TCP\s+\d+s\s+app=web$/m);
  const svc = JSON.parse(ok(await h.kubectl(['get', 'svc', 'web', '-o', 'json']))) as Service;
  assert.deepEqual(svc.spec, {
    selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], sessionAffinity: 'None', type: 'ClusterIP',
    internalTrafficPolicy: 'Cluster', clusterIPs: ['10.87.1.1'], ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'], clusterIP: '10.87.1.1',
  });
  assert.deepEqual(svc.status, { loadBalancer: {} });
  assert.match(ok(await h.kubectl(['describe', 'svc', 'web'])), /IP:\s+10\.87\.1\.1\n[\s\S]*Port:\s+http\s+80\/TCP\nTargetPort:\s+8080\/TCP/);
  assert.match(ok(await h.kubectl(['get', 'all'])), /^service\/web\s+ClusterIP/m);
  assert.match(ok(await h.kubectl(['apply', '-f', file])), /service\/web unchanged/);
  assert.match(ok(await h.kubectl(['delete', 'svc', 'web'])), /service "web" deleted/);
  const again = await h.file('again.yaml', `{"apiVersion":"v1","kind":"Service","metadata":{"name":"again"},"spec":{"clusterIP":"10.87.1.1","ports":[{"port":80}]}}`);
  assert.match(ok(await h.kubectl(['create', '-f', again])), /service\/again created/);
});

test('client-side apply of a changed port merges Service ports by port (no duplicate), server-side apply too', async (t) => {
  const h = await startApi(t);
  const file = await h.file('web.yaml', WEB);
  ok(await h.kubectl(['apply', '-f', file]));
  const ip = h.store.get<Service>('services', 'default', 'web').spec.clusterIP;
  await h.file('web.yaml', WEB.replace('targetPort: 8080', 'targetPort: 9090'));
  assert.match(ok(await h.kubectl(['apply', '-f', file])), /service\/web configured/);
  assert.deepEqual(h.store.get<Service>('services', 'default', 'web').spec.ports, [{ name: 'http', port: 80, targetPort: 9090, protocol: 'TCP' }]);
  assert.equal(h.store.get<Service>('services', 'default', 'web').spec.clusterIP, ip, 'kept though the manifest has none');
  const ssa = await h.file('ssa.yaml', WEB.replace('name: web,', 'name: web2,').replace('8080', '7070'));
  assert.match(ok(await h.kubectl(['apply', '--server-side', '-f', ssa])), /service\/web2 serverside-applied/);
  await h.file('ssa.yaml', WEB.replace('name: web,', 'name: web2,').replace('[{name: http, port: 80, targetPort: 8080}]', '[{name: http, port: 80, targetPort: 7071}, {name: m, port: 90}]'));
  assert.match(ok(await h.kubectl(['apply', '--server-side', '-f', ssa])), /serverside-applied/);
  assert.deepEqual(h.store.get<Service>('services', 'default', 'web2').spec.ports?.map((p) => `${p.name ?? ''}:${p.port}>${String(p.targetPort)}`), ['http:80>7071', 'm:90>90']);
  assert.match(ok(await h.kubectl(['patch', 'svc', 'web', '--type=merge', '-p', '{"metadata":{"labels":{"x":"y"}}}'])), /patched/);
});

test('kubectl create service clusterip (a protobuf body) and kubectl expose pod', async (t) => {
  const h = await startApi(t);
  assert.match(ok(await h.kubectl(['create', 'service', 'clusterip', 's2', '--tcp=80:8080'])), /service\/s2 created/);
  const s2 = h.store.get<Service>('services', 'default', 's2');
  assert.deepEqual([s2.spec.ports, s2.spec.selector, s2.spec.type], [[{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], { app: 's2' }, 'ClusterIP']);
  assert.match(s2.spec.clusterIP ?? '', /^10\.87\.\d+\.\d+$/);
  assert.match(ok(await h.kubectl(['create', 'service', 'clusterip', 'hl', '--clusterip=None'])), /service\/hl created/);
  assert.match(ok(await h.kubectl(['get', 'svc', 'hl'])), /^hl\s+ClusterIP\s+None\s+<none>\s+<none>\s/m);
  assert.match(ok(await h.kubectl(['create', 'service', 'externalname', 'ext', '--external-name=example.com'])), /service\/ext created/);
  assert.match(ok(await h.kubectl(['get', 'svc', 'ext'])), /^ext\s+ExternalName\s+<none>\s+example\.com\s+<none>\s/m);
  const pod = await h.file('pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: p}}\nspec:\n  containers: [{name: c, image: busybox, ports: [{name: http, containerPort: 8080}]}]\n');
  ok(await h.kubectl(['apply', '-f', pod]));
  assert.match(ok(await h.kubectl(['expose', 'pod', 'p', '--port=80', '--target-port=http'])), /service\/p exposed/);
  const p = h.store.get<Service>('services', 'default', 'p');
  assert.deepEqual([p.spec.selector, p.spec.ports], [{ app: 'p' }, [{ port: 80, protocol: 'TCP', targetPort: 'http' }]]);
});

test('bad input: 422 with the apiserver messages; NodePort is refused as unsupported', async (t) => {
  const h = await startApi(t);
  const create = async (name: string, json: string): Promise<string> => fails(await h.kubectl(['create', '-f', await h.file(`${name}.json`, json)]));
  assert.match(await create('out', '{"apiVersion":"v1","kind":"Service","metadata":{"name":"out"},"spec":{"clusterIP":"10.99.0.5","ports":[{"port":80}]}}'),
    /The Service "out" is invalid: spec\.clusterIPs: Invalid value: \[\]string\{"10\.99\.0\.5"\}: failed to allocate IP 10\.99\.0\.5: the provided IP \(10\.99\.0\.5\) is not in the valid range\. The range of valid IPs is 10\.87\.0\.0\/16/);
  assert.match(await create('taken', '{"apiVersion":"v1","kind":"Service","metadata":{"name":"taken"},"spec":{"clusterIP":"10.87.0.1","ports":[{"port":80}]}}'),
    /failed to allocate IP 10\.87\.0\.1: provided IP is already allocated/);
  assert.match(await create('1bad', '{"apiVersion":"v1","kind":"Service","metadata":{"name":"1bad"},"spec":{"ports":[{"port":80}]}}'), /metadata\.name: Invalid value: "1bad": a DNS-1035 label/);
  assert.match(await create('np', '{"apiVersion":"v1","kind":"Service","metadata":{"name":"np"},"spec":{"type":"NodePort","ports":[{"port":80}]}}'),
    /spec\.type: Unsupported value: "NodePort": supported values: "ClusterIP", "ExternalName"/);
  assert.match(await create('unk', '{"apiVersion":"v1","kind":"Service","metadata":{"name":"unk"},"spec":{"ports":[{"port":80}],"bogus":1}}'), /strict decoding error: unknown field "spec\.bogus"/);
  const raw = await h.raw('POST', '/api/v1/namespaces/default/services', {
    headers: { 'Content-Type': 'application/json' }, body: '{"apiVersion":"v1","kind":"Service","metadata":{"name":"r"},"spec":{"clusterIP":"10.99.0.5","ports":[{"port":80}]}}',
  });
  assert.equal(raw.status, 422);
  assert.equal((JSON.parse(raw.body) as { reason: string }).reason, 'Invalid');
  ok(await h.kubectl(['apply', '-f', await h.file('web.yaml', WEB)]));
  assert.match(fails(await h.kubectl(['patch', 'svc', 'web', '-p', '{"spec":{"clusterIP":"10.87.3.3"}}'])),
    /The Service "web" is invalid: spec\.clusterIPs\[0\]: Invalid value: \[\]string\{"10\.87\.3\.3"\}: may not change once set/);
});

test('the status subresource writes only status; Endpoints and EndpointSlices are plain objects users may write', async (t) => {
  const h = await startApi(t);
  ok(await h.kubectl(['apply', '-f', await h.file('web.yaml', WEB)]));
  const cur = JSON.parse((await h.raw('GET', '/api/v1/namespaces/default/services/web')).body) as Service;
  const put = await h.raw('PUT', '/api/v1/namespaces/default/services/web/status', {
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...cur, spec: { ...cur.spec, ports: [{ port: 1 }] }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.9' }] } } }),
  });
  assert.equal(put.status, 200, put.body);
  const after = h.store.get<Service>('services', 'default', 'web');
  assert.deepEqual([after.spec.ports?.[0]?.port, after.status?.loadBalancer?.ingress], [80, [{ ip: '192.0.2.9' }]]);

  const ep = await h.file('ep.yaml', `
apiVersion: v1
kind: Endpoints
metadata: {name: ext}
subsets: [{addresses: [{ip: 192.0.2.10}], ports: [{port: 443}]}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ext-1, labels: {kubernetes.io/service-name: ext}}
addressType: IPv4
endpoints: [{addresses: [192.0.2.10], conditions: {ready: true}}]
ports: [{port: 443}]
`);
  assert.match(ok(await h.kubectl(['apply', '-f', ep])), /endpoints\/ext created\nendpointslice\.discovery\.k8s\.io\/ext-1 created/);
  const out = ok(await h.kubectl(['get', 'endpoints,endpointslices']));
  assert.match(out, /^endpoints\/ext\s+192\.0\.2\.10:443\s+\d+s$/m);
  assert.match(out, /^endpointslice\.discovery\.k8s\.io\/ext-1\s+IPv4\s+443\s+192\.0\.2\.10\s+\d+s$/m);
  assert.equal(h.store.get<EndpointSlice>('endpointslices', 'default', 'ext-1').ports?.[0]?.protocol, 'TCP');
  assert.equal(h.store.get<Endpoints>('endpoints', 'default', 'ext').subsets?.[0]?.ports?.[0]?.protocol, 'TCP');
  const watch = await h.raw('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?watch=true&timeoutSeconds=1');
  assert.match(watch.body, /^\{"type":"ADDED","object":\{"apiVersion":"discovery\.k8s\.io\/v1","kind":"EndpointSlice"/);
  const list = JSON.parse((await h.raw('GET', '/apis/discovery.k8s.io/v1/endpointslices')).body) as { kind: string; apiVersion: string };
  assert.deepEqual([list.kind, list.apiVersion], ['EndpointSliceList', 'discovery.k8s.io/v1']);
  assert.match(fails(await h.kubectl(['apply', '-f', await h.file('bad.yaml', 'apiVersion: v1\nkind: Endpoints\nmetadata: {name: bad}\nsubsets: [{addresses: [{ip: 127.0.0.1}]}]\n')])),
    /subsets\[0\]\.addresses\[0\]\.ip: Invalid value: "127\.0\.0\.1": may not be in the loopback range/);
});

test('the kubernetes Service: the first address, https to the API port, with Endpoints and a slice when pods can reach the API', async (t) => {
  const h = await startApi(t, {}, { serviceCidr: '10.96.0.0/12', apiEndpoint: { ip: '192.0.2.2', port: 6443 } });
  const svc = h.store.get<Service>('services', 'default', 'kubernetes');
  assert.deepEqual([svc.spec.clusterIP, svc.spec.ports, svc.metadata.labels], ['10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], { component: 'apiserver', provider: 'kubernetes' }]);
  assert.match(ok(await h.kubectl(['get', 'endpoints', 'kubernetes'])), /^kubernetes\s+192\.0\.2\.2:6443\s/m);
  assert.deepEqual(h.store.get<EndpointSlice>('endpointslices', 'default', 'kubernetes').endpoints, [{ addresses: ['192.0.2.2'], conditions: { ready: true } }]);
  const other = await startApi(t);
  assert.equal(other.store.tryGet('endpoints', 'default', 'kubernetes'), undefined, 'a loopback API: no endpoints');
});
