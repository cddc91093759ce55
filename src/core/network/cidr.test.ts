import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIp, parsePodCidr, stripPrefix } from './cidr.js';

const cases: { text: string; ok?: { family: 4 | 6; prefix: number }; error?: RegExp }[] = [
  { text: '10.86.0.0/24', ok: { family: 4, prefix: 24 } },
  { text: '10.244.250.0/24', ok: { family: 4, prefix: 24 } },
  { text: '10.0.0.0/8', ok: { family: 4, prefix: 8 } },
  { text: '192.168.7.8/29', ok: { family: 4, prefix: 29 } },
  { text: 'fd00:86::/64', ok: { family: 6, prefix: 64 } },
  { text: 'fd00::/112', ok: { family: 6, prefix: 112 } },
  { text: '10.86.0.0', error: /not in CIDR notation/ },
  { text: '10.86.0.0/', error: /not in CIDR notation/ },
  { text: '10.86.0/24', error: /"10.86.0" is not an IP address/ },
  { text: '10.86.0.256/24', error: /not an IP address/ },
  { text: '10.086.0.0/24', error: /not an IP address/ },
  { text: '10.86.0.7/24', error: /host bits set/ },
  { text: '10.86.1.0/23', error: /host bits set/ },
  { text: '10.86.0.0/30', error: /between \/8 and \/29/ },
  { text: '10.0.0.0/7', error: /between \/8 and \/29/ },
  { text: 'fd00::1/64', error: /host bits set/ },
  { text: 'fd00:::1/64', error: /not an IP address/ },
  { text: '1:2:3:4:5:6:7:8:9/64', error: /not an IP address/ },
  { text: 'fd00::/126', error: /between \/8 and \/125/ },
];

for (const c of cases) {
  test(`parsePodCidr ${c.text}`, () => {
    const got = parsePodCidr(c.text);
    if (c.ok) {
      assert.ok(got.ok, got.ok ? '' : got.message);
      assert.equal(got.cidr.family, c.ok.family);
      assert.equal(got.cidr.prefix, c.ok.prefix);
    } else {
      assert.equal(got.ok, false);
      assert.match(got.ok ? '' : got.message, c.error ?? /./);
    }
  });
}

test('parseIp gives 4 or 16 bytes', () => {
  assert.deepEqual(parseIp('10.86.0.1'), [10, 86, 0, 1]);
  assert.deepEqual(parseIp('::1'), [...new Array<number>(15).fill(0), 1]);
  assert.equal(parseIp('1:2:3:4:5:6:7:8')?.length, 16);
  assert.equal(parseIp('1::2::3'), undefined);
  assert.equal(parseIp('x'), undefined);
});

test('stripPrefix drops the /prefix only', () => {
  assert.equal(stripPrefix('10.86.0.5/24'), '10.86.0.5');
  assert.equal(stripPrefix('fd00::5/64'), 'fd00::5');
  assert.equal(stripPrefix('10.86.0.5'), '10.86.0.5');
});
