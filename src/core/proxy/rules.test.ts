import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Service, SliceEndpoint } from '../../api/service-types.js';
import { endpointChain, hash13, serviceChain, servicePortName } from './chain-names.js';
import { generateRules } from './rules.js';
import type { ProxyInput } from './rules.js';

function service(name: string, spec: Partial<Service['spec']> = {}): Service {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' },
    spec: { clusterIP: '10.87.0.10', clusterIPs: ['10.87.0.10'], type: 'ClusterIP', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], ...spec },
  };
}

function ep(ip: string, conditions: SliceEndpoint['conditions'] = { ready: true }, nodeName = 'node-1'): SliceEndpoint {
  return { addresses: [ip], conditions, nodeName };
}

function slice(svc: string, endpoints: SliceEndpoint[], ports = [{ name: 'http', port: 8080, protocol: 'TCP' }], extra: Partial<EndpointSlice> = {}): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name: `${svc}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } }, endpoints, ports, ...extra,
  };
}

const BASE: Omit<ProxyInput, 'services' | 'slices'> = { nodeName: 'node-1', podCidr: '10.86.0.0/24' };
const SVC = serviceChain('default/web:http', 'TCP');
const sep = (ip: string, port = 8080, spn = 'default/web:http', proto = 'TCP'): string => endpointChain(spn, proto, `${ip}:${port}`);

const FIXED_NAT = [
  '-A PODD-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
  '-A PODD-POSTROUTING -j MARK --xor-mark 0x4000',
  '-A PODD-POSTROUTING -m comment --comment "podd service traffic requiring SNAT" -j MASQUERADE --random-fully',
  '-A PODD-MARK-MASQ -j MARK --or-mark 0x4000',
];

test('chain names: stable hashes, short enough for iptables, distinct per port, protocol and endpoint', () => {
  assert.equal(hash13('default/web:httpTCP'), hash13('default/web:httpTCP'));
  assert.match(hash13(''), /^[A-Z2-7]{13}$/);
  assert.equal(servicePortName('ns', 'web', ''), 'ns/web');
  assert.equal(servicePortName('ns', 'web', 'http'), 'ns/web:http');
  const names = [serviceChain('a/b:c', 'TCP'), serviceChain('a/b:c', 'UDP'), serviceChain('a/b:d', 'TCP'), endpointChain('a/b:c', 'TCP', '10.0.0.1:80'), endpointChain('a/b:c', 'TCP', '10.0.0.2:80')];
  assert.equal(new Set(names).size, names.length);
  for (const n of names) assert.ok(n.length <= 28, n);
});

test('a Service with two ready endpoints: kube-proxy\'s chains, random balancing, masquerade for off-pod-network and hairpin', () => {
  const r = generateRules({ ...BASE, services: [service('web')], slices: [slice('web', [ep('10.86.0.6'), ep('10.86.0.5')])] });
  const a = sep('10.86.0.5');
  const b = sep('10.86.0.6');
  assert.deepEqual(r.nat.chains, ['PODD-SERVICES', 'PODD-POSTROUTING', 'PODD-MARK-MASQ', SVC, a, b]);
  assert.deepEqual(r.nat.rules, [
    ...FIXED_NAT,
    `-A PODD-SERVICES -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.87.0.10/32 --dport 80 -j ${SVC}`,
    `-A ${SVC} -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.87.0.10/32 --dport 80 ! -s 10.86.0.0/24 -j PODD-MARK-MASQ`,
    `-A ${SVC} -m comment --comment "default/web:http -> 10.86.0.5:8080" -m statistic --mode random --probability 0.5000000000 -j ${a}`,
    `-A ${SVC} -m comment --comment "default/web:http -> 10.86.0.6:8080" -j ${b}`,
    `-A ${a} -m comment --comment "default/web:http" -s 10.86.0.5/32 -j PODD-MARK-MASQ`,
    `-A ${a} -m comment --comment "default/web:http" -m tcp -p tcp -j DNAT --to-destination 10.86.0.5:8080`,
    `-A ${b} -m comment --comment "default/web:http" -s 10.86.0.6/32 -j PODD-MARK-MASQ`,
    `-A ${b} -m comment --comment "default/web:http" -m tcp -p tcp -j DNAT --to-destination 10.86.0.6:8080`,
  ]);
  assert.deepEqual(r.filter, { chains: ['PODD-SERVICES'], rules: [] });
});

test('probabilities give every one of n endpoints the same chance: 1/n, 1/(n-1), ..., then the rest', () => {
  const eps = ['10.86.0.1', '10.86.0.2', '10.86.0.3', '10.86.0.4'].map((ip) => ep(ip));
  const r = generateRules({ ...BASE, services: [service('web')], slices: [slice('web', eps)] });
  const picks = r.nat.rules.filter((l) => l.startsWith(`-A ${SVC}`) && l.includes(' -> ')).map((l) => /--probability (\S+)/.exec(l)?.[1] ?? 'rest');
  assert.deepEqual(picks, ['0.2500000000', '0.3333333333', '0.5000000000', 'rest']);
});

test('no usable endpoint: a filter REJECT and no nat chain; the terminating fallback; not ready never used', () => {
  const rows: [string, SliceEndpoint[], string[]][] = [
    ['no endpoints', [], []],
    ['only not ready', [ep('10.86.0.5', { ready: false, serving: false, terminating: false })], []],
    ['ready and terminating: only the ready', [ep('10.86.0.5'), ep('10.86.0.6', { ready: false, serving: true, terminating: true })], ['10.86.0.5']],
    ['only terminating but serving: used', [ep('10.86.0.6', { ready: false, serving: true, terminating: true })], ['10.86.0.6']],
    ['terminating and not serving: not used', [ep('10.86.0.6', { ready: false, serving: false, terminating: true })], []],
    ['no conditions means ready', [{ addresses: ['10.86.0.7'] }], ['10.86.0.7']],
  ];
  for (const [name, eps, want] of rows) {
    const r = generateRules({ ...BASE, services: [service('web')], slices: [slice('web', eps)] });
    const dnat = r.nat.rules.filter((l) => l.includes('DNAT')).map((l) => /--to-destination (\S+):/.exec(l)?.[1]);
    assert.deepEqual(dnat, want, name);
    const reject = r.filter.rules;
    if (want.length === 0) {
      assert.deepEqual(reject, ['-A PODD-SERVICES -m comment --comment "default/web:http has no endpoints" -m tcp -p tcp -d 10.87.0.10/32 --dport 80 -j REJECT --reject-with icmp-port-unreachable'], name);
      assert.deepEqual(r.nat.chains, ['PODD-SERVICES', 'PODD-POSTROUTING', 'PODD-MARK-MASQ'], name);
    } else assert.deepEqual(reject, [], name);
  }
});

test('which Services and slices count: headless, ExternalName, IPv6 and unallocated are not proxied; slices by service, namespace, port and family', () => {
  const skip = [
    service('headless', { clusterIP: 'None', clusterIPs: ['None'] }),
    service('ext', { type: 'ExternalName', externalName: 'example.com', clusterIP: '' }),
    service('v6', { clusterIP: 'fd00::10' }),
    service('none', { clusterIP: '' }),
  ];
  const r0 = generateRules({ ...BASE, services: skip, slices: skip.map((s) => slice(s.metadata.name ?? '', [ep('10.86.0.5')])) });
  assert.deepEqual([r0.nat.rules, r0.filter.rules], [FIXED_NAT, []]);

  const slices = [
    slice('web', [ep('10.86.0.5')]),
    slice('other', [ep('10.86.0.9')]),
    { ...slice('web', [ep('10.86.0.10')]), metadata: { name: 'w', namespace: 'team', labels: { 'kubernetes.io/service-name': 'web' } } },
    slice('web', [ep('10.86.0.11')], [{ name: 'metrics', port: 9090, protocol: 'TCP' }]),
    slice('web', [ep('10.86.0.12')], [{ name: 'http', port: 8080, protocol: 'UDP' }]),
    slice('web', [ep('fd00::5')], [{ name: 'http', port: 8080, protocol: 'TCP' }], { addressType: 'IPv6' }),
    slice('web', [ep('10.86.0.5')]),
  ];
  const r = generateRules({ ...BASE, services: [service('web')], slices });
  assert.deepEqual(r.nat.rules.filter((l) => l.includes('DNAT')).map((l) => /--to-destination (\S+)/.exec(l)?.[1]), ['10.86.0.5:8080'], 'deduplicated, the rest not this port');
});

test('several ports and protocols, unnamed ports, sorted output regardless of input order', () => {
  const svc = service('dns', { clusterIP: '10.87.0.53', clusterIPs: ['10.87.0.53'], ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }] });
  const web = service('web', { ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }] });
  const slices = [
    slice('dns', [ep('10.86.0.3')], [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }]),
    slice('web', [ep('10.86.0.5')], [{ name: '', port: 8080, protocol: 'TCP' }]),
  ];
  const r1 = generateRules({ ...BASE, services: [web, svc], slices });
  const r2 = generateRules({ ...BASE, services: [svc, web], slices: [...slices].reverse() });
  assert.deepEqual(r1, r2);
  const portals = r1.nat.rules.filter((l) => l.startsWith('-A PODD-SERVICES'));
  assert.deepEqual(portals, [
    `-A PODD-SERVICES -m comment --comment "default/dns:dns cluster IP" -m udp -p udp -d 10.87.0.53/32 --dport 53 -j ${serviceChain('default/dns:dns', 'UDP')}`,
    `-A PODD-SERVICES -m comment --comment "default/dns:dns-tcp cluster IP" -m tcp -p tcp -d 10.87.0.53/32 --dport 53 -j ${serviceChain('default/dns:dns-tcp', 'TCP')}`,
    `-A PODD-SERVICES -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.87.0.10/32 --dport 80 -j ${serviceChain('default/web', 'TCP')}`,
  ]);
  assert.ok(r1.nat.rules.includes(`-A ${endpointChain('default/dns:dns', 'UDP', '10.86.0.3:53')} -m comment --comment "default/dns:dns" -m udp -p udp -j DNAT --to-destination 10.86.0.3:53`));
});

test('ClientIP affinity: recent-module checks before the random picks, and a --set on the DNAT', () => {
  const svc = service('web', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } } });
  const r = generateRules({ ...BASE, services: [svc], slices: [slice('web', [ep('10.86.0.5'), ep('10.86.0.6')])] });
  const a = sep('10.86.0.5');
  const b = sep('10.86.0.6');
  assert.deepEqual(r.nat.rules.filter((l) => l.startsWith(`-A ${SVC}`)).slice(1), [
    `-A ${SVC} -m comment --comment "default/web:http -> 10.86.0.5:8080" -m recent --name ${a} --rcheck --seconds 600 --reap -j ${a}`,
    `-A ${SVC} -m comment --comment "default/web:http -> 10.86.0.6:8080" -m recent --name ${b} --rcheck --seconds 600 --reap -j ${b}`,
    `-A ${SVC} -m comment --comment "default/web:http -> 10.86.0.5:8080" -m statistic --mode random --probability 0.5000000000 -j ${a}`,
    `-A ${SVC} -m comment --comment "default/web:http -> 10.86.0.6:8080" -j ${b}`,
  ]);
  assert.ok(r.nat.rules.includes(`-A ${a} -m comment --comment "default/web:http" -m recent --name ${a} --set -m tcp -p tcp -j DNAT --to-destination 10.86.0.5:8080`));
});

test('masquerade options: all traffic without br_netfilter, none for off-network without a pod CIDR; the mark bit', () => {
  const input = { services: [service('web')], slices: [slice('web', [ep('10.86.0.5')])], nodeName: 'node-1' };
  const all = generateRules({ ...input, masqueradeAll: true, podCidr: '10.86.0.0/24' });
  assert.ok(all.nat.rules.includes(`-A ${SVC} -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.87.0.10/32 --dport 80 -j PODD-MARK-MASQ`));
  const bare = generateRules(input);
  assert.equal(bare.nat.rules.filter((l) => l.startsWith(`-A ${SVC}`) && l.includes('PODD-MARK-MASQ')).length, 0);
  assert.equal(bare.nat.rules.filter((l) => l.includes('-s 10.86.0.5/32 -j PODD-MARK-MASQ')).length, 1, 'hairpin is always masqueraded');
  const bit = generateRules({ ...input, masqueradeBit: 0x8000 });
  assert.ok(bit.nat.rules.includes('-A PODD-MARK-MASQ -j MARK --or-mark 0x8000'));
});

test('internalTrafficPolicy Local: only this node\'s endpoints', () => {
  const svc = service('web', { internalTrafficPolicy: 'Local' });
  const r = generateRules({ ...BASE, services: [svc], slices: [slice('web', [ep('10.86.0.5', { ready: true }, 'node-1'), ep('10.86.0.6', { ready: true }, 'node-2')])] });
  assert.deepEqual(r.nat.rules.filter((l) => l.includes('DNAT')).map((l) => /--to-destination (\S+)/.exec(l)?.[1]), ['10.86.0.5:8080']);
  const none = generateRules({ ...BASE, nodeName: 'node-3', services: [svc], slices: [slice('web', [ep('10.86.0.5')])] });
  assert.equal(none.filter.rules.length, 1);
});
