// Volumes and the container environment on real containers: emptyDir (disk and memory), hostPath with its type
// checks, secret and configMap volumes, readOnly mounts, subPath, and env/envFrom with $(VAR) expansion, checked from
// what the containers themselves print or write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { events, example, leftovers, runPod, runPodFile, statuses, tempDir, type RunResult } from './harness.js';

/** runPod with a safety --timeout, so that a regression ends as a failed test, not a hung suite. */

/**
 * A pod stopped by --timeout before any container could start: no output, STATUS `want` (and nothing that means a
 * container ran) until the termination, and the final phase is Failed (the status manager's TerminatePod marks a pod that never finished Failed).
 */
function assertNeverStarted(r: RunResult, want: string, containers: string[]): void {
  assert.ok(r.pod, `podd must print the final pod:\n${r.stderr}`);
  for (const c of containers) assert.deepEqual(r.output(c), [], `${c} must not run`);
  const cut = r.stderr.search(/^podd: --timeout \S+ reached/m);
  assert.ok(cut > 0, r.stderr);
  const before = statuses({ ...r, stderr: r.stderr.slice(0, cut) });
  assert.equal(before.at(-1), want, `want STATUS ${want} until the termination, got ${before.join(', ')}:\n${r.stderr}`);
  const started = before.filter((s) => ['Running', 'NotReady', 'Completed', 'Error', 'CrashLoopBackOff', 'PodInitializing'].includes(s));
  assert.deepEqual(started, [], r.stderr);
  assert.equal(r.pod.status?.phase, 'Failed');
  assert.equal(r.code, 1);
}

function yamlString(s: string): string {
  return JSON.stringify(s);
}

