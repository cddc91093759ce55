// Resources and security on real containers: cgroup limits as the container sees them, OOM kills, and the security
// context (capabilities, no_new_privs, masked and read-only /proc paths, users, runAsNonRoot, read-only root,
// privileged), each read back from inside the container.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { containerStatus, events, leftovers, runPod, statuses, type RunResult } from './harness.js';

/** runPod with a safety --timeout, so that a regression ends as a failed test, not a hung suite. */

/** `key=value` lines a container printed, as a map. */
function keyValues(lines: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of lines) {
    const eq = l.indexOf('=');
    if (eq > 0) m.set(l.slice(0, eq), l.slice(eq + 1));
  }
  return m;
}

// containerd's default set: CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP SETPCAP
// NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE
const DEFAULT_CAPS = 0x00000000a80425fbn;
const CAP_NET_ADMIN = 1n << 12n;
const CAP_NET_RAW = 1n << 13n;
// containerd grants privileged containers (and `add: [ALL]`) every capability it holds itself (cap.Current()), which
// on a host whose bounding set lacks some is less than every capability the kernel knows
const CURRENT_CAPS = BigInt(`0x${/^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0'}`);
const hex = (caps: bigint): string => caps.toString(16).padStart(16, '0');

// Prints what the tests compare, one key=value per line (cgroup v1 and v2 paths both handled).
const CGROUP_PROBE = [
  'cg=/sys/fs/cgroup',
  'if [ -f $cg/cgroup.controllers ]; then',
  '  echo "memory=$(cat $cg/memory.max)"; echo "cpu=$(cat $cg/cpu.max)"; echo "pids=$(cat $cg/pids.max)"; echo "weight=$(cat $cg/cpu.weight)"',
  'else',
  '  echo "memory=$(cat $cg/memory/memory.limit_in_bytes)"; echo "cpu=$(cat $cg/cpu/cpu.cfs_quota_us) $(cat $cg/cpu/cpu.cfs_period_us)"',
  '  echo "pids=$(cat $cg/pids/pids.max)"; echo "shares=$(cat $cg/cpu/cpu.shares)"; echo "swap=$(cat $cg/memory/memory.memsw.limit_in_bytes 2>/dev/null || echo none)"',
  'fi',
].join('\n');

test('limits.memory, limits.cpu and the pids limit are the container\'s own cgroup limits', async () => {
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: rs-limits}
spec:
  restartPolicy: Never
  containers:
    - name: limited
      image: busybox
      command: ["sh", "-c", ${JSON.stringify(CGROUP_PROBE)}]
      resources:
        limits: {memory: 32Mi, cpu: 500m}
    - name: requests-only
      image: busybox
      command: ["sh", "-c", ${JSON.stringify(CGROUP_PROBE)}]
      resources:
        requests: {cpu: 250m, memory: 16Mi}
`);
  assert.equal(r.code, 0, r.stderr);
  const limited = keyValues(r.output('limited'));
  const free = keyValues(r.output('requests-only'));
  const v2 = limited.has('weight');
  const pidsLimit = process.env['PODD_PIDS_LIMIT'] ?? '4096';
  if (v2) {
    assert.equal(limited.get('memory'), String(32 * 1024 * 1024));
    assert.equal(limited.get('cpu'), '50000 100000');
    assert.equal(limited.get('pids'), pidsLimit);
    assert.equal(free.get('memory'), 'max');
    assert.equal(free.get('cpu'), 'max 100000');
  } else {
    assert.equal(limited.get('memory'), String(32 * 1024 * 1024), r.output('limited').join('\n'));
    // 500m = 50 ms of CPU per 100 ms period
    assert.equal(limited.get('cpu'), '50000 100000');
    assert.equal(limited.get('pids'), pidsLimit);
    // requests default to limits: 500m → 512 shares
    assert.equal(limited.get('shares'), '512');
    // memory+swap is capped too, so the limit cannot be dodged by swapping
    const swap = limited.get('swap');
    if (swap !== 'none') assert.equal(swap, String(32 * 1024 * 1024));
    // only requests: no memory limit, no quota, shares from the request (250m → 256)
    assert.ok(BigInt(free.get('memory') ?? '0') > BigInt(1) << BigInt(40), `no memory limit: ${free.get('memory') ?? ''}`);
    assert.equal(free.get('cpu'), '-1 100000');
    assert.equal(free.get('shares'), '256');
  }
  assert.deepEqual(leftovers(), []);
});

test('a container that outgrows limits.memory is OOMKilled (137), and the pod shows OOMKilled', async () => {
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: rs-oom}
spec:
  restartPolicy: Never
  containers:
    - name: hog
      image: busybox
      # the shell itself (the container's main process) doubles a string until the cgroup's OOM killer stops it
      command: ["sh", "-c", 'echo allocating; x=0123456789abcdef; while :; do x="$x$x"; done']
      resources:
        limits: {memory: 20Mi}
`);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(r.output('hog'), ['allocating']);
  assert.match(r.stderr, /^\S+\s+\|.*\| .*OOMKilled$/m, 'the timeline marks the instance OOMKilled');
  assert.equal(r.pod?.status?.phase, 'Failed');
  const st = containerStatus(r.pod, 'hog');
  assert.equal(st?.state?.terminated?.reason, 'OOMKilled', JSON.stringify(st));
  assert.equal(st?.state?.terminated?.exitCode, 137);
  assert.ok(statuses(r).includes('OOMKilled'), r.stderr);
  assert.deepEqual(leftovers(), []);
});

