import { test } from 'node:test';
import { APP, LABEL_RULE, manifest, run, SUBDOMAIN_RULE } from './validate-fixtures.test.js';

test('pod-level fields', () => {
  run([
    {
      name: 'shareProcessNamespace with hostPID',
      text: manifest(`${APP}\nshareProcessNamespace: true\nhostPID: true`),
      want: ['spec.securityContext.shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled'],
    },
    {
      name: 'activeDeadlineSeconds must be positive',
      text: manifest(`${APP}\nactiveDeadlineSeconds: 0`),
      want: ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive'],
    },
    {
      name: 'user ids must not be negative',
      text: manifest('securityContext: {runAsUser: -1}\ncontainers: [{name: app, image: nginx, securityContext: {runAsUser: -2, runAsGroup: -3}}]'),
      want: [
        'spec.containers[0].securityContext.runAsUser: Invalid value: -2: must be between 0 and 4294967295, inclusive',
        'spec.containers[0].securityContext.runAsGroup: Invalid value: -3: must be between 0 and 4294967295, inclusive',
        'spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 4294967295, inclusive',
      ],
    },
    {
      name: 'dns policy and config',
      text: manifest(`${APP}\ndnsPolicy: None\ndnsConfig: {nameservers: [not-an-ip], searches: [Bad_Domain]}`),
      want: [
        'spec.dnsConfig.nameservers[0]: Invalid value: "not-an-ip": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
        `spec.dnsConfig.searches[0]: Invalid value: "Bad_Domain": ${SUBDOMAIN_RULE}`,
      ],
    },
    {
      name: 'dnsPolicy None needs a config',
      text: manifest(`${APP}\ndnsPolicy: None`),
      want: ['spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None'],
    },
    {
      name: 'unsupported dnsPolicy',
      text: manifest(`${APP}\ndnsPolicy: Google`),
      want: ['spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'],
    },
    {
      name: 'hostname',
      text: manifest(`${APP}\nhostname: Web_1`),
      want: [`spec.hostname: Invalid value: "Web_1": ${LABEL_RULE}`],
    },
  ]);
});