test('emptyDir is shared by init and app containers; medium Memory is a tmpfs of sizeLimit', async () => {
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: vol-emptydir}
spec:
  restartPolicy: Never
  volumes:
    - {name: shared, emptyDir: {}}
    - {name: mem, emptyDir: {medium: Memory, sizeLimit: 16Mi}}
  initContainers:
    - name: writer
      image: busybox
      command: ["sh", "-c", "echo written-by-init > /shared/file; echo mem-by-init > /mem/file"]
      volumeMounts: [{name: shared, mountPath: /shared}, {name: mem, mountPath: /mem}]
  containers:
    - name: reader
      image: busybox
      command: ["sh", "-c", "echo shared=$(cat /shared/file); echo mem=$(cat /mem/file); echo mode=$(stat -c %a /shared); echo memmount=$(grep ' /mem ' /proc/mounts); echo sharedmount=$(grep ' /shared ' /proc/mounts | cut -d' ' -f3); echo memsize=$(df -k /mem | tail -1 | awk '{print $2}')"]
      volumeMounts: [{name: shared, mountPath: /shared}, {name: mem, mountPath: /mem}]
`);
  assert.equal(r.code, 0, r.stderr);
  const out = r.output('reader');
  assert.ok(out.includes('shared=written-by-init'), out.join('\n'));
  assert.ok(out.includes('mem=mem-by-init'), out.join('\n'));
  // the kubelet's emptyDir is world-writable (0777)
  assert.ok(out.includes('mode=777'), out.join('\n'));
  const memMount = out.find((l) => l.startsWith('memmount=')) ?? '';
  assert.match(memMount, /^memmount=\S+ \/mem tmpfs /, 'medium: Memory must be a tmpfs');
  assert.match(memMount, /size=16384k/, 'the tmpfs must be sizeLimit (16Mi) big');
  assert.ok(out.includes('memsize=16384'), out.join('\n'));
  const sharedFs = (out.find((l) => l.startsWith('sharedmount=')) ?? '').slice('sharedmount='.length);
  assert.notEqual(sharedFs, 'tmpfs', 'a default emptyDir is on the node disk, not in memory');
  assert.deepEqual(leftovers(), []);
});

test('hostPath: Directory, File, CharDevice, DirectoryOrCreate and FileOrCreate; writes reach the host; readOnly refuses writes', async () => {
  const host = tempDir('podd-e2e-hostpath-');
  writeFileSync(join(host, 'existing.txt'), 'from-the-host\n');
  const created = join(host, 'made', 'by', 'kubelet');
  const file = join(host, 'touched.txt');
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: vol-hostpath}
spec:
  restartPolicy: Never
  volumes:
    - {name: dir, hostPath: {path: ${yamlString(host)}, type: Directory}}
    - {name: ro, hostPath: {path: ${yamlString(host)}}}
    - {name: mk, hostPath: {path: ${yamlString(created)}, type: DirectoryOrCreate}}
    - {name: f, hostPath: {path: ${yamlString(file)}, type: FileOrCreate}}
    - {name: existing, hostPath: {path: ${yamlString(join(host, 'existing.txt'))}, type: File}}
    - {name: devnull, hostPath: {path: /dev/null, type: CharDevice}}
  containers:
    - name: app
      image: busybox
      command: ["sh", "-c", "cat /existing; echo from-the-container > /dir/out.txt; echo made > /mk/inside; echo filled > /f; if touch /ro/nope 2>/dev/null; then echo ro-writable; else echo ro-refused; fi; cat /ro/out.txt; echo discarded > /hostnull && stat -c %t,%T /hostnull"]
      volumeMounts:
        - {name: dir, mountPath: /dir}
        - {name: ro, mountPath: /ro, readOnly: true}
        - {name: mk, mountPath: /mk}
        - {name: f, mountPath: /f}
        - {name: existing, mountPath: /existing}
        - {name: devnull, mountPath: /hostnull}
`);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.output('app'), ['from-the-host', 'ro-refused', 'from-the-container', '1,3']);
  assert.equal(readFileSync(join(host, 'out.txt'), 'utf8'), 'from-the-container\n');
  assert.equal(readFileSync(join(created, 'inside'), 'utf8'), 'made\n');
  assert.equal(readFileSync(file, 'utf8'), 'filled\n');
  assert.equal(existsSync(join(host, 'nope')), false);
  assert.deepEqual(leftovers(), []);
});

