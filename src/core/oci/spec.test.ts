import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SecurityContext } from '../../api/types.js';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES, MASKED_PATHS, capabilitiesFromMask } from './defaults.js';
import { containerSpec, cpuResources, effectiveCapabilities, sandboxSpec, type ContainerSpecInput } from './spec.js';
import { sandboxNamespacePaths } from './types.js';

function base(over: Partial<ContainerSpecInput> = {}): ContainerSpecInput {
  return {
    rootfs: '/rootfs',
    args: ['sh'],
    env: ['PATH=/bin'],
    cwd: '/',
    user: { uid: 0, gid: 0, additionalGids: [] },
    namespaces: sandboxNamespacePaths(42, false),
    mounts: [],
    securityContext: {},
    limits: {},
    cgroupsPath: '/podd/pod1/c1',
    annotations: {},
    tty: false,
    ...over,
  };
}

test('sandbox: new net/ipc/uts/pid/mount namespaces, hostname, read-only root, /pause', () => {
  const s = sandboxSpec({ rootfs: '/p', hostname: 'web', sharePid: false, cgroupsPath: '/podd/pod1/s', annotations: {} });
  assert.deepEqual(s.linux.namespaces.map((n) => [n.type, n.path]), [['pid', undefined], ['network', undefined], ['ipc', undefined], ['uts', undefined], ['mount', undefined]]);
  assert.equal(s.hostname, 'web');
  assert.deepEqual(s.process.args, ['/pause']);
  assert.equal(s.root.readonly, true);
  assert.deepEqual(s.process.capabilities.bounding, []);
  assert.equal(s.process.noNewPrivileges, true);
});

test('sandbox: an existing network namespace is joined by path', () => {
  const s = sandboxSpec({ rootfs: '/p', hostname: 'h', sharePid: false, cgroupsPath: '/c', annotations: {}, networkNamespace: '/run/netns/x' });
  assert.deepEqual(s.linux.namespaces.find((n) => n.type === 'network'), { type: 'network', path: '/run/netns/x' });
});

test('sandbox: hostNetwork keeps the host network and UTS namespaces, and sets no hostname', () => {
  const s = sandboxSpec({ rootfs: '/p', hostname: 'h', sharePid: false, cgroupsPath: '/c', annotations: {}, hostNetwork: true });
  assert.deepEqual(s.linux.namespaces.map((n) => n.type), ['pid', 'ipc', 'mount']);
  assert.equal(s.hostname, undefined);
});

test('namespace paths: pid only with shareProcessNamespace', () => {
  assert.deepEqual(sandboxNamespacePaths(7, false), { network: '/proc/7/ns/net', ipc: '/proc/7/ns/ipc', uts: '/proc/7/ns/uts' });
  assert.equal(sandboxNamespacePaths(7, true).pid, '/proc/7/ns/pid');
});

test('containers join the sandbox namespaces; own pid namespace unless shared', () => {
  const own = containerSpec(base());
  assert.deepEqual(own.linux.namespaces, [
    { type: 'pid' },
    { type: 'network', path: '/proc/42/ns/net' },
    { type: 'ipc', path: '/proc/42/ns/ipc' },
    { type: 'uts', path: '/proc/42/ns/uts' },
    { type: 'mount' },
  ]);
  assert.equal(own.hostname, undefined, 'runc refuses a hostname when joining a UTS namespace');
  const shared = containerSpec(base({ namespaces: sandboxNamespacePaths(42, true) }));
  assert.deepEqual(shared.linux.namespaces[0], { type: 'pid', path: '/proc/42/ns/pid' });
});

const securityCases: { name: string; sc: SecurityContext; caps: (c: string[]) => boolean; nnp: boolean; masked: boolean; rootRo: boolean }[] = [
  { name: 'defaults', sc: {}, caps: (c) => c.length === DEFAULT_CAPABILITIES.length, nnp: true, masked: true, rootRo: false },
  { name: 'allowPrivilegeEscalation', sc: { allowPrivilegeEscalation: true }, caps: (c) => c.includes('CAP_CHOWN'), nnp: false, masked: true, rootRo: false },
  { name: 'privileged', sc: { privileged: true }, caps: (c) => c.includes('CAP_SYS_ADMIN'), nnp: false, masked: false, rootRo: false },
  { name: 'drop ALL', sc: { capabilities: { drop: ['ALL'] } }, caps: (c) => c.length === 0, nnp: true, masked: true, rootRo: false },
  { name: 'drop ALL add NET_ADMIN', sc: { capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } }, caps: (c) => c.join() === 'CAP_NET_ADMIN', nnp: true, masked: true, rootRo: false },
  { name: 'add SYS_TIME', sc: { capabilities: { add: ['SYS_TIME'] } }, caps: (c) => c.includes('CAP_SYS_TIME') && c.includes('CAP_KILL'), nnp: true, masked: true, rootRo: false },
  { name: 'drop KILL', sc: { capabilities: { drop: ['KILL'] } }, caps: (c) => !c.includes('CAP_KILL') && c.includes('CAP_CHOWN'), nnp: true, masked: true, rootRo: false },
  { name: 'readOnlyRootFilesystem', sc: { readOnlyRootFilesystem: true }, caps: () => true, nnp: true, masked: true, rootRo: true },
];

