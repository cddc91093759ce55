import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIp } from './cidr.js';
import { parseConfFile } from './conflist.js';
import { DEFAULT_POD_CIDR, bridgeOf, defaultConfList, renderConfList } from './default-conflist.js';
import { isNetworkError } from './errors.js';

test('the default network: bridge podd0 with host-local and a default route, then portmap', () => {
  const list = defaultConfList();
  assert.equal(list.name, 'podd');
  assert.equal(list.cniVersion, '1.0.0');
  assert.deepEqual(list.plugins.map((p) => p.raw), [
    {
      type: 'bridge',
      bridge: 'podd0',
      isGateway: true,
      ipMasq: true,
      hairpinMode: true,
      ipam: { type: 'host-local', ranges: [[{ subnet: DEFAULT_POD_CIDR }]], routes: [{ dst: '0.0.0.0/0' }] },
    },
    { type: 'portmap', capabilities: { portMappings: true }, snat: true },
  ]);
  assert.deepEqual(list.plugins[1]?.capabilities, { portMappings: true });
});

function overlaps(a: string, b: string): boolean {
  const [ia, pa] = a.split('/');
  const [ib, pb] = b.split('/');
  const bytesA = parseIp(ia ?? '') ?? [];
  const bytesB = parseIp(ib ?? '') ?? [];
  const prefix = Math.min(Number(pa), Number(pb));
  for (let bit = 0; bit < prefix; bit++) {
    const mask = 0x80 >> bit % 8;
    if (((bytesA[bit >> 3] ?? 0) & mask) !== ((bytesB[bit >> 3] ?? 0) & mask)) return false;
  }
  return true;
}

test('the default pod CIDR clashes with no common runtime default', () => {
  for (const other of ['10.88.0.0/16', '10.89.0.0/16', '10.85.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '10.42.0.0/16', '10.244.0.0/16', '10.96.0.0/12']) {
    assert.equal(overlaps(DEFAULT_POD_CIDR, other), false, other);
  }
  assert.equal(overlaps('10.88.1.0/24', '10.88.0.0/16'), true, 'the overlap check itself works');
});

test('options: CIDR, bridge, network name, MTU, version; IPv6 routes ::/0', () => {
  const list = defaultConfList({ podCidr: 'fd00:86::/64', bridge: 'poddtest0', networkName: 'podd-test', mtu: 1400, cniVersion: '0.4.0' });
  assert.equal(list.name, 'podd-test');
  assert.equal(list.cniVersion, '0.4.0');
  const bridge = list.plugins[0]?.raw;
  assert.equal(bridge?.['bridge'], 'poddtest0');
  assert.equal(bridge?.['mtu'], 1400);
  assert.deepEqual(bridge?.['ipam'], { type: 'host-local', ranges: [[{ subnet: 'fd00:86::/64' }]], routes: [{ dst: '::/0' }] });
});

const bad: [string, Parameters<typeof defaultConfList>[0], RegExp][] = [
  ['CIDR with host bits', { podCidr: '10.86.0.1/24' }, /default pod network: pod CIDR "10.86.0.1\/24" has host bits set/],
  ['CIDR not CIDR', { podCidr: 'ten' }, /not in CIDR notation/],
  ['bridge name too long', { bridge: 'a-very-long-bridge' }, /bridge name "a-very-long-bridge" must be at most 15 characters/],
  ['bridge name with slash', { bridge: 'a/b' }, /must not contain/],
  ['mtu too small', { mtu: 100 }, /mtu 100 must be an integer/],
  ['network name', { networkName: 'no spaces' }, /name "no spaces" must be letters/],
  ['version', { cniVersion: '0.2.0' }, /not supported/],
];
for (const [name, opts, want] of bad) {
  test(`default network refuses: ${name}`, () => {
    assert.throws(() => defaultConfList(opts), (err: unknown) => isNetworkError(err, 'InvalidConfig') && want.test(err.message));
  });
}

test('the rendered file parses back to the same list', () => {
  const list = defaultConfList({ podCidr: '10.244.250.0/24', bridge: 'poddtest0' });
  const text = renderConfList(list);
  assert.ok(text.endsWith('}\n'));
  assert.deepEqual(parseConfFile('50-podd-bridge.conflist', text), list);
});

test('bridgeOf names the bridge of a bridge-first list only', () => {
  assert.equal(bridgeOf(defaultConfList()), 'podd0');
  const noName = parseConfFile('x.conflist', JSON.stringify({ cniVersion: '1.0.0', name: 'n', plugins: [{ type: 'bridge' }] }));
  assert.equal(bridgeOf(noName), 'cni0');
  const ptp = parseConfFile('x.conflist', JSON.stringify({ cniVersion: '1.0.0', name: 'n', plugins: [{ type: 'ptp' }] }));
  assert.equal(bridgeOf(ptp), undefined);
});
