import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isNetworkError } from '../../core/network/errors.js';
import { ExecPluginInvoker } from './plugin-exec.js';

async function withBin(plugins: Record<string, string>, fn: (dir: string, invoker: ExecPluginInvoker) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'podd-cni-bin-'));
  try {
    for (const [name, script] of Object.entries(plugins)) {
      await writeFile(join(dir, name), `#!/bin/sh\n${script}\n`);
      await chmod(join(dir, name), 0o755);
    }
    await fn(dir, new ExecPluginInvoker([join(dir, 'missing'), dir]));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const call = { command: 'ADD' as const, env: { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1' }, config: { cniVersion: '1.0.0', name: 'n', type: 'x' }, timeoutMs: 5000 };

test('the plugin gets the config on stdin and CNI_ variables in its environment; stdout comes back', async () => {
  await withBin({ echo: 'cat > "$(dirname "$0")/stdin"; env > "$(dirname "$0")/env"; echo \'{"cniVersion":"1.0.0"}\'' }, async (dir, invoker) => {
    process.env['CNI_IFNAME'] = 'leaked';
    try {
      assert.equal(await invoker.invoke({ ...call, type: 'echo' }), '{"cniVersion":"1.0.0"}\n');
    } finally {
      delete process.env['CNI_IFNAME'];
    }
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'stdin'), 'utf8')), call.config);
    const env = await readFile(join(dir, 'env'), 'utf8');
    assert.match(env, /^CNI_COMMAND=ADD$/m);
    assert.match(env, /^CNI_CONTAINERID=c1$/m);
    assert.doesNotMatch(env, /CNI_IFNAME/, 'the runtime\'s own CNI_ variables are not passed on');
    assert.match(env, /^PATH=.*\/usr\/sbin/m);
  });
});

test('a CNI error on stdout becomes PluginFailed with the plugin\'s code and message', async () => {
  await withBin({ bad: 'echo \'{"cniVersion":"1.0.0","code":7,"msg":"bridge name missing","details":"field bridge"}\'; echo noise >&2; exit 1' }, async (_dir, invoker) => {
    await assert.rejects(invoker.invoke({ ...call, type: 'bad' }), (err: unknown) => {
      assert.ok(isNetworkError(err, 'PluginFailed'));
      assert.equal(err.code, 'Unavailable');
      assert.equal(err.cniCode, 7);
      assert.equal(err.plugin, 'bad');
      assert.equal(err.message, 'CNI plugin bad ADD failed: bridge name missing: field bridge (CNI code 7: invalid network config)');
      return true;
    });
  });
});

test('a plugin that dies without the error shape is reported with its stderr', async () => {
  await withBin({ crash: 'echo "panic: nil map" >&2; exit 2' }, async (_dir, invoker) => {
    await assert.rejects(invoker.invoke({ ...call, type: 'crash' }), /CNI plugin crash ADD failed: exit status 2: panic: nil map/);
  });
});

test('a hung plugin is killed at its deadline', async () => {
  await withBin({ hang: 'exec sleep 30' }, async (_dir, invoker) => {
    const started = performance.now();
    await assert.rejects(invoker.invoke({ ...call, type: 'hang', timeoutMs: 300 }), (err: unknown) => isNetworkError(err, 'PluginTimeout') && /within 300 ms/.test(err.message));
    assert.ok(performance.now() - started < 5000);
  });
});

test('an aborted call stops the plugin', async () => {
  await withBin({ hang: 'exec sleep 30' }, async (_dir, invoker) => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(invoker.invoke({ ...call, type: 'hang', signal: ac.signal }), /aborted/);
  });
});

test('a plugin that is not in any bin dir is PluginNotFound', async () => {
  await withBin({}, async (dir, invoker) => {
    await assert.rejects(invoker.find('nope'), (err: unknown) => isNetworkError(err, 'PluginNotFound') && err.code === 'FailedPrecondition' && err.message.includes(dir));
  });
});

test('a plugin that does not read stdin still reports its result', async () => {
  await withBin({ quick: 'echo "{}"' }, async (_dir, invoker) => {
    const big = { ...call.config, padding: 'x'.repeat(1 << 20) };
    assert.equal(await invoker.invoke({ ...call, type: 'quick', config: big }), '{}\n');
  });
});