const CAPS_PROBE = 'grep -E "^(CapEff|CapBnd|CapPrm|NoNewPrivs):" /proc/self/status | tr -d "\\t" | sed "s/:/=/"';

test('security defaults: containerd\'s capability set, no_new_privs, masked /proc/kcore, read-only /proc/sys', async () => {
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: rs-defaults}
spec:
  restartPolicy: Never
  containers:
    - name: defaults
      image: busybox
      command:
        - sh
        - -c
        - |
          ${CAPS_PROBE}
          for p in /proc/kcore /proc/timer_list /proc/keys; do if [ -e $p ]; then echo "$p=$(wc -c < $p)"; else echo "$p=absent"; fi; done
          echo "/proc/acpi=$(ls /proc/acpi | wc -l) $(grep ' /proc/acpi ' /proc/mounts | cut -d' ' -f3)"
          echo "procsys=$(grep ' /proc/sys ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1)"
          if (echo host > /proc/sys/kernel/hostname) 2>/dev/null; then echo procsys-write=ok; else echo procsys-write=refused; fi
          echo "sysfs=$(grep ' /sys ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1)"
          mkdir -p /tmp/m; if mount -t tmpfs none /tmp/m 2>/dev/null; then echo mount=ok; else echo mount=refused; fi
    - name: escalation-allowed
      image: busybox
      command: ["sh", "-c", ${JSON.stringify(CAPS_PROBE)}]
      securityContext: {allowPrivilegeEscalation: true}
`);
  assert.equal(r.code, 0, r.stderr);
  const d = keyValues(r.output('defaults'));
  assert.equal(d.get('CapEff'), hex(DEFAULT_CAPS), r.output('defaults').join('\n'));
  assert.equal(d.get('CapPrm'), hex(DEFAULT_CAPS));
  assert.equal(d.get('CapBnd'), hex(DEFAULT_CAPS));
  // the issue asks for no_new_privs by default (Kubernetes' default would allow escalation)
  assert.equal(d.get('NoNewPrivs'), '1');
  // masked: files read empty (/dev/null is bound over them), directories are an empty read-only tmpfs; a path
  // this kernel lacks (no /proc/kcore without CONFIG_PROC_KCORE) stays absent
  for (const path of ['/proc/kcore', '/proc/timer_list', '/proc/keys']) {
    const onHost = existsSync(path);
    if (onHost && path !== '/proc/kcore') assert.ok(readFileSync(path).length > 0, `${path} has content on the host`);
    assert.equal(d.get(path), onHost ? '0' : 'absent', `${path} must be masked`);
  }
  if (existsSync('/proc/acpi')) assert.equal(d.get('/proc/acpi'), '0 tmpfs');
  assert.equal(d.get('procsys'), 'ro');
  assert.equal(d.get('procsys-write'), 'refused');
  assert.equal(d.get('sysfs'), 'ro');
  assert.equal(d.get('mount'), 'refused', 'no CAP_SYS_ADMIN by default');
  const e = keyValues(r.output('escalation-allowed'));
  assert.equal(e.get('NoNewPrivs'), '0');
  assert.equal(e.get('CapEff'), hex(DEFAULT_CAPS));
  assert.deepEqual(leftovers(), []);
});

test('runAsUser/runAsGroup/supplementalGroups (pod and container level); capabilities drop ALL, add NET_ADMIN, drop NET_RAW', async () => {
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: rs-users-caps}
spec:
  restartPolicy: Never
  securityContext: {runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000]}
  containers:
    - name: pod-level
      image: busybox
      command: ["sh", "-c", ${JSON.stringify(`echo "ids=$(id -u):$(id -g)"; echo "groups=$(id -G)"; ${CAPS_PROBE}; touch /x 2>/dev/null && echo rootfs=writable || echo rootfs=refused`)}]
    - name: container-level
      image: busybox
      command: ["sh", "-c", "echo \\"ids=$(id -u):$(id -g)\\""]
      securityContext: {runAsUser: 2000, runAsGroup: 2500}
    - name: drop-all
      image: busybox
      command: ["sh", "-c", ${JSON.stringify(CAPS_PROBE)}]
      securityContext: {runAsUser: 0, runAsGroup: 0, capabilities: {drop: [ALL]}}
    - name: add-drop
      image: busybox
      command: ["sh", "-c", ${JSON.stringify(`${CAPS_PROBE}; if ip link set lo mtu 65000 2>/dev/null; then echo netadmin=ok; else echo netadmin=refused; fi`)}]
      securityContext: {runAsUser: 0, capabilities: {add: [NET_ADMIN], drop: [NET_RAW]}}
`);
  assert.equal(r.code, 0, r.stderr);
  const pod = keyValues(r.output('pod-level'));
  assert.equal(pod.get('ids'), '1000:3000');
  assert.deepEqual((pod.get('groups') ?? '').split(' ').sort(), ['3000', '4000']);
  // a non-root user gets no effective capabilities, the bounding set stays containerd's default
  assert.equal(pod.get('CapEff'), hex(0n));
  assert.equal(pod.get('CapBnd'), hex(DEFAULT_CAPS));
  assert.equal(pod.get('rootfs'), 'refused', 'uid 1000 cannot write to the root-owned /');
  assert.equal(keyValues(r.output('container-level')).get('ids'), '2000:2500');
  const dropAll = keyValues(r.output('drop-all'));
  assert.equal(dropAll.get('CapEff'), hex(0n));
  assert.equal(dropAll.get('CapBnd'), hex(0n));
  const addDrop = keyValues(r.output('add-drop'));
  assert.equal(addDrop.get('CapEff'), hex((DEFAULT_CAPS | CAP_NET_ADMIN) & ~CAP_NET_RAW));
  assert.equal(addDrop.get('netadmin'), 'ok', r.output('add-drop').join('\n'));
  assert.deepEqual(leftovers(), []);
});