test('hostPath type Directory on a missing path: the container never starts, FailedMount, ContainerCreating', async () => {
  const missing = join(tempDir('podd-e2e-hostpath-'), 'does-not-exist');
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: vol-hostpath-missing}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  volumes:
    - {name: h, hostPath: {path: ${yamlString(missing)}, type: Directory}}
  containers:
    - name: app
      image: busybox
      command: ["sh", "-c", "echo app-started"]
      volumeMounts: [{name: h, mountPath: /h}]
`, { args: ['--timeout', '3s'] });
  // the kubelet keeps such a pod Pending, its container Waiting ContainerCreating, until the volume can be set up
  assertNeverStarted(r, 'ContainerCreating', ['app']);
  assert.equal(existsSync(missing), false, 'type Directory must not create the path');
  // the kubelet's volume manager reports this as a FailedMount warning on the pod (not a sandbox failure)
  const expected = `MountVolume.SetUp failed for volume "h" : hostPath type check failed: ${missing} is not a directory`;
  const failedMount = events(r).filter((e) => e.type === 'Warning' && e.reason === 'FailedMount');
  assert.ok(failedMount.length > 0, `want a Warning FailedMount event, got:\n${events(r).map((e) => e.text).join('\n')}`);
  assert.ok(failedMount.every((e) => e.text.endsWith(`: ${expected}`)), failedMount.map((e) => e.text).join('\n'));
  assert.deepEqual(leftovers(), []);
});

test('secret and configMap volumes: items, defaultMode, item mode, optional missing, always read-only', async () => {
  const r = await runPod(`
apiVersion: v1
kind: Secret
metadata: {name: vol-creds}
type: Opaque
stringData: {user: admin, pass: hunter2}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: vol-conf}
data: {a.conf: alpha, b.conf: beta}
---
apiVersion: v1
kind: Pod
metadata: {name: vol-projected}
spec:
  restartPolicy: Never
  volumes:
    - name: sec
      secret: {secretName: vol-creds, defaultMode: 0440, items: [{key: pass, path: sub/password}]}
    - name: secall
      secret: {secretName: vol-creds}
    - name: cm
      configMap: {name: vol-conf, defaultMode: 0600}
    - name: cmitem
      configMap: {name: vol-conf, items: [{key: b.conf, path: renamed.conf, mode: 0400}]}
    - name: optsec
      secret: {secretName: no-such-secret, optional: true}
    - name: optcm
      configMap: {name: no-such-configmap, optional: true}
  containers:
    - name: app
      image: busybox
      command:
        - sh
        - -c
        - |
          echo "sec: $(ls /sec) $(cat /sec/sub/password) $(stat -L -c %a /sec/sub/password)"
          echo "secall: $(ls /secall | tr '\\n' ' ')$(cat /secall/user) $(stat -L -c %a /secall/user)"
          echo "cm: $(ls /cm | tr '\\n' ' ')$(cat /cm/a.conf) $(stat -L -c %a /cm/a.conf)"
          echo "cmitem: $(ls /cmitem) $(cat /cmitem/renamed.conf) $(stat -L -c %a /cmitem/renamed.conf)"
          echo "optsec: [$(ls /optsec)] optcm: [$(ls /optcm)]"
          for d in sec cm optsec; do if touch /$d/new 2>/dev/null; then echo "$d writable"; else echo "$d read-only"; fi; done
      volumeMounts:
        - {name: sec, mountPath: /sec}
        - {name: secall, mountPath: /secall}
        - {name: cm, mountPath: /cm}
        - {name: cmitem, mountPath: /cmitem}
        - {name: optsec, mountPath: /optsec}
        - {name: optcm, mountPath: /optcm}
`);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.output('app'), [
    'sec: sub hunter2 440',
    'secall: pass user admin 644',
    'cm: a.conf b.conf alpha 600',
    'cmitem: renamed.conf beta 400',
    'optsec: [] optcm: []',
    'sec read-only',
    'cm read-only',
    'optsec read-only',
  ]);
  assert.deepEqual(leftovers(), []);
});

test('a missing non-optional Secret volume: FailedMount, the container never starts', async () => {
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: vol-secret-missing}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  volumes:
    - {name: creds, secret: {secretName: not-there}}
  containers:
    - name: app
      image: busybox
      command: ["sh", "-c", "echo app-started"]
      volumeMounts: [{name: creds, mountPath: /creds}]
`, { args: ['--timeout', '3s'] });
  assertNeverStarted(r, 'ContainerCreating', ['app']);
  const failedMount = events(r).filter((e) => e.type === 'Warning' && e.reason === 'FailedMount');
  assert.ok(failedMount.some((e) => e.text.endsWith(': MountVolume.SetUp failed for volume "creds" : secret "not-there" not found')),
    `want Warning FailedMount 'MountVolume.SetUp failed for volume "creds" : secret "not-there" not found', got:\n${events(r).map((e) => e.text).join('\n')}`);
  assert.deepEqual(leftovers(), []);
});

