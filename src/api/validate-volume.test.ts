import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPod } from './defaults.js';
import { renderFieldError } from './field-errors.js';
import { validatePod } from './validate.js';
import type { Pod } from './types.js';
import { APP, LABEL_RULE, manifest, MODE_RULE, run } from './validate-fixtures.test.js';

test('volumes', () => {
  run([
    {
      name: 'names and sources',
      text: manifest(`${APP}
volumes:
- {emptyDir: {}}
- {name: Data, emptyDir: {}}
- {name: cache, emptyDir: {}}
- {name: cache, emptyDir: {}}
- {name: both, emptyDir: {}, hostPath: {path: /tmp}}
- {name: host, hostPath: {path: ""}}
- {name: sock, hostPath: {path: /run/x.sock, type: Pipe}}
- {name: up, hostPath: {path: /var/../etc}}`),
      want: [
        'spec.volumes[0].name: Required value',
        `spec.volumes[1].name: Invalid value: "Data": ${LABEL_RULE}`,
        'spec.volumes[3].name: Duplicate value: "cache"',
        'spec.volumes[4].hostPath: Forbidden: may not specify more than 1 volume type',
        'spec.volumes[5].hostPath.path: Required value',
        'spec.volumes[6].hostPath.type: Unsupported value: "Pipe": supported values: "", "BlockDevice", "CharDevice", "Directory", '
          + '"DirectoryOrCreate", "File", "FileOrCreate", "Socket"',
        'spec.volumes[7].hostPath.path: Invalid value: "/var/../etc": must not contain \'..\'',
      ],
    },
    {
      name: 'secret and configMap projections',
      text: manifest(`${APP}
volumes:
- name: s
  secret: {defaultMode: 01000, items: [{key: a, path: /etc/a}, {key: b, path: ../b}, {key: c, path: ..data}, {path: d, mode: -1}]}
- name: c
  configMap: {defaultMode: -1}`),
      want: [
        'spec.volumes[0].secret.secretName: Required value',
        `spec.volumes[0].secret.defaultMode: Invalid value: 512: ${MODE_RULE}`,
        'spec.volumes[0].secret.items[0].path: Invalid value: "/etc/a": must be a relative path',
        'spec.volumes[0].secret.items[1].path: Invalid value: "../b": must not contain \'..\'',
        'spec.volumes[0].secret.items[2].path: Invalid value: "..data": must not start with \'..\'',
        'spec.volumes[0].secret.items[3].key: Required value',
        `spec.volumes[0].secret.items[3].mode: Invalid value: -1: ${MODE_RULE}`,
        'spec.volumes[1].configMap.name: Required value',
        `spec.volumes[1].configMap.defaultMode: Invalid value: -1: ${MODE_RULE}`,
      ],
    },
  ]);
});

test('a volume with no source (impossible after defaulting) needs a type', () => {
  const pod: Pod = defaultPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'app', image: 'nginx' }] } });
  pod.spec.volumes = [{ name: 'empty' }];
  assert.deepEqual(validatePod(pod).map(renderFieldError), ['spec.volumes[0]: Required value: must specify a volume type']);
});

test('volume mounts', () => {
  run([
    {
      name: 'mounts of missing, broken and duplicate paths',
      text: manifest(`containers:
- name: app
  image: nginx
  volumeMounts:
  - {name: nope, mountPath: /a}
  - {name: data, mountPath: /a}
  - {name: data, mountPath: ""}
  - {name: broken, mountPath: /b}
  - {name: data, mountPath: /c, subPath: /abs}
  - {name: data, mountPath: /d, subPath: x/../../y}
  - {name: data, mountPath: /e, mountPropagation: Bidirectional}
volumes:
- {name: data, emptyDir: {}}
- {name: broken, hostPath: {path: ""}}`),
      want: [
        'spec.volumes[1].hostPath.path: Required value',
        'spec.containers[0].volumeMounts[0].name: Not found: "nope"',
        'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/a": must be unique',
        'spec.containers[0].volumeMounts[2].mountPath: Required value',
        'spec.containers[0].volumeMounts[3].name: Not found: "broken"',
        'spec.containers[0].volumeMounts.subPath: Invalid value: "/abs": must be a relative path',
        'spec.containers[0].volumeMounts.subPath: Invalid value: "x/../../y": must not contain \'..\'',
        'spec.containers[0].volumeMounts.mountPropagation: Forbidden: Bidirectional mount propagation is available only to privileged containers',
      ],
    },
  ]);
});
