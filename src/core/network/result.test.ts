import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isNetworkError } from './errors.js';
import { decodeOutput, describeFailure, parsePluginFailure, parseResult, podNetworkStatus } from './result.js';

// what Debian's bridge plugin (1.1.1) printed for ADD on this host
const bridgeResult = {
  cniVersion: '1.0.0',
  interfaces: [
    { name: 'poddexp0', mac: 'ee:f6:5f:1a:30:cd' },
    { name: 'veth2dd5df31', mac: '8a:19:70:7b:45:5c' },
    { name: 'eth0', mac: 'ae:9e:b2:d8:cb:87', sandbox: '/tmp/cniexp/ns1' },
  ],
  ips: [{ interface: 2, address: '10.244.251.2/24', gateway: '10.244.251.1' }],
  routes: [{ dst: '0.0.0.0/0' }],
  dns: {},
};

test('a bridge result: eth0\'s address and MAC', () => {
  const r = parseResult(bridgeResult, 'bridge ADD');
  assert.equal(r.cniVersion, '1.0.0');
  assert.equal(r.interfaces.length, 3);
  assert.deepEqual(r.routes, [{ dst: '0.0.0.0/0' }]);
  assert.equal(r.raw, bridgeResult, 'the raw JSON is kept as written, for chaining');
  assert.deepEqual(podNetworkStatus(r, 'eth0'), { interfaceName: 'eth0', ips: ['10.244.251.2'], mac: 'ae:9e:b2:d8:cb:87' });
});

const statusCases: { name: string; result: unknown; want: object }[] = [
  { name: '0.4.0 result with version fields and dual stack',
    result: { cniVersion: '0.4.0', interfaces: [{ name: 'eth0', mac: 'aa:bb:cc:dd:ee:ff', sandbox: '/n' }], ips: [{ version: '4', address: '10.1.0.5/16', interface: 0 }, { version: '6', address: 'fd00::5/64', interface: 0 }] },
    want: { interfaceName: 'eth0', ips: ['10.1.0.5', 'fd00::5'], mac: 'aa:bb:cc:dd:ee:ff' } },
  { name: 'addresses of other interfaces are not the pod\'s',
    result: { cniVersion: '1.0.0', interfaces: [{ name: 'br0' }, { name: 'eth0', sandbox: '/n' }], ips: [{ address: '10.0.0.1/24', interface: 0 }, { address: '10.0.0.9/24', interface: 1 }] },
    want: { interfaceName: 'eth0', ips: ['10.0.0.9'] } },
  { name: 'no interface indexes (an IPAM-style result): every address',
    result: { cniVersion: '1.0.0', ips: [{ address: '10.0.0.9/24' }] },
    want: { interfaceName: 'eth0', ips: ['10.0.0.9'] } },
  { name: 'an eth0 on the host side is used only when none is in a sandbox',
    result: { cniVersion: '1.0.0', interfaces: [{ name: 'eth0', mac: '11:11:11:11:11:11' }, { name: 'eth0', mac: '22:22:22:22:22:22', sandbox: '/n' }], ips: [{ address: '10.0.0.9/24', interface: 1 }] },
    want: { interfaceName: 'eth0', ips: ['10.0.0.9'], mac: '22:22:22:22:22:22' } },
  { name: 'no addresses at all',
    result: { cniVersion: '1.0.0', interfaces: [{ name: 'eth0', sandbox: '/n' }] },
    want: { interfaceName: 'eth0', ips: [] } },
];
for (const c of statusCases) {
  test(`podNetworkStatus: ${c.name}`, () => {
    assert.deepEqual(podNetworkStatus(parseResult(c.result, 's'), 'eth0'), c.want);
  });
}

const badResults: [string, unknown, RegExp][] = [
  ['not an object', [], /the result is not a JSON object/],
  ['interfaces not a list', { interfaces: {} }, /interfaces must be a list/],
  ['interface without name', { interfaces: [{ mac: 'x' }] }, /interfaces\[0\].name is required/],
  ['ip without prefix', { ips: [{ address: '10.0.0.1' }] }, /ips\[0\].address must be an address with a prefix/],
  ['ip index negative', { ips: [{ address: '10.0.0.1/8', interface: -1 }] }, /ips\[0\].interface must be an index/],
  ['ip index past interfaces', { interfaces: [], ips: [{ address: '10.0.0.1/8', interface: 0 }] }, /points past interfaces/],
  ['route without dst', { routes: [{ gw: '10.0.0.1' }] }, /routes\[0\].dst is required/],
  ['mac not a string', { interfaces: [{ name: 'eth0', mac: 5 }] }, /interfaces\[0\].mac must be a string/],
];
for (const [name, value, want] of badResults) {
  test(`parseResult refuses: ${name}`, () => {
    assert.throws(() => parseResult(value, 'p ADD'), (err: unknown) => isNetworkError(err, 'InvalidResult') && err.code === 'Internal' && want.test(err.message));
  });
}

test('decodeOutput needs JSON on stdout', () => {
  assert.deepEqual(decodeOutput('{"a":1}\n', 's'), { a: 1 });
  assert.throws(() => decodeOutput('  \n', 'bridge ADD'), /bridge ADD: printed no result/);
  assert.throws(() => decodeOutput('oops', 's'), /printed something that is not JSON: oops/);
});

const failures: [string, string, string, object][] = [
  ['the spec error shape', '{"cniVersion":"1.0.0","code":7,"msg":"invalid config","details":"bridge: missing"}', '', { cniCode: 7, msg: 'invalid config', details: 'bridge: missing' }],
  ['a plugin-specific code without details', '{"code":999,"msg":"failed to open netns"}', 'log line', { cniCode: 999, msg: 'failed to open netns' }],
  ['an error without msg', '{"code":11}', '', { cniCode: 11, msg: '(no message)' }],
  ['no JSON: the end of stderr', '', 'a\nb\nc\nd\n', { msg: 'exit status 1: b; c; d' }],
  ['no JSON, no stderr: stdout', 'panic: x', '', { msg: 'exit status 1: panic: x' }],
  ['nothing at all', '', '', { msg: 'exit status 1' }],
  ['JSON but not an error', '{"ips":[]}', '', { msg: 'exit status 1: {"ips":[]}' }],
];
for (const [name, stdout, stderr, want] of failures) {
  test(`parsePluginFailure: ${name}`, () => {
    assert.deepEqual(parsePluginFailure(stdout, stderr, 'exit status 1'), want);
  });
}

test('describeFailure names well-known codes', () => {
  assert.equal(describeFailure({ cniCode: 7, msg: 'bad', details: 'why' }), 'bad: why (CNI code 7: invalid network config)');
  assert.equal(describeFailure({ cniCode: 100, msg: 'boom' }), 'boom (CNI code 100)');
  assert.equal(describeFailure({ msg: 'exit status 2' }), 'exit status 2');
});
