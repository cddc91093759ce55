// The HTTP prober's redirect rules and verdicts, as table cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpVerdict, redirectStep } from './redirect.js';
import type { RedirectStep } from './redirect.js';

const FIRST = 'http://10.86.0.5:8080/healthz';

const cases: { name: string; status: number; location?: string; current?: string; requests?: number; want: RedirectStep }[] = [
  { name: '200 is no redirect', status: 200, want: { action: 'done' } },
  { name: '304 is no redirect', status: 304, location: '/x', want: { action: 'done' } },
  { name: '302 without Location is returned as it is', status: 302, want: { action: 'done' } },
  { name: 'relative Location on the same host is followed', status: 302, location: '/ok', want: { action: 'follow', url: 'http://10.86.0.5:8080/ok' } },
  { name: '301, 303, 307, 308 redirect too', status: 308, location: 'ok', want: { action: 'follow', url: 'http://10.86.0.5:8080/ok' } },
  { name: 'same host, another port and scheme: followed (host name compared)', status: 307, location: 'https://10.86.0.5:8443/ok', want: { action: 'follow', url: 'https://10.86.0.5:8443/ok' } },
  { name: 'another host: not followed', status: 302, location: 'http://example.com/', want: { action: 'stop' } },
  { name: 'the host compared is the first request\'s', status: 302, location: 'http://10.86.0.5:8080/z', current: 'http://10.86.0.5:8080/y', requests: 3, want: { action: 'follow', url: 'http://10.86.0.5:8080/z' } },
  { name: 'the tenth redirect after ten requests errors', status: 302, location: '/again', requests: 10, want: { action: 'error', error: 'Get "http://10.86.0.5:8080/again": stopped after 10 redirects' } },
  { name: 'nine requests: still followed', status: 302, location: '/again', requests: 9, want: { action: 'follow', url: 'http://10.86.0.5:8080/again' } },
  { name: 'unsupported scheme errors', status: 302, location: 'ftp://10.86.0.5/x', want: { action: 'error', error: 'Get "ftp://10.86.0.5/x": unsupported protocol scheme "ftp"' } },
  { name: 'unparsable Location errors', status: 302, location: 'http://[::1', want: { action: 'error', error: 'Get "http://10.86.0.5:8080/healthz": failed to parse Location header "http://[::1"' } },
];

for (const c of cases) {
  test(`redirectStep: ${c.name}`, () => {
    assert.deepEqual(redirectStep(FIRST, c.current ?? FIRST, c.status, c.location, c.requests ?? 1), c.want);
  });
}

test('httpVerdict: 2xx success with the body, 3xx warning, 4xx/5xx failure without the body', () => {
  assert.deepEqual(httpVerdict(200, 'ok'), { result: 'success', output: 'ok' });
  assert.deepEqual(httpVerdict(204, ''), { result: 'success', output: '' });
  assert.deepEqual(httpVerdict(399, 'b'), { result: 'warning', output: 'Probe terminated redirects, Response body: b' });
  assert.deepEqual(httpVerdict(302, 'moved'), { result: 'warning', output: 'Probe terminated redirects, Response body: moved' });
  assert.deepEqual(httpVerdict(404, 'secret'), { result: 'failure', output: 'HTTP probe failed with statuscode: 404' });
  assert.deepEqual(httpVerdict(500, ''), { result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
  assert.deepEqual(httpVerdict(199, ''), { result: 'failure', output: 'HTTP probe failed with statuscode: 199' });
});
