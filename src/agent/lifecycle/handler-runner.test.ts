import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, LifecycleHandler, Pod } from '../../api/types.js';
import type { ExecSyncResult } from '../../runtime/hooks/container-exec.js';
import { HttpGetError, type HttpGetTarget } from '../../runtime/hooks/http-get.js';
import type { InstanceMeta } from '../../runtime/oci/container-runtime.js';
import { HandlerRunner, type HandlerRunnerDeps, type HookOutcome } from './handler-runner.js';

const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', uid: 'u-1' }, spec: { containers: [] } };
const container: Container = { name: 'app', image: 'busybox', ports: [{ name: 'admin', containerPort: 9000 }] };
const instance = { id: 'c1', name: 'app', podUid: 'u-1' } as InstanceMeta;
const WHO = 'for Container "app" in Pod "web_shop(u-1)"';

interface Fake {
  deps: HandlerRunnerDeps;
  commands: string[][];
  requests: HttpGetTarget[];
  events: string[];
  sleeps: number[];
}

function fake(o: { exec?: ExecSyncResult | Error; http?: (t: HttpGetTarget) => Error | undefined; sleepOk?: boolean } = {}): Fake {
  const f: Fake = { commands: [], requests: [], events: [], sleeps: [], deps: undefined as unknown as HandlerRunnerDeps };
  f.deps = {
    exec: {
      execSync: (_i, command) => {
        f.commands.push([...command]);
        const r = o.exec ?? { exitCode: 0, stdout: '', stderr: '' };
        return r instanceof Error ? Promise.reject(r) : Promise.resolve(r);
      },
    },
    httpGet: (t) => {
      f.requests.push(t);
      const err = o.http?.(t);
      return err === undefined ? Promise.resolve() : Promise.reject(err);
    },
    sleep: (ms) => {
      f.sleeps.push(ms);
      return Promise.resolve(o.sleepOk ?? true);
    },
    event: (type, reason, message) => f.events.push(`${type} ${reason} ${message}`),
  };
  return f;
}

/** `podIP` null: the pod has no IP. */
function run(f: Fake, handler: LifecycleHandler, podIP: string | null = '10.86.0.7'): Promise<HookOutcome> {
  return new HandlerRunner(f.deps).run({ pod, container, instance, podIP: podIP ?? undefined }, handler, new AbortController().signal);
}

test('exec: success; a non-zero exit in the kubelet\'s words (the CRI error, then stdout+stderr quoted)', async () => {
  const ok = fake();
  assert.deepEqual(await run(ok, { exec: { command: ['sh', '-c', 'true'] } }), { ok: true });
  assert.deepEqual(ok.commands, [['sh', '-c', 'true']]);

  const bad = fake({ exec: { exitCode: 7, stdout: 'out\n', stderr: 'boom\n' } });
  assert.deepEqual(await run(bad, { exec: { command: ['sh', '-c', 'exit 7'] } }), {
    ok: false, aborted: false,
    message: `Exec lifecycle hook ([sh -c exit 7]) ${WHO} failed - error: command 'sh -c exit 7' exited with 7: boom\n, message: "out\\nboom\\n"`,
  });

  const gone = fake({ exec: new Error('container "app" is not running') });
  assert.deepEqual(await run(gone, { exec: { command: ['true'] } }), {
    ok: false, aborted: false, message: `Exec lifecycle hook ([true]) ${WHO} failed - error: container "app" is not running, message: ""`,
  });
});

