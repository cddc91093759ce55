import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfListObject } from './conflist.js';
import { isNetworkError } from './errors.js';
import { type EnvInput, cniEnv, ifNameProblem, pluginConfig, pluginOrder, podCniArgs } from './invocation.js';
import type { CniCommand, JsonObject, NetConfList } from './types.js';

function list(cniVersion = '1.0.0'): NetConfList {
  return parseConfListObject(
    {
      cniVersion,
      name: 'net1',
      plugins: [
        { type: 'bridge', name: 'ignored', cniVersion: '0.1.0', bridge: 'b0', prevResult: { stale: true } },
        { type: 'portmap', capabilities: { portMappings: true, bandwidth: false } },
        { type: 'custom', capabilities: { portMappings: true }, runtimeConfig: { extra: 1 } },
      ],
    },
    'test',
  );
}

const prev: JsonObject = { cniVersion: '1.0.0', ips: [{ address: '10.0.0.2/24' }] };
const mappings = [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' as const }];

const cases: { name: string; version?: string; index: number; command: CniCommand; prevResult?: JsonObject; ports?: boolean; want: JsonObject }[] = [
  { name: 'first ADD: list name and version replace the plugin\'s, no prevResult', index: 0, command: 'ADD', ports: true,
    want: { type: 'bridge', name: 'net1', cniVersion: '1.0.0', bridge: 'b0' } },
  { name: 'second ADD: prevResult and the declared capability only', index: 1, command: 'ADD', prevResult: prev, ports: true,
    want: { type: 'portmap', capabilities: { portMappings: true, bandwidth: false }, name: 'net1', cniVersion: '1.0.0', runtimeConfig: { portMappings: mappings }, prevResult: prev } },
  { name: 'no port mappings: no runtimeConfig', index: 1, command: 'ADD', prevResult: prev,
    want: { type: 'portmap', capabilities: { portMappings: true, bandwidth: false }, name: 'net1', cniVersion: '1.0.0', prevResult: prev } },
  { name: 'a written runtimeConfig is kept and extended', index: 2, command: 'ADD', ports: true,
    want: { type: 'custom', capabilities: { portMappings: true }, runtimeConfig: { extra: 1, portMappings: mappings }, name: 'net1', cniVersion: '1.0.0' } },
  { name: 'CHECK carries the cached result', index: 0, command: 'CHECK', prevResult: prev,
    want: { type: 'bridge', name: 'net1', cniVersion: '1.0.0', bridge: 'b0', prevResult: prev } },
  { name: 'DEL on 1.0.0 carries the cached result', index: 0, command: 'DEL', prevResult: prev,
    want: { type: 'bridge', name: 'net1', cniVersion: '1.0.0', bridge: 'b0', prevResult: prev } },
  { name: 'DEL without a cached result (failed ADD, lost cache)', index: 0, command: 'DEL',
    want: { type: 'bridge', name: 'net1', cniVersion: '1.0.0', bridge: 'b0' } },
  { name: 'DEL on 0.3.1 has no prevResult (as libcni)', version: '0.3.1', index: 0, command: 'DEL', prevResult: prev,
    want: { type: 'bridge', name: 'net1', cniVersion: '0.3.1', bridge: 'b0' } },
  { name: 'DEL passes the capabilities ADD had', index: 1, command: 'DEL', prevResult: prev, ports: true,
    want: { type: 'portmap', capabilities: { portMappings: true, bandwidth: false }, name: 'net1', cniVersion: '1.0.0', runtimeConfig: { portMappings: mappings }, prevResult: prev } },
];

for (const c of cases) {
  test(`pluginConfig: ${c.name}`, () => {
    const got = pluginConfig(list(c.version), c.index, {
      command: c.command,
      capabilities: c.ports ? { portMappings: mappings } : {},
      ...(c.prevResult === undefined ? {} : { prevResult: c.prevResult }),
    });
    assert.deepEqual(got, c.want);
  });
}

test('pluginConfig does not modify the list', () => {
  const l = list();
  pluginConfig(l, 1, { command: 'ADD', prevResult: prev, capabilities: { portMappings: mappings } });
  assert.equal(l.plugins[1]?.raw['runtimeConfig'], undefined);
  assert.equal(l.plugins[1]?.raw['prevResult'], undefined);
});

test('ADD and CHECK run in list order, DEL in reverse', () => {
  assert.deepEqual(pluginOrder(list(), 'ADD'), [0, 1, 2]);
  assert.deepEqual(pluginOrder(list(), 'CHECK'), [0, 1, 2]);
  assert.deepEqual(pluginOrder(list(), 'DEL'), [2, 1, 0]);
});

const base: EnvInput = { command: 'ADD', containerId: 'abc123', netnsPath: '/run/podd/netns/abc123', ifName: 'eth0', args: [], binDirs: ['/usr/lib/cni', '/opt/cni/bin'] };

test('cniEnv sets the six CNI_ variables', () => {
  const args = podCniArgs({ namespace: 'default', name: 'web', uid: '1f2e-3d', sandboxId: 'abc123' });
  assert.deepEqual(cniEnv({ ...base, args }), {
    CNI_COMMAND: 'ADD',
    CNI_CONTAINERID: 'abc123',
    CNI_NETNS: '/run/podd/netns/abc123',
    CNI_IFNAME: 'eth0',
    CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=abc123;K8S_POD_UID=1f2e-3d',
    CNI_PATH: '/usr/lib/cni:/opt/cni/bin',
  });
});

test('cniEnv allows an empty namespace path for DEL only', () => {
  assert.equal(cniEnv({ ...base, command: 'DEL', netnsPath: '' }).CNI_NETNS, '');
});

const badEnv: [string, Partial<EnvInput>, RegExp][] = [
  ['empty container id', { containerId: '' }, /container id "" must be letters/],
  ['container id with slash', { containerId: 'a/b' }, /container id "a\/b"/],
  ['container id starting with a dot', { containerId: '.x' }, /container id ".x"/],
  ['interface name too long', { ifName: 'eth0123456789012' }, /at most 15 characters/],
  ['interface name dot-dot', { ifName: '..' }, /must not be empty, "\." or "\.\."/],
  ['interface name with colon', { ifName: 'eth0:1' }, /must not contain/],
  ['ADD without a namespace', { netnsPath: '' }, /ADD needs a network namespace path/],
  ['CHECK without a namespace', { command: 'CHECK', netnsPath: '' }, /CHECK needs a network namespace path/],
  ['argument value with ;', { args: [['K8S_POD_NAME', 'a;b']] }, /value of K8S_POD_NAME must not contain/],
  ['argument value with =', { args: [['K8S_POD_NAME', 'a=b']] }, /must not contain/],
  ['argument key with -', { args: [['K8S-POD', 'x']] }, /key "K8S-POD"/],
];
for (const [name, patch, want] of badEnv) {
  test(`cniEnv refuses: ${name}`, () => {
    assert.throws(() => cniEnv({ ...base, ...patch }), (err: unknown) => isNetworkError(err, 'InvalidConfig') && want.test(err.message));
  });
}

test('ifNameProblem accepts ordinary names', () => {
  for (const n of ['eth0', 'podd0', 'poddtest0', 'a', 'x'.repeat(15)]) assert.equal(ifNameProblem(n), undefined, n);
  for (const n of ['', '.', 'a b', 'x'.repeat(16)]) assert.notEqual(ifNameProblem(n), undefined, n);
});