test('privileged: every capability podd holds, no no_new_privs, may mount, sees unmasked /proc', async () => {
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: rs-privileged}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
    - name: privileged
      image: busybox
      command: ["sh", "-c", ${JSON.stringify(`${CAPS_PROBE}; mkdir -p /tmp/m; if mount -t tmpfs none /tmp/m; then echo mount=$(grep ' /tmp/m ' /proc/mounts | cut -d' ' -f3); fi; echo "timer_list=$(wc -c < /proc/timer_list)"; echo "sysfs=$(grep ' /sys ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1)"`)}]
      securityContext: {privileged: true}
`, { args: ['--timeout', '8s'] });
  assert.equal(r.code, 0, r.stderr);
  const priv = keyValues(r.output('privileged'));
  assert.equal(priv.get('CapEff'), hex(CURRENT_CAPS), r.stderr);
  assert.equal(priv.get('CapBnd'), hex(CURRENT_CAPS));
  assert.equal(priv.get('NoNewPrivs'), '0');
  assert.equal(priv.get('mount'), 'tmpfs', r.output('privileged').join('\n'));
  assert.notEqual(priv.get('timer_list'), '0', 'nothing is masked for a privileged container');
  assert.equal(priv.get('sysfs'), 'rw');
  assert.deepEqual(leftovers(), []);
});

test('readOnlyRootFilesystem: / and /tmp refuse writes, volumes stay writable', async () => {
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: rs-readonly-root}
spec:
  restartPolicy: Never
  volumes: [{name: scratch, emptyDir: {}}]
  containers:
    - name: app
      image: busybox
      securityContext: {readOnlyRootFilesystem: true}
      command:
        - sh
        - -c
        - |
          for f in /x /tmp/x /etc/x /scratch/x; do if touch $f 2>/dev/null; then echo "$f writable"; else echo "$f refused"; fi; done
          echo "root=$(grep ' / ' /proc/mounts | tail -1 | cut -d' ' -f4 | cut -d, -f1)"
      volumeMounts: [{name: scratch, mountPath: /scratch}]
`);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.output('app'), ['/x refused', '/tmp/x refused', '/etc/x refused', '/scratch/x writable', 'root=ro']);
  assert.deepEqual(leftovers(), []);
});

