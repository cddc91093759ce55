import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { confListToObject } from '../../core/network/conflist.js';
import { defaultConfList } from '../../core/network/default-conflist.js';
import { NetworkError, isNetworkError } from '../../core/network/errors.js';
import { ExecPluginInvoker, type PluginInvoker } from './plugin-exec.js';
import { TEST_BRIDGE, TEST_CIDR, type TestNet, sh, shOk, withTestNet } from './test-net.js';
import type { PodNetworkRequest } from './types.js';

function req(sandboxId: string): PodNetworkRequest {
  return { podUid: `uid-${sandboxId}`, podName: `pod-${sandboxId}`, namespace: 'faults', sandboxId };
}

/** The test network followed by extra plugins, as a user's conflist (so no default file, no bridge removal). */
async function chainWith(t: TestNet, ...extra: object[]): Promise<void> {
  const list = confListToObject(defaultConfList({ podCidr: TEST_CIDR, bridge: TEST_BRIDGE, networkName: t.networkName }));
  await writeFile(join(t.confDir, '10-test.conflist'), JSON.stringify({ ...list, plugins: [...(list['plugins'] as object[]), ...extra] }));
}

/** A plugin that records each call and fails ADD (and DEL while the file `del-fails` exists). */
const failing = `
dir=$(dirname "$0")
echo "$CNI_COMMAND" >> "$dir/calls"
if [ "$CNI_COMMAND" = ADD ]; then echo '{"cniVersion":"1.0.0","code":100,"msg":"injected failure","details":"podd test"}'; exit 1; fi
if [ "$CNI_COMMAND" = DEL ] && [ -e "$dir/del-fails" ]; then echo '{"cniVersion":"1.0.0","code":101,"msg":"DEL refused"}'; exit 1; fi
exit 0`;

async function nothingLeft(t: TestNet): Promise<void> {
  assert.equal((await sh('ip', ['-o', 'link', 'show', 'master', TEST_BRIDGE]).catch(() => '')).trim(), '', 'no veth on the bridge');
  assert.deepEqual(await t.reservedIps(), [], 'no IP reserved');
  assert.deepEqual(await readdir(t.netnsDir).catch(() => []), [], 'no namespace');
  assert.deepEqual(await readdir(t.cacheDir).catch(() => []), [], 'no cache record');
  assert.deepEqual((await sh('iptables-save', ['-t', 'nat'])).split('\n').filter((l) => l.includes(`\\"${t.networkName}\\"`)), [], 'no NAT rule');
}

test('a plugin failing ADD after the bridge: its CNI error surfaces and DEL unwinds the whole chain', async () => {
  await withTestNet(async (t) => {
    await t.fakePlugin('podd-fail', failing);
    await chainWith(t, { type: 'podd-fail' });
    const net = t.network();
    await assert.rejects(net.setUp(req('sb-f')), (err: unknown) => {
      assert.ok(isNetworkError(err, 'PluginFailed'), String(err));
      assert.equal(err.code, 'Unavailable');
      assert.equal(err.cniCode, 100);
      assert.equal(err.message, 'CNI plugin podd-fail ADD failed: injected failure: podd test (CNI code 100)');
      return true;
    });
    assert.deepEqual((await readFile(join(t.binDir, 'calls'), 'utf8')).split('\n').filter(Boolean), ['ADD', 'DEL'], 'DEL ran for the failed plugin too');
    await nothingLeft(t);
  });
});

test('a failing first plugin: nothing is made, not even the bridge\'s IP', async () => {
  await withTestNet(async (t) => {
    await t.fakePlugin('podd-fail', failing);
    await writeFile(join(t.confDir, '10-test.conflist'), JSON.stringify({ cniVersion: '1.0.0', name: t.networkName, plugins: [{ type: 'podd-fail' }] }));
    await assert.rejects(t.network().setUp(req('sb-g')), /injected failure/);
    await nothingLeft(t);
  });
});

test('when DEL also fails during the unwind, the record stays so a later tearDown finishes the job', async () => {
  await withTestNet(async (t) => {
    await t.fakePlugin('podd-fail', failing);
    await writeFile(join(t.binDir, 'del-fails'), '');
    await chainWith(t, { type: 'podd-fail' });
    const net = t.network();
    await assert.rejects(net.setUp(req('sb-h')), (err: unknown) => {
      assert.ok(isNetworkError(err, 'PluginFailed'));
      assert.match(err.message, /injected failure.*\(cleanup also failed: rollback of CNI DEL on network podd-test-\S+ failed: CNI plugin podd-fail DEL failed: DEL refused \(CNI code 101\)\)/);
      return true;
    });
    // DEL stopped at the failing plugin (the first in reverse order): the bridge still holds the IP, and the
    // namespace is kept with the record for the retry
    assert.deepEqual(await net.list(), [{ sandboxId: 'sb-h', netnsPath: join(t.netnsDir, 'sb-h'), pinned: true, cached: true, complete: false }]);
    assert.equal((await t.reservedIps()).length, 1);
    await assert.rejects(net.tearDown('sb-h'), /DEL refused/);
    assert.equal((await net.list()).length, 1, 'still recorded after another failed DEL');
    await rm(join(t.binDir, 'del-fails'));
    await net.tearDown('sb-h');
    await nothingLeft(t);
  });
});

