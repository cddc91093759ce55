import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeManifests } from './decode.js';
import { renderFieldError } from './field-errors.js';
import { validatePod } from './validate.js';
import { APP, errorsOf, INIT_FORBIDDEN, LABEL_RULE, manifest, run, SUBDOMAIN_RULE } from './validate-fixtures.test.js';

test('valid pods have no errors', () => {
  run([
    { name: 'minimal', text: manifest(APP), want: [] },
    {
      name: 'everything podd supports, used correctly',
      text: manifest(`
restartPolicy: OnFailure
activeDeadlineSeconds: 600
hostname: web-0
securityContext: {runAsUser: 1000, fsGroup: 2000, sysctls: [{name: net.ipv4.ip_local_port_range, value: "1024 65535"}]}
dnsConfig: {nameservers: [10.0.0.10, "fd00::a"], searches: [svc.cluster.local.], options: [{name: ndots, value: "2"}]}
hostAliases: [{ip: 127.0.0.1, hostnames: [foo.local]}]
tolerations: [{key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300}]
initContainers:
- {name: migrate, image: busybox, command: [sh, -c, "true"]}
- name: proxy
  image: envoy
  restartPolicy: Always
  readinessProbe: {tcpSocket: {port: admin}}
  ports: [{name: admin, containerPort: 9901}]
containers:
- name: app
  image: nginx:1.25
  ports: [{name: http, containerPort: 80, hostPort: 8080}]
  env:
  - {name: MODE, value: prod}
  - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
  - {name: APP_LABEL, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
  - {name: CPU, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}
  - {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password}}}
  envFrom: [{prefix: CFG_, configMapRef: {name: cfg}}]
  resources: {requests: {cpu: 250m, memory: 64Mi}, limits: {cpu: 1, memory: 128Mi, example.com/gpu: 1}}
  volumeMounts: [{name: data, mountPath: /data, subPath: app}, {name: creds, mountPath: /etc/creds, readOnly: true}]
  livenessProbe: {httpGet: {path: /healthz, port: http}, initialDelaySeconds: 3}
  startupProbe: {exec: {command: [cat, /tmp/started]}, failureThreshold: 30}
  lifecycle: {preStop: {sleep: {seconds: 5}}, postStart: {exec: {command: [touch, /tmp/up]}}}
  securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}
volumes:
- {name: data, emptyDir: {sizeLimit: 1Gi}}
- name: creds
  secret: {secretName: creds, defaultMode: 0400, items: [{key: password, path: pw/password, mode: 0400}]}
`, '{name: web, namespace: prod, labels: {app: web, example.com/tier: front}, annotations: {Example.com/Note: "free text"}}'),
      want: [],
    },
  ]);
});

