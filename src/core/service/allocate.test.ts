import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderFieldError } from '../../api/field-errors.js';
import { defaultService } from '../../api/service-defaults.js';
import type { Service } from '../../api/service-types.js';
import { normalizeClusterIPs, prepareServiceCreate, prepareServiceUpdate } from './allocate.js';
import type { AllocationContext, Prepared } from './allocate.js';
import {
  allocateNext, cidrsOverlap, firstAddress, inRange, intToIpv4, ipv4ToInt, parseServiceCidr, staticBandSize,
} from './ip-range.js';
import type { ServiceRange } from './ip-range.js';

function range(text: string): ServiceRange {
  const r = parseServiceCidr(text);
  if (!r.ok) throw new Error(r.message);
  return r.range;
}

const R16 = range('10.87.0.0/16');

test('parseServiceCidr: IPv4 network addresses from /12 to /28', () => {
  assert.deepEqual(parseServiceCidr('10.87.0.0/16'), { ok: true, range: { cidr: '10.87.0.0/16', base: ipv4ToInt('10.87.0.0'), prefix: 16, size: 65536 } });
  const bad: [string, RegExp][] = [
    ['10.87.0.0', /not in CIDR notation/],
    ['10.87.0.1/16', /host bits set/],
    ['fd00::/112', /not an IPv4 address/],
    ['10.0.0.0/8', /between \/12 and \/28/],
    ['10.87.0.0/30', /between \/12 and \/28/],
    ['10.87.0.256/24', /not an IPv4 address/],
    ['010.87.0.0/16', /not an IPv4 address/],
  ];
  for (const [text, want] of bad) {
    const r = parseServiceCidr(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) assert.match(r.message, want, text);
  }
});

test('ip-range helpers: conversions, range membership (network and broadcast excluded), overlap, first address', () => {
  assert.equal(intToIpv4(ipv4ToInt('192.0.2.255') ?? 0), '192.0.2.255');
  assert.equal(ipv4ToInt('1.2.3'), undefined);
  assert.equal(firstAddress(R16), '10.87.0.1');
  assert.deepEqual(['10.87.0.0', '10.87.0.1', '10.87.255.254', '10.87.255.255', '10.88.0.1', 'x'].map((ip) => inRange(R16, ip)), [false, true, true, false, false, false]);
  assert.equal(cidrsOverlap('10.87.0.0/16', '10.86.0.0/24'), false);
  assert.equal(cidrsOverlap('10.80.0.0/12', '10.86.0.0/24'), true);
  assert.equal(cidrsOverlap('10.86.0.128/25', '10.86.0.0/24'), true);
  assert.equal(cidrsOverlap('10.87.0.0/16', '172.17.0.0/16'), false);
  assert.deepEqual([range('10.87.0.0/28'), range('10.87.0.0/24'), R16, range('10.80.0.0/12')].map(staticBandSize), [0, 16, 256, 256]);
});

test('allocateNext: the upper band first from a random start, then the lower band; never the reserved first address', () => {
  const r24 = range('10.87.0.0/24');
  // Offsets 16..253 are the upper band: random 0 starts at its beginning, 0.999 near its end.
  assert.equal(allocateNext(r24, new Set(), () => 0), '10.87.0.17');
  assert.equal(allocateNext(r24, new Set(), () => 0.999), '10.87.0.254');
  assert.equal(allocateNext(r24, new Set(['10.87.0.254']), () => 0.999), '10.87.0.17', 'wraps inside the upper band');
  const upper = new Set(Array.from({ length: 238 }, (_, i) => `10.87.0.${17 + i}`));
  assert.equal(allocateNext(r24, upper, () => 0.5), '10.87.0.2', 'then the lower band, skipping .1');
  const all = new Set([...upper, ...Array.from({ length: 15 }, (_, i) => `10.87.0.${2 + i}`)]);
  assert.equal(allocateNext(r24, all, () => 0.5), undefined, 'full: .1 stays reserved');
  const r28 = range('10.87.0.0/28');
  assert.equal(allocateNext(r28, new Set(), () => 0), '10.87.0.2');
  assert.equal(allocateNext(r28, new Set(), () => 0.99), '10.87.0.14');
});

function service(spec: Record<string, unknown>, name = 'web'): Service {
  return defaultService({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec } } as Service);
}

function ctx(taken: string[] = []): AllocationContext {
  return { range: R16, taken: new Set(taken), random: () => 0 };
}

function spec(p: Prepared): unknown {
  if (!p.ok) return 'errors' in p ? p.errors.map(renderFieldError) : p.internal;
  const { clusterIP, clusterIPs, ipFamilies, ipFamilyPolicy } = p.service.spec;
  return { clusterIP, clusterIPs, ipFamilies, ipFamilyPolicy };
}