test('a hung plugin is killed at the deadline and the chain unwound', async () => {
  await withTestNet(async (t) => {
    await t.fakePlugin('podd-hang', 'if [ "$CNI_COMMAND" = ADD ]; then exec sleep 30; fi; exit 0');
    await chainWith(t, { type: 'podd-hang' });
    const started = performance.now();
    await assert.rejects(t.network({ pluginTimeoutMs: 1000 }).setUp(req('sb-t')), (err: unknown) => isNetworkError(err, 'PluginTimeout'));
    assert.ok(performance.now() - started < 10_000);
    await nothingLeft(t);
  });
});

test('a plugin missing from the bin dirs is reported before anything is made', async () => {
  await withTestNet(async (t) => {
    await chainWith(t, { type: 'no-such-plugin' });
    await assert.rejects(t.network().setUp(req('sb-m')), (err: unknown) => isNetworkError(err, 'PluginNotFound') && /"no-such-plugin" not found/.test(err.message));
    assert.equal(await shOk('ip', ['link', 'show', 'dev', TEST_BRIDGE]), false, 'the bridge plugin never ran');
    await nothingLeft(t);
  });
});

test('an aborted setUp still unwinds completely', async () => {
  await withTestNet(async (t) => {
    await t.fakePlugin('podd-hang', 'if [ "$CNI_COMMAND" = ADD ]; then exec sleep 30; fi; exit 0');
    await chainWith(t, { type: 'podd-hang' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 500);
    await assert.rejects(t.network().setUp({ ...req('sb-a'), signal: ac.signal }), /aborted/);
    await nothingLeft(t);
  });
});

test('a failed ADD on podd\'s default network takes the bridge it created with it', async () => {
  await withTestNet(async (t) => {
    const real = new ExecPluginInvoker([t.binDir, '/usr/lib/cni']);
    // the invoker seam: a fake that refuses portmap and runs everything else for real
    const invoker: PluginInvoker = {
      find: (type) => real.find(type),
      invoke: (call) => (call.type === 'portmap' && call.command === 'ADD' ? Promise.reject(new NetworkError('PluginFailed', 'portmap refused')) : real.invoke(call)),
    };
    await assert.rejects(t.network({ invoker }).setUp(req('sb-b')), /portmap refused/);
    assert.equal(await shOk('ip', ['link', 'show', 'dev', TEST_BRIDGE]), false);
    await nothingLeft(t);
  });
});

function normalizedIptables(text: string): string[] {
  // counters and timestamps change between dumps; rules and chains are what must not leak
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/, '')).sort();
}

test('20 create/delete cycles of two pods leave no interface, address, namespace, mount, IP or iptables rule behind', async () => {
  await withTestNet(async (t) => {
    const net = t.network();
    const snapshot = async () => ({
      links: (await sh('ip', ['-o', 'link', 'show'])).split('\n').map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1] ?? '').filter(Boolean).sort(),
      addrs: (await sh('ip', ['-o', 'addr', 'show'])).split('\n').map((l) => l.replace(/^\d+: /, '').replace(/valid_lft.*$/, '').trim()).filter(Boolean).sort(),
      routes: (await sh('ip', ['route', 'show'])).split('\n').filter(Boolean).sort(),
      mounts: (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((l) => l.includes(t.root) && l.includes('nsfs')),
    });
    const before = await snapshot();
    // one warm-up cycle: the first ADD creates the nat table chains iptables keeps, and the host-local directory
    await net.setUp(req('warm'));
    await net.tearDown('warm');
    const iptablesBefore = normalizedIptables(await sh('iptables-save', []));
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const [a, b] = await Promise.all([net.setUp(req(`c${i}-a`)), net.setUp(req(`c${i}-b`))]);
      for (const ip of [...a.status.ips, ...b.status.ips]) seen.add(ip);
      await Promise.all([net.tearDown(`c${i}-a`), net.tearDown(`c${i}-b`)]);
    }
    assert.ok(seen.size >= 2);
    assert.deepEqual(await snapshot(), before);
    assert.deepEqual(normalizedIptables(await sh('iptables-save', [])), iptablesBefore);
    assert.deepEqual(await net.list(), []);
    await nothingLeft(t);
  });
});
