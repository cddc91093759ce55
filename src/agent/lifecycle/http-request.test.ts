import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, HTTPGetAction } from '../../api/types.js';
import { lifecycleHttpRequest } from './http-request.js';

const container: Container = { name: 'app', image: 'busybox', ports: [{ name: 'web', containerPort: 8080 }] };

test('lifecycleHttpRequest: URL, headers and ports as the kubelet builds them', () => {
  const cases: { name: string; action: HTTPGetAction; ip?: string; want: unknown }[] = [
    {
      name: 'defaults: pod IP, kube-lifecycle agent, Accept */*',
      action: { path: '/quit', port: 8080, scheme: 'HTTP' },
      want: { scheme: 'http', host: '10.86.0.9', port: 8080, path: '/quit', url: 'http://10.86.0.9:8080/quit', headers: [['Host', '10.86.0.9:8080'], ['User-Agent', 'kube-lifecycle/1.32'], ['Accept', '*/*']] },
    },
    {
      name: 'named port, query kept, a missing leading slash added, scheme lower-cased',
      action: { path: 'hook?now=1', port: 'web', scheme: 'HTTPS' },
      want: { scheme: 'https', host: '10.86.0.9', port: 8080, path: '/hook?now=1', url: 'https://10.86.0.9:8080/hook?now=1', headers: [['Host', '10.86.0.9:8080'], ['User-Agent', 'kube-lifecycle/1.32'], ['Accept', '*/*']] },
    },
    {
      name: 'own host, headers canonicalised, repeated values kept, User-Agent and Host overridden, empty Accept dropped',
      action: {
        path: '/', port: '81', host: 'example.test', scheme: 'HTTP',
        httpHeaders: [{ name: 'x-trace', value: 'a' }, { name: 'X-TRACE', value: 'b' }, { name: 'user-agent', value: 'me' }, { name: 'host', value: 'virtual.test' }, { name: 'Accept', value: '' }],
      },
      want: { scheme: 'http', host: 'example.test', port: 81, path: '/', url: 'http://example.test:81/', headers: [['Host', 'virtual.test'], ['X-Trace', 'a'], ['X-Trace', 'b'], ['User-Agent', 'me']] },
    },
    {
      name: 'an IPv6 pod IP in brackets',
      action: { path: '/', port: 80, scheme: 'HTTP' }, ip: 'fd00::5',
      want: { scheme: 'http', host: 'fd00::5', port: 80, path: '/', url: 'http://[fd00::5]:80/', headers: [['Host', '[fd00::5]:80'], ['User-Agent', 'kube-lifecycle/1.32'], ['Accept', '*/*']] },
    },
    { name: 'an unknown port name', action: { path: '/', port: 'admin', scheme: 'HTTP' }, want: { error: 'strconv.Atoi: parsing "admin": invalid syntax' } },
    { name: 'a port out of range', action: { path: '/', port: 70000, scheme: 'HTTP' }, want: { error: 'invalid port number: 70000' } },
  ];
  for (const c of cases) assert.deepEqual(lifecycleHttpRequest(c.action, container, c.ip ?? '10.86.0.9'), c.want, c.name);
});