for (const c of securityCases) {
  test(`security context: ${c.name}`, () => {
    const s = containerSpec(base({ securityContext: c.sc }));
    assert.ok(c.caps(s.process.capabilities.bounding), `caps: ${s.process.capabilities.bounding.join(',')}`);
    assert.deepEqual(s.process.capabilities.effective, s.process.capabilities.bounding);
    assert.equal(s.process.noNewPrivileges, c.nnp);
    assert.equal(s.linux.maskedPaths.includes('/proc/kcore'), c.masked);
    assert.equal(s.linux.readonlyPaths.includes('/proc/sys'), c.masked);
    assert.equal(s.root.readonly, c.rootRo);
    const sys = s.mounts.find((m) => m.destination === '/sys');
    assert.equal(sys?.options?.includes('ro'), c.sc.privileged !== true);
  });
}

test('masked paths are containerd\'s', () => {
  assert.deepEqual(containerSpec(base()).linux.maskedPaths, [...MASKED_PATHS]);
});

test('capability names are normalized', () => {
  assert.deepEqual(effectiveCapabilities(false, { drop: ['all'], add: ['cap_net_raw', 'chown'] }), ['CAP_NET_RAW', 'CAP_CHOWN']);
});

const cpuCases: { name: string; req?: number; lim?: number; want: ReturnType<typeof cpuResources> }[] = [
  { name: 'none', want: undefined },
  { name: 'request 250m', req: 0.25, want: { shares: 256 } },
  { name: 'limit 500m (request defaults to it)', lim: 0.5, want: { shares: 512, period: 100000, quota: 50000 } },
  { name: 'request 100m limit 2', req: 0.1, lim: 2, want: { shares: 102, period: 100000, quota: 200000 } },
  { name: 'tiny request is clamped to 2 shares', req: 0.001, want: { shares: 2 } },
  { name: 'tiny limit is clamped to 1ms quota', lim: 0.001, want: { shares: 2, period: 100000, quota: 1000 } },
];
for (const c of cpuCases) {
  test(`cpu: ${c.name}`, () => {
    const limits = { ...(c.req === undefined ? {} : { cpuRequest: c.req }), ...(c.lim === undefined ? {} : { cpuLimit: c.lim }) };
    assert.deepEqual(cpuResources(limits), c.want);
  });
}

test('memory and pids limits reach the cgroup settings', () => {
  const s = containerSpec(base({ limits: { memory: 64 * 1024 * 1024, pids: 100 } }));
  assert.deepEqual(s.linux.resources.memory, { limit: 67108864, swap: 67108864 });
  assert.deepEqual(s.linux.resources.pids, { limit: 100 });
  assert.equal(s.linux.cgroupsPath, '/podd/pod1/c1');
});

test('user mounts replace base mounts at the same destination and come after them', () => {
  const s = containerSpec(base({ mounts: [{ destination: '/dev/shm', type: 'bind', source: '/x', options: ['rbind'] }, { destination: '/data', type: 'bind', source: '/d', options: ['rbind', 'ro'] }] }));
  const dests = s.mounts.map((m) => m.destination);
  assert.equal(dests.filter((d) => d === '/dev/shm').length, 1);
  assert.equal(dests.at(-1), '/data');
  assert.ok(dests.indexOf('/proc') < dests.indexOf('/data'));
});

test('user and supplementary groups', () => {
  const s = containerSpec(base({ user: { uid: 1000, gid: 2000, additionalGids: [3000] } }));
  assert.deepEqual(s.process.user, { uid: 1000, gid: 2000, additionalGids: [3000] });
  assert.deepEqual(containerSpec(base()).process.user, { uid: 0, gid: 0 });
});

test('capabilities never exceed what the host holds: privileged gets the host set', () => {
  const host = ['CAP_CHOWN', 'CAP_KILL', 'CAP_SYS_ADMIN'];
  assert.deepEqual(effectiveCapabilities(true, undefined, host), ['CAP_CHOWN', 'CAP_KILL', 'CAP_SYS_ADMIN']);
  assert.deepEqual(effectiveCapabilities(false, { add: ['ALL'] }, host), ['CAP_CHOWN', 'CAP_KILL', 'CAP_SYS_ADMIN']);
  assert.deepEqual(effectiveCapabilities(false, undefined, host), ['CAP_CHOWN', 'CAP_KILL']);
});

test('capability masks from /proc/<pid>/status decode in bit order', () => {
  assert.deepEqual(capabilitiesFromMask('0000000000000001'), ['CAP_CHOWN']);
  assert.deepEqual(capabilitiesFromMask('00000000a80425fb'), [...DEFAULT_CAPABILITIES].sort((a, b) => ALL_CAPABILITIES.indexOf(a) - ALL_CAPABILITIES.indexOf(b)));
  const noSysResource = capabilitiesFromMask('000001fffeffffff');
  assert.equal(noSysResource.length, ALL_CAPABILITIES.length - 1);
  assert.ok(!noSysResource.includes('CAP_SYS_RESOURCE'));
});