test('readOnly volumeMounts refuse writes while the same volume stays writable elsewhere', async () => {
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: vol-readonly}
spec:
  restartPolicy: Never
  volumes:
    - {name: data, emptyDir: {}}
  initContainers:
    - name: seed
      image: busybox
      command: ["sh", "-c", "echo seeded > /data/f"]
      volumeMounts: [{name: data, mountPath: /data}]
  containers:
    - name: app
      image: busybox
      command: ["sh", "-c", "cat /ro/f; if (echo x > /ro/g) 2>/dev/null; then echo ro-write-ok; else echo ro-write-failed; fi; if rm /ro/f 2>/dev/null; then echo ro-rm-ok; else echo ro-rm-failed; fi; echo rw > /rw/g && echo rw-write-ok; grep ' /ro ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1"]
      volumeMounts:
        - {name: data, mountPath: /ro, readOnly: true}
        - {name: data, mountPath: /rw}
`);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.output('app'), ['seeded', 'ro-write-failed', 'ro-rm-failed', 'rw-write-ok', 'ro']);
  assert.deepEqual(leftovers(), []);
});

test('subPath: a single file and a (created) directory of a volume', async () => {
  const host = tempDir('podd-e2e-subpath-');
  writeFileSync(join(host, 'settings.ini'), 'answer=42\n');
  const r = await runPod(`
apiVersion: v1
kind: ConfigMap
metadata: {name: vol-subpath-cm}
data: {app.conf: "mode=production"}
---
apiVersion: v1
kind: Pod
metadata: {name: vol-subpath}
spec:
  restartPolicy: Never
  volumes:
    - {name: host, hostPath: {path: ${yamlString(host)}, type: Directory}}
    - {name: cm, configMap: {name: vol-subpath-cm}}
    - {name: scratch, emptyDir: {}}
  initContainers:
    - name: prep
      image: busybox
      command: ["sh", "-c", "echo from-init > /x/note"]
      volumeMounts: [{name: scratch, mountPath: /x, subPath: deep/dir}]
  containers:
    - name: app
      image: busybox
      command: ["sh", "-c", "cat /etc/settings.ini; cat /etc/app.conf; echo; ls /data; echo written > /data/result; cat /all/deep/dir/note; ls /etc | grep -c passwd"]
      volumeMounts:
        - {name: host, mountPath: /etc/settings.ini, subPath: settings.ini}
        - {name: cm, mountPath: /etc/app.conf, subPath: app.conf}
        - {name: host, mountPath: /data, subPath: sub/dir}
        - {name: scratch, mountPath: /all}
`);
  assert.equal(r.code, 0, r.stderr);
  // the file subPaths sit next to the image's own /etc files; the dir subPath was created empty in the volume
  assert.deepEqual(r.output('app'), ['answer=42', 'mode=production', 'from-init', '1']);
  assert.equal(readFileSync(join(host, 'sub', 'dir', 'result'), 'utf8'), 'written\n');
  assert.deepEqual(leftovers(), []);
});

test('a Secret is visible only to the containers that mount it (init reads it, the app finds it nowhere)', async () => {
  const value = 'pa55-e2e-only-in-secret';
  // the needle is built at run time, so that no command line holds it
  // every regular file outside /proc and /sys (busybox grep has no --exclude-dir); the big busybox binary and its
  // hard links are skipped by size, for speed
  const search = 'n=pa55-e2e; n="$n-only-in-secret"; find / \\( -path /proc -o -path /sys \\) -prune -o -type f -size -512k -exec grep -l "$n" {} +; echo search-done';
  const r = await runPod(`
apiVersion: v1
kind: Secret
metadata: {name: vol-private}
data: {token: ${Buffer.from(value).toString('base64')}}
---
apiVersion: v1
kind: Pod
metadata: {name: vol-secret-scope}
spec:
  restartPolicy: Never
  volumes:
    - {name: private, secret: {secretName: vol-private}}
    - {name: handoff, emptyDir: {}}
  initContainers:
    - name: init
      image: busybox
      command: ["sh", "-c", ${yamlString(`echo "len=$(wc -c < /private/token)"; ${search}; echo derived-from-secret > /handoff/config`)}]
      volumeMounts:
        - {name: private, mountPath: /private, readOnly: true}
        - {name: handoff, mountPath: /handoff}
  containers:
    - name: app
      image: busybox
      command: ["sh", "-c", ${yamlString(`cat /handoff/config; ls /private 2>&1 | head -1; ${search}`)}]
      volumeMounts: [{name: handoff, mountPath: /handoff}]
`);
  assert.equal(r.code, 0, r.stderr);
  const init = r.output('init');
  assert.equal(init[0], `len=${value.length}`);
  // positive control: the same search finds the value where the init container has it mounted
  assert.ok(init.some((l) => l.startsWith('/private/')), init.join('\n'));
  assert.equal(init.at(-1), 'search-done');
  const app = r.output('app');
  assert.deepEqual(app, ['derived-from-secret', 'ls: /private: No such file or directory', 'search-done'], 'the app must not find the secret anywhere');
  assert.deepEqual(leftovers(), []);
});

test('examples/init-secret.yaml: the init container renders a config, the app cannot see the Secret', async () => {
  const r = await runPodFile(example('init-secret.yaml'), { args: ['--timeout', '60s'] });
  assert.equal(r.code, 0, r.stderr);
  const app = r.output('app');
  assert.match(app[0] ?? '', /^dsn=postgres:\/\/app@db\/app\?password_sha=[0-9a-f]{16}$/);
  assert.deepEqual(app.slice(1), ['secret not visible to app']);
  assert.deepEqual(leftovers(), []);
});

test('env: value, secretKeyRef, configMapKeyRef, fieldRef, envFrom with prefix, $(VAR) in env, command and args', async () => {
  const r = await runPod(`
apiVersion: v1
kind: Secret
metadata: {name: env-sec}
stringData: {token: t0k3n, DB_USER: dbuser}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: env-cm}
data: {color: blue, size: large}
---
apiVersion: v1
kind: Pod
metadata: {name: vol-env, namespace: default}
spec:
  restartPolicy: Never
  containers:
    - name: app
      image: busybox
      envFrom:
        - {prefix: CM_, configMapRef: {name: env-cm}}
        - secretRef: {name: env-sec}
        - {configMapRef: {name: no-such-cm, optional: true}}
      env:
        - {name: PLAIN, value: hello}
        - {name: EXPANDED, value: "$(PLAIN)-world-$(CM_color)-$$(PLAIN)-$(UNDEFINED)"}
        - {name: CM_size, value: overridden}
        - {name: SECRET_TOKEN, valueFrom: {secretKeyRef: {name: env-sec, key: token}}}
        - {name: COLOR, valueFrom: {configMapKeyRef: {name: env-cm, key: color}}}
        - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        - {name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
        - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
        - {name: OPTIONAL, valueFrom: {secretKeyRef: {name: env-sec, key: nope, optional: true}}}
      command: ["sh", "-c", "echo \\"cmd=$(PLAIN)\\"; for a in \\"$@\\"; do echo \\"arg=$a\\"; done; env | sort | grep -E '^(PLAIN|EXPANDED|CM_|SECRET_TOKEN|COLOR|POD_|OPTIONAL|token|DB_USER|PATH)'", "sh"]
      args: ["$(COLOR)", "$$(PLAIN)", "$(NOT_DEFINED)", "$(POD_NAME)/$(POD_NAMESPACE)"]
`);
  assert.equal(r.code, 0, r.stderr);
  const podIP = r.pod?.status?.podIP ?? '';
  assert.deepEqual(r.output('app'), [
    'cmd=hello',
    'arg=blue',
    'arg=$(PLAIN)',
    'arg=$(NOT_DEFINED)',
    'arg=vol-env/default',
    'CM_color=blue',
    'CM_size=overridden',
    'COLOR=blue',
    'DB_USER=dbuser',
    'EXPANDED=hello-world-blue-$(PLAIN)-$(UNDEFINED)',
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'PLAIN=hello',
    `POD_IP=${podIP}`,
    'POD_NAME=vol-env',
    'POD_NAMESPACE=default',
    'SECRET_TOKEN=t0k3n',
    'token=t0k3n',
  ]);
  assert.deepEqual(leftovers(), []);
});

test('a missing Secret, key or ConfigMap in env: CreateContainerConfigError with the kubelet message, not a crash', async () => {
  const manifest = (name: string, init: boolean, env: string): string => `
apiVersion: v1
kind: Secret
metadata: {name: env-present}
stringData: {a: b}
---
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  ${init ? `initContainers:
    - name: init
      image: busybox
      command: ["sh", "-c", "echo init-started"]
      env: [${env}]
  ` : ''}containers:
    - name: app
      image: busybox
      command: ["sh", "-c", "echo app-started"]
      ${init ? '' : `env: [${env}]`}
`;
  const cases = [
    { name: 'env-missing-secret', init: false, env: '{name: X, valueFrom: {secretKeyRef: {name: x, key: k}}}',
      message: 'secret "x" not found', status: 'CreateContainerConfigError', field: 'spec.containers{app}' },
    { name: 'env-missing-key', init: false, env: '{name: X, valueFrom: {secretKeyRef: {name: env-present, key: k}}}',
      message: "couldn't find key k in Secret default/env-present", status: 'CreateContainerConfigError', field: 'spec.containers{app}' },
    { name: 'env-missing-cm-init', init: true, env: '{name: X, valueFrom: {configMapKeyRef: {name: cfg, key: k}}}',
      message: 'configmap "cfg" not found', status: 'Init:CreateContainerConfigError', field: 'spec.initContainers{init}' },
    { name: 'envfrom-missing-secret', init: false, env: '', message: 'secret "bulk" not found', status: 'CreateContainerConfigError',
      field: 'spec.containers{app}' },
  ];
  const results = await Promise.all(cases.map((c) => {
    const yaml = c.name === 'envfrom-missing-secret'
      ? manifest(c.name, false, '').replace('env: []', 'envFrom: [{secretRef: {name: bulk}}]')
      : manifest(c.name, c.init, c.env);
    return runPod(yaml, { args: ['--timeout', '3s'] });
  }));
  for (const [i, c] of cases.entries()) {
    const r = results[i] as RunResult;
    assert.ok(!/^error:/m.test(r.stderr), `${c.name}: ${r.stderr}`);
    assertNeverStarted(r, c.status, ['init', 'app']);
    const failed = events(r).filter((e) => e.type === 'Warning' && e.reason === 'Failed');
    assert.ok(failed.length > 0 && failed.every((e) => e.text.endsWith(`pod/${c.name} ${c.field}: Error: ${c.message}`)),
      `${c.name}: want Warning Failed "Error: ${c.message}":\n${r.stderr}`);
  }
  assert.deepEqual(leftovers(), []);
});

test('every container sees its namespace in the read-only service account directory, unless automount is off', async () => {
  const pod = (automount: string): string => `
apiVersion: v1
kind: Pod
metadata: {name: sa-dir, namespace: team-a}
spec:
  restartPolicy: Never
  ${automount}
  initContainers:
  - {name: init, image: busybox, command: [sh, -c, 'echo "$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace 2>/dev/null || echo none)"']}
  containers:
  - {name: c, image: busybox, command: [sh, -c, 'echo "$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace 2>/dev/null || echo none)"; touch /var/run/secrets/kubernetes.io/serviceaccount/x 2>/dev/null && echo writable || echo read-only']}
`;
  const on = await runPod(pod(''));
  assert.equal(on.code, 0, on.stderr);
  assert.deepEqual([on.output('init'), on.output('c')], [['team-a'], ['team-a', 'read-only']]);
  const off = await runPod(pod('automountServiceAccountToken: false'));
  assert.equal(off.code, 0, off.stderr);
  assert.equal(off.output('c')[0], 'none', 'the file (no newline, as the kubelet writes it) is absent');
  assert.deepEqual(leftovers(), []);
});