test('runAsNonRoot: a non-root runAsUser runs; root (from the image or runAsUser: 0) is CreateContainerConfigError with the kubelet message', async () => {
  const manifest = (name: string, sc: string): string => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
    - name: app
      image: busybox
      command: ["sh", "-c", "echo must-not-run"]
      securityContext: ${sc}
`;
  const [image, explicit, fine] = await Promise.all([
    runPod(manifest('rs-nonroot-image', '{runAsNonRoot: true}'), { args: ['--timeout', '3s'] }),
    runPod(manifest('rs-nonroot-uid0', '{runAsNonRoot: true, runAsUser: 0}'), { args: ['--timeout', '3s'] }),
    runPod(manifest('rs-nonroot-ok', '{runAsNonRoot: true, runAsUser: 1234}').replace('echo must-not-run', 'id -u')),
  ]);
  const check = (r: RunResult, name: string, message: (uid: string) => string): void => {
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.pod, r.stderr);
    assert.deepEqual(r.output('app'), []);
    const cut = r.stderr.search(/^podd: --timeout \S+ reached/m);
    assert.ok(cut > 0, r.stderr);
    assert.equal(statuses({ ...r, stderr: r.stderr.slice(0, cut) }).at(-1), 'CreateContainerConfigError', r.stderr);
    // stopped by --timeout without ever starting: the status manager's TerminatePod marks it Failed
    assert.equal(r.pod.status?.phase, 'Failed');
    const want = `pod/${name} spec.containers{app}: Error: ${message(r.pod.metadata.uid ?? '')}`;
    assert.ok(events(r).some((e) => e.type === 'Warning' && e.reason === 'Failed' && e.text.endsWith(want)), `want "${want}" in:\n${r.stderr}`);
  };
  assert.equal(fine.code, 0, fine.stderr);
  assert.deepEqual(fine.output('app'), ['1234']);
  check(image, 'rs-nonroot-image', (uid) => `container has runAsNonRoot and image will run as root (pod: "rs-nonroot-image_default(${uid})", container: app)`);
  // an explicit runAsUser: 0 has its own kubelet message (verifyRunAsNonRoot)
  check(explicit, 'rs-nonroot-uid0', (uid) => `container's runAsUser breaks non-root policy (pod: "rs-nonroot-uid0_default(${uid})", container: app)`);
  assert.deepEqual(leftovers(), []);
});
