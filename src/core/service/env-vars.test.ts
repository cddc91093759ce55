import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service, ServicePort } from '../../api/service-types.js';
import { serviceEnvVars } from './env-vars.js';

function service(namespace: string, name: string, clusterIP: string, ports: ServicePort[]): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { clusterIP, ports } };
}

const kubernetes = service('default', 'kubernetes', '10.87.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]);
const redis = service('app', 'redis-primary', '10.87.0.7', [{ port: 6379 }]);
const web = service('app', 'web', '10.87.0.8', [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns-udp', port: 53, protocol: 'UDP' }]);
const headless = service('app', 'peers', 'None', [{ port: 7000 }]);
const pending = service('app', 'unallocated', '', [{ port: 1 }]);
const elsewhere = service('other', 'db', '10.87.0.20', [{ port: 5432 }]);

const KUBERNETES_VARS: [string, string][] = [
  ['KUBERNETES_SERVICE_HOST', '10.87.0.1'],
  ['KUBERNETES_SERVICE_PORT', '443'],
  ['KUBERNETES_SERVICE_PORT_HTTPS', '443'],
  ['KUBERNETES_PORT', 'tcp://10.87.0.1:443'],
  ['KUBERNETES_PORT_443_TCP', 'tcp://10.87.0.1:443'],
  ['KUBERNETES_PORT_443_TCP_PROTO', 'tcp'],
  ['KUBERNETES_PORT_443_TCP_PORT', '443'],
  ['KUBERNETES_PORT_443_TCP_ADDR', '10.87.0.1'],
];

const cases: { name: string; services: Service[]; namespace: string; links: boolean; want: [string, string][] }[] = [
  { name: 'no Services, no variables', services: [], namespace: 'app', links: true, want: [] },
  {
    name: 'an unnamed port: the protocol defaults to TCP, "-" becomes "_"',
    services: [redis], namespace: 'app', links: true,
    want: [
      ['REDIS_PRIMARY_SERVICE_HOST', '10.87.0.7'],
      ['REDIS_PRIMARY_SERVICE_PORT', '6379'],
      ['REDIS_PRIMARY_PORT', 'tcp://10.87.0.7:6379'],
      ['REDIS_PRIMARY_PORT_6379_TCP', 'tcp://10.87.0.7:6379'],
      ['REDIS_PRIMARY_PORT_6379_TCP_PROTO', 'tcp'],
      ['REDIS_PRIMARY_PORT_6379_TCP_PORT', '6379'],
      ['REDIS_PRIMARY_PORT_6379_TCP_ADDR', '10.87.0.7'],
    ],
  },
  {
    name: 'named ports each get _SERVICE_PORT_<NAME>; only the first port gets <NAME>_PORT',
    services: [web], namespace: 'app', links: true,
    want: [
      ['WEB_SERVICE_HOST', '10.87.0.8'],
      ['WEB_SERVICE_PORT', '80'],
      ['WEB_SERVICE_PORT_HTTP', '80'],
      ['WEB_SERVICE_PORT_DNS_UDP', '53'],
      ['WEB_PORT', 'tcp://10.87.0.8:80'],
      ['WEB_PORT_80_TCP', 'tcp://10.87.0.8:80'],
      ['WEB_PORT_80_TCP_PROTO', 'tcp'],
      ['WEB_PORT_80_TCP_PORT', '80'],
      ['WEB_PORT_80_TCP_ADDR', '10.87.0.8'],
      ['WEB_PORT_53_UDP', 'udp://10.87.0.8:53'],
      ['WEB_PORT_53_UDP_PROTO', 'udp'],
      ['WEB_PORT_53_UDP_PORT', '53'],
      ['WEB_PORT_53_UDP_ADDR', '10.87.0.8'],
    ],
  },
  { name: 'headless and unallocated Services give none', services: [headless, pending], namespace: 'app', links: true, want: [] },
  { name: 'other namespaces\' Services are not seen', services: [elsewhere], namespace: 'app', links: true, want: [] },
  { name: 'the kubernetes Service of default is seen from every namespace', services: [kubernetes, redis], namespace: 'other', links: true, want: KUBERNETES_VARS },
  { name: 'enableServiceLinks: false keeps only the kubernetes Service', services: [kubernetes, redis], namespace: 'app', links: false, want: KUBERNETES_VARS },
  {
    name: 'a namespace\'s own "kubernetes" Service wins over default\'s, in either order',
    services: [kubernetes, service('app', 'kubernetes', '10.87.0.99', [{ port: 8443 }])], namespace: 'app', links: true,
    want: [
      ['KUBERNETES_SERVICE_HOST', '10.87.0.99'],
      ['KUBERNETES_SERVICE_PORT', '8443'],
      ['KUBERNETES_PORT', 'tcp://10.87.0.99:8443'],
      ['KUBERNETES_PORT_8443_TCP', 'tcp://10.87.0.99:8443'],
      ['KUBERNETES_PORT_8443_TCP_PROTO', 'tcp'],
      ['KUBERNETES_PORT_8443_TCP_PORT', '8443'],
      ['KUBERNETES_PORT_8443_TCP_ADDR', '10.87.0.99'],
    ],
  },
];

for (const c of cases) {
  test(`serviceEnvVars: ${c.name}`, () => {
    assert.deepEqual([...serviceEnvVars(c.services, c.namespace, c.links)], c.want);
    assert.deepEqual([...serviceEnvVars([...c.services].reverse(), c.namespace, c.links)].sort(), [...c.want].sort(), 'order of the list does not matter');
  });
}