test('prepareServiceCreate: allocation, requested addresses, families and policy, as the apiserver', () => {
  const rows: [string, Service, AllocationContext, unknown][] = [
    ['no address asked: the first of the upper band', service({}), ctx(), { clusterIP: '10.87.1.1', clusterIPs: ['10.87.1.1'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' }],
    ['taken addresses are skipped', service({}), ctx(['10.87.1.1']), { clusterIP: '10.87.1.2', clusterIPs: ['10.87.1.2'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' }],
    ['an old client sets only clusterIP', service({ clusterIP: '10.87.0.10' }), ctx(), { clusterIP: '10.87.0.10', clusterIPs: ['10.87.0.10'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' }],
    ['both fields', service({ clusterIP: '10.87.0.10', clusterIPs: ['10.87.0.10'] }), ctx(), { clusterIP: '10.87.0.10', clusterIPs: ['10.87.0.10'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' }],
    ['out of range', service({ clusterIP: '10.99.0.5' }), ctx(), [
      'spec.clusterIPs: Invalid value: []string{"10.99.0.5"}: failed to allocate IP 10.99.0.5: the provided IP (10.99.0.5) is not in the valid range. The range of valid IPs is 10.87.0.0/16',
    ]],
    ['the network address is out of range too', service({ clusterIP: '10.87.0.0' }), ctx(), [
      'spec.clusterIPs: Invalid value: []string{"10.87.0.0"}: failed to allocate IP 10.87.0.0: the provided IP (10.87.0.0) is not in the valid range. The range of valid IPs is 10.87.0.0/16',
    ]],
    ['taken', service({ clusterIP: '10.87.0.10' }), ctx(['10.87.0.10']), [
      'spec.clusterIPs: Invalid value: []string{"10.87.0.10"}: failed to allocate IP 10.87.0.10: provided IP is already allocated',
    ]],
    ['not an IP: validated before allocation', service({ clusterIP: 'abc' }), ctx(), [
      'spec.clusterIPs[0]: Invalid value: "abc": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]],
    ['clusterIPs without clusterIP', service({ clusterIPs: ['10.87.0.10'] }), ctx(), [
      'spec.clusterIPs: Invalid value: []string{"10.87.0.10"}: must be empty when `clusterIP` is not specified',
    ]],
    ['IPv6 address', service({ clusterIP: 'fd00::10' }), ctx(), ['spec.clusterIPs[0]: Invalid value: []string{"fd00::10"}: IPv6 is not configured on this cluster']],
    ['IPv6 family', service({ ipFamilies: ['IPv6'] }), ctx(), ['spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster']],
    ['RequireDualStack', service({ ipFamilyPolicy: 'RequireDualStack' }), ctx(), ['spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services']],
    ['PreferDualStack gets one family', service({ ipFamilyPolicy: 'PreferDualStack' }), ctx(), { clusterIP: '10.87.1.1', clusterIPs: ['10.87.1.1'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'PreferDualStack' }],
    ['headless with a selector: no address, one family', service({ clusterIP: 'None' }), ctx(), { clusterIP: 'None', clusterIPs: ['None'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' }],
    ['headless without a selector: both families (the apiserver quirk)', service({ clusterIP: 'None', selector: undefined }), ctx(), { clusterIP: 'None', clusterIPs: ['None'], ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' }],
    ['ExternalName: nothing', service({ type: 'ExternalName', externalName: 'example.com' }), ctx(), { clusterIP: undefined, clusterIPs: undefined, ipFamilies: undefined, ipFamilyPolicy: undefined }],
  ];
  for (const [name, s, c, want] of rows) assert.deepEqual(spec(prepareServiceCreate(structuredClone(s), c)), want, name);
  const ok = prepareServiceCreate(service({}), ctx());
  assert.ok(ok.ok && JSON.stringify(ok.service.status) === '{"loadBalancer":{}}');
  const full: AllocationContext = { range: range('10.87.0.0/28'), taken: new Set(Array.from({ length: 13 }, (_, i) => `10.87.0.${2 + i}`)), random: () => 0 };
  assert.deepEqual(spec(prepareServiceCreate(service({}), full)), 'failed to allocate a serviceIP: range is full');
});

test('prepareServiceUpdate: omitted addresses are kept, a changed one is left for validation, ExternalName transitions', () => {
  const created = prepareServiceCreate(service({}), ctx());
  assert.ok(created.ok);
  const old = created.service;
  const put = service({ ports: [{ port: 81 }] });
  assert.deepEqual(spec(prepareServiceUpdate(put, old, ctx())), { clusterIP: '10.87.1.1', clusterIPs: ['10.87.1.1'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
  // A patch of clusterIP alone: clusterIPs follows it, so validation can say "may not change once set".
  const patched = structuredClone(old);
  patched.spec.clusterIP = '10.87.9.9';
  assert.deepEqual(spec(prepareServiceUpdate(patched, old, ctx())), { clusterIP: '10.87.9.9', clusterIPs: ['10.87.9.9'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
  const toExternal = service({ type: 'ExternalName', externalName: 'example.com' });
  toExternal.spec.clusterIP = old.spec.clusterIP ?? '';
  assert.deepEqual(spec(prepareServiceUpdate(toExternal, old, ctx())), { clusterIP: undefined, clusterIPs: undefined, ipFamilies: undefined, ipFamilyPolicy: undefined });
  const external = service({ type: 'ExternalName', externalName: 'example.com' });
  assert.deepEqual(spec(prepareServiceUpdate(service({}), external, ctx(['10.87.1.1']))), { clusterIP: '10.87.1.2', clusterIPs: ['10.87.1.2'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
});

test('normalizeClusterIPs: old clients, cleared fields', () => {
  const old = service({ clusterIP: '10.87.0.10', clusterIPs: ['10.87.0.10'] });
  const rows: [Record<string, unknown>, unknown][] = [
    [{ clusterIP: '10.87.0.10' }, ['10.87.0.10']],
    [{ clusterIP: '', clusterIPs: ['10.87.0.10'] }, undefined],
    [{ clusterIP: '10.87.0.11', clusterIPs: ['10.87.0.10'] }, ['10.87.0.11']],
    [{ clusterIP: '10.87.0.11', clusterIPs: ['10.87.0.12'] }, ['10.87.0.12']],
  ];
  for (const [fields, want] of rows) {
    const next = service(fields);
    normalizeClusterIPs(next, old);
    assert.deepEqual(next.spec.clusterIPs, want, JSON.stringify(fields));
  }
});