test('httpGet: to the pod IP by default, its own host when set, ports by name; failures in the kubelet\'s words', async () => {
  const ok = fake();
  assert.deepEqual(await run(ok, { httpGet: { path: '/quit', port: 'admin', scheme: 'HTTP' } }), { ok: true });
  assert.equal(ok.requests[0]?.url, 'http://10.86.0.7:9000/quit');
  await run(ok, { httpGet: { path: '/x', port: 80, host: 'example.test', scheme: 'HTTP' } });
  assert.equal(ok.requests[1]?.url, 'http://example.test:80/x');

  const refused = fake({ http: (t) => new HttpGetError(`Get "${t.url}": dial tcp 10.86.0.7:81: connect: connection refused`) });
  assert.deepEqual(await run(refused, { httpGet: { path: '/hook', port: 81, scheme: 'HTTP' } }), {
    ok: false, aborted: false,
    message: `HTTP lifecycle hook (/hook) ${WHO} failed - error: Get "http://10.86.0.7:81/hook": dial tcp 10.86.0.7:81: connect: connection refused`,
  });

  const f = fake();
  assert.deepEqual(await run(f, { httpGet: { path: '/h', port: 'metrics', scheme: 'HTTP' } }), {
    ok: false, aborted: false, message: `HTTP lifecycle hook (/h) ${WHO} failed - error: strconv.Atoi: parsing "metrics": invalid syntax`,
  });
  assert.deepEqual(await run(f, { httpGet: { path: '/h', port: 80, scheme: 'HTTP' } }, null), {
    ok: false, aborted: false, message: `HTTP lifecycle hook (/h) ${WHO} failed - error: failed to find networking container: the pod has no IP`,
  });
  assert.equal(f.requests.length, 0, 'nothing was sent');
});

test('httpGet: an HTTPS hook answered in plain HTTP is retried over HTTP without Authorization, with a LifecycleHTTPFallback event', async () => {
  const f = fake({ http: (t) => (t.scheme === 'https' ? new HttpGetError('Get "https://10.86.0.7:8443/q": http: server gave HTTP response to HTTPS client', true) : undefined) });
  const handler: LifecycleHandler = {
    httpGet: { path: '/q', port: 8443, scheme: 'HTTPS', httpHeaders: [{ name: 'Authorization', value: 'Bearer x' }, { name: 'x-other', value: '1' }] },
  };
  assert.deepEqual(await run(f, handler), { ok: true });
  assert.deepEqual(f.requests.map((r) => r.url), ['https://10.86.0.7:8443/q', 'http://10.86.0.7:8443/q']);
  assert.ok(f.requests[0]?.headers.some(([k]) => k === 'Authorization'));
  assert.deepEqual(f.requests[1]?.headers.map(([k]) => k), ['Host', 'User-Agent', 'Accept', 'X-Other']);
  assert.deepEqual(f.events, ['Warning LifecycleHTTPFallback request to HTTPS lifecycle hook 10.86.0.7:8443 got HTTP response, retry with HTTP succeeded']);

  const both = fake({ http: (t) => new HttpGetError(t.scheme === 'https' ? 'Get "https://10.86.0.7:8443/q": http: server gave HTTP response to HTTPS client' : 'plain failed', t.scheme === 'https') });
  const r = await run(both, handler);
  assert.ok(!r.ok && r.message.endsWith('failed - error: Get "https://10.86.0.7:8443/q": http: server gave HTTP response to HTTPS client'), JSON.stringify(r));
  assert.deepEqual(both.events, []);
});

test('sleep: waits in the agent; cut short it fails as the kubelet says (aborted)', async () => {
  const ok = fake();
  assert.deepEqual(await run(ok, { sleep: { seconds: 3 } }), { ok: true });
  assert.deepEqual(ok.sleeps, [3000]);
  const cut = fake({ sleepOk: false });
  assert.deepEqual(await run(cut, { sleep: { seconds: 3 } }), {
    ok: false, aborted: true, message: `Sleep lifecycle hook (3) ${WHO} failed - error: container terminated before sleep hook finished`,
  });
});

test('tcpSocket: accepted by the API, never run by a kubelet: the hook fails', async () => {
  const f = fake();
  assert.deepEqual(await run(f, { tcpSocket: { port: 8080 } }), {
    ok: false, aborted: false, message: 'Cannot run handler: invalid handler: &LifecycleHandler{Exec:nil,HTTPGet:nil,TCPSocket:&TCPSocketAction{Port:{0 8080 },Host:,},Sleep:nil,}',
  });
  assert.equal((await run(f, { tcpSocket: { port: 'web', host: 'h' } }) as { message: string }).message,
    'Cannot run handler: invalid handler: &LifecycleHandler{Exec:nil,HTTPGet:nil,TCPSocket:&TCPSocketAction{Port:{1 0 web},Host:h,},Sleep:nil,}');
});