test('metadata', () => {
  run([
    { name: 'bad name', text: manifest(APP, '{name: My_App}'), want: [`metadata.name: Invalid value: "My_App": ${SUBDOMAIN_RULE}`] },
    { name: 'missing name', text: manifest(APP, '{labels: {a: b}}'), want: ['metadata.name: Required value: name or generateName is required'] },
    {
      name: 'bad namespace',
      text: manifest(APP, '{name: web, namespace: Prod.Env}'),
      want: [`metadata.namespace: Invalid value: "Prod.Env": ${LABEL_RULE}`],
    },
    {
      name: 'bad label key and value',
      text: manifest(APP, '{name: web, labels: {"-bad": "x y"}}'),
      want: [
        'metadata.labels: Invalid value: "-bad": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start '
          + "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
          + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        'metadata.labels: Invalid value: "x y": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' '
          + "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
          + "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      ],
    },
  ]);
});

test('containers: presence, names, images', () => {
  run([
    { name: 'no containers', text: manifest('containers: []'), want: ['spec.containers: Required value'] },
    { name: 'containers omitted', text: manifest('restartPolicy: Never'), want: ['spec.containers: Required value'] },
    { name: 'bad name', text: manifest('containers: [{name: My_App, image: nginx}]'), want: [`spec.containers[0].name: Invalid value: "My_App": ${LABEL_RULE}`] },
    { name: 'dotted name', text: manifest('containers: [{name: my.app, image: nginx}]'), want: ['spec.containers[0].name: Invalid value: "my.app": must not contain dots'] },
    {
      name: 'long name',
      text: manifest(`containers: [{name: ${'a'.repeat(64)}, image: nginx}]`),
      want: [`spec.containers[0].name: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`],
    },
    { name: 'missing name', text: manifest('containers: [{image: nginx}]'), want: ['spec.containers[0].name: Required value'] },
    { name: 'missing image', text: manifest('containers: [{name: app}]'), want: ['spec.containers[0].image: Required value'] },
    {
      name: 'image with whitespace',
      text: manifest('containers: [{name: app, image: " nginx"}]'),
      want: ['spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace'],
    },
    {
      name: 'duplicate names across app and init containers',
      text: manifest(`
containers: [{name: app, image: nginx}, {name: app, image: nginx}]
initContainers: [{name: app, image: busybox}, {name: setup, image: busybox}, {name: setup, image: busybox}]
`),
      want: [
        'spec.containers[1].name: Duplicate value: "app"',
        'spec.initContainers[0].name: Duplicate value: "app"',
        'spec.initContainers[2].name: Duplicate value: "setup"',
      ],
    },
    {
      name: 'unsupported enums',
      text: manifest('containers: [{name: app, image: nginx, imagePullPolicy: Sometimes, terminationMessagePolicy: Log}]'),
      want: [
        'spec.containers[0].terminationMessagePolicy: Unsupported value: "Log": supported values: "File", "FallbackToLogsOnError"',
        'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
      ],
    },
  ]);
});

test('restart policies', () => {
  run([
    {
      name: 'pod restartPolicy',
      text: manifest(`${APP}\nrestartPolicy: Sometimes`),
      want: ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
    },
    {
      name: 'init container restartPolicy other than Always',
      text: manifest(`${APP}\ninitContainers: [{name: init, image: busybox, restartPolicy: Never}]`),
      want: ['spec.initContainers[0].restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    },
    {
      name: 'restartPolicy on an app container',
      text: manifest('containers: [{name: app, image: nginx, restartPolicy: Always}]'),
      want: ['spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers'],
    },
  ]);
});

test('probes and lifecycle on init containers', () => {
  run([
    {
      name: 'plain init containers may have neither',
      text: manifest(`
${APP}
initContainers:
- name: init
  image: busybox
  lifecycle: {postStart: {exec: {command: [x]}}}
  livenessProbe: {exec: {command: [x]}}
  readinessProbe: {exec: {command: [x]}}
  startupProbe: {exec: {command: [x]}}
`),
      want: [
        `spec.initContainers[0].lifecycle: ${INIT_FORBIDDEN}`,
        `spec.initContainers[0].livenessProbe: ${INIT_FORBIDDEN}`,
        `spec.initContainers[0].readinessProbe: ${INIT_FORBIDDEN}`,
        `spec.initContainers[0].startupProbe: ${INIT_FORBIDDEN}`,
      ],
    },
    {
      name: 'sidecars get the regular probe checks',
      text: manifest(`
${APP}
initContainers:
- name: proxy
  image: envoy
  restartPolicy: Always
  livenessProbe: {exec: {command: [x]}, successThreshold: 2}
  lifecycle: {preStop: {}}
`),
      want: [
        'spec.initContainers[0].lifecycle.preStop: Required value: must specify a handler type',
        'spec.initContainers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
      ],
    },
  ]);
});

test('one manifest with many mistakes reports all of them, in apiserver order', () => {
  const text = manifest(`
restartPolicy: Sometimes
initContainers:
- name: app
  image: busybox
  readinessProbe: {exec: {command: [x]}}
containers:
- name: app
  resources: {requests: {cpu: "-100m"}}
  volumeMounts: [{name: logs, mountPath: /logs}]
- name: App
  image: nginx
`, '{name: Web}');
  const want = [
    `metadata.name: Invalid value: "Web": ${SUBDOMAIN_RULE}`,
    'spec.containers[0].image: Required value',
    'spec.containers[0].volumeMounts[0].name: Not found: "logs"',
    'spec.containers[0].resources.requests[cpu]: Invalid value: "-100m": must be greater than or equal to 0',
    `spec.containers[1].name: Invalid value: "App": ${LABEL_RULE}`,
    'spec.initContainers[0].name: Duplicate value: "app"',
    `spec.initContainers[0].readinessProbe: ${INIT_FORBIDDEN}`,
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
  ];
  assert.deepEqual(errorsOf(text), want);
});

test('an undefaulted pod misses what defaulting provides', () => {
  const [obj] = decodeManifests(manifest('containers: [{name: app, image: nginx, ports: [{containerPort: 80}]}]'));
  assert.ok(obj?.kind === 'Pod');
  assert.deepEqual(validatePod(obj).map(renderFieldError), [
    'metadata.namespace: Required value',
    'spec.terminationGracePeriodSeconds: Required value',
    'spec.containers[0].terminationMessagePolicy: Required value',
    'spec.containers[0].ports[0].protocol: Required value',
    'spec.containers[0].imagePullPolicy: Required value',
    'spec.restartPolicy: Required value',
    'spec.dnsPolicy: Required value',
  ]);
});
