import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container } from '../../api/types.js';
import { containerMounts, podEtcMounts, volumeMountSubPath } from './container-mounts.js';
import type { PreparedVolume } from './types.js';

const volumes = new Map<string, PreparedVolume>([
  ['data', { name: 'data', hostPath: '/pods/u/volumes/kubernetes.io~empty-dir/data', readOnlyByDefault: false, kind: 'emptyDir' }],
  ['sec', { name: 'sec', hostPath: '/pods/u/volumes/kubernetes.io~secret/sec', readOnlyByDefault: true, kind: 'secret' }],
  ['host', { name: 'host', hostPath: '/srv/host', readOnlyByDefault: false, kind: 'hostPath' }],
]);
const opts = { podDir: '/pods/u' };

test('volumeMounts become rbind mounts, read-only from the mount or the volume kind', () => {
  const c: Container = { name: 'app', volumeMounts: [
    { name: 'data', mountPath: '/data' },
    { name: 'host', mountPath: '/host', readOnly: true },
    { name: 'sec', mountPath: '/etc/secret', readOnly: false },
  ] };
  assert.deepEqual(containerMounts(c, volumes, opts), [
    { destination: '/data', type: 'bind', source: '/pods/u/volumes/kubernetes.io~empty-dir/data', options: ['rbind', 'rprivate', 'rw'] },
    { destination: '/host', type: 'bind', source: '/srv/host', options: ['rbind', 'rprivate', 'ro'] },
    { destination: '/etc/secret', type: 'bind', source: '/pods/u/volumes/kubernetes.io~secret/sec', options: ['rbind', 'rprivate', 'ro'] },
  ]);
});

test('a subPath mount binds the prepared host-side subPath mount', () => {
  const c: Container = { name: 'web', volumeMounts: [{ name: 'data', mountPath: '/x' }, { name: 'data', mountPath: '/conf/app.conf', subPath: 'conf/app.conf' }] };
  assert.equal(containerMounts(c, volumes, opts)[1]?.source, '/pods/u/volume-subpaths/data/web/1');
});

test('shallower mounts come first (parents before children), ties in spec order; paths are cleaned', () => {
  const c: Container = { name: 'app', volumeMounts: [
    { name: 'data', mountPath: '/a/b/c' },
    { name: 'host', mountPath: 'a' },
    { name: 'sec', mountPath: '/z//y/' },
  ] };
  assert.deepEqual(containerMounts(c, volumes, opts).map((m) => m.destination), ['/a', '/z/y', '/a/b/c']);
});

test('mountPropagation maps to rslave and rshared', () => {
  const c: Container = { name: 'app', volumeMounts: [
    { name: 'host', mountPath: '/h2c', mountPropagation: 'HostToContainer' },
    { name: 'host', mountPropagation: 'Bidirectional', mountPath: '/bi' },
  ] };
  assert.deepEqual(containerMounts(c, volumes, opts).map((m) => m.options?.[1]), ['rslave', 'rshared']);
});

test('an unknown volume is the kubelet error', () => {
  const c: Container = { name: 'app', volumeMounts: [{ name: 'nope', mountPath: '/n' }] };
  assert.throws(() => containerMounts(c, volumes, opts), { code: 'FailedPrecondition', message: 'cannot find volume "nope" to mount into container "app"' });
});

test('subPathExpr expands from the environment and reports unset variables', () => {
  const env = [['POD', 'web-0'], ['EMPTY', '']] as const;
  assert.equal(volumeMountSubPath({ name: 'd', mountPath: '/d', subPathExpr: 'logs/$(POD)' }, env), 'logs/web-0');
  assert.throws(() => volumeMountSubPath({ name: 'd', mountPath: '/d', subPathExpr: '$(NOPE)/$(EMPTY)' }, env), { message: 'missing value for EMPTY, NOPE' });
  assert.throws(() => volumeMountSubPath({ name: 'd', mountPath: '/d', subPathExpr: '$(POD)/../..' }, env), { message: "unable to provision SubPath `web-0/../..`: must not contain '..'" });
  assert.equal(volumeMountSubPath({ name: 'd', mountPath: '/d' }), '');
});

test('podEtcMounts binds hostname, hosts and resolv.conf; a container mount of the same path wins', () => {
  const files = { hosts: '/p/etc-hosts', hostname: '/p/etc-hostname', resolvConf: '/p/etc-resolv.conf' };
  assert.deepEqual(podEtcMounts(files), [
    { destination: '/etc/hostname', type: 'bind', source: '/p/etc-hostname', options: ['rbind', 'rprivate', 'rw'] },
    { destination: '/etc/hosts', type: 'bind', source: '/p/etc-hosts', options: ['rbind', 'rprivate', 'rw'] },
    { destination: '/etc/resolv.conf', type: 'bind', source: '/p/etc-resolv.conf', options: ['rbind', 'rprivate', 'rw'] },
  ]);
  const ro = podEtcMounts(files, { readOnlyRootFilesystem: true, userMounts: [{ destination: '/etc/resolv.conf', source: '/x' }] });
  assert.deepEqual(ro.map((m) => [m.destination, m.options?.[2]]), [['/etc/hostname', 'ro'], ['/etc/hosts', 'rw']]);
});

test('podEtcMounts binds the service account directory read-only, unless the container mounts that path itself', () => {
  const files = { hosts: '/p/h', hostname: '/p/n', resolvConf: '/p/r', serviceAccount: '/p/serviceaccount' };
  const sa = (m: ReturnType<typeof podEtcMounts>): unknown => m.find((x) => x.destination === '/var/run/secrets/kubernetes.io/serviceaccount');
  assert.deepEqual(sa(podEtcMounts(files)), {
    destination: '/var/run/secrets/kubernetes.io/serviceaccount', type: 'bind', source: '/p/serviceaccount', options: ['rbind', 'rprivate', 'ro'],
  });
  assert.equal(sa(podEtcMounts(files, { userMounts: [{ destination: '/var/run/secrets/kubernetes.io/serviceaccount/', source: '/x' }] })), undefined);
  assert.equal(sa(podEtcMounts({ hosts: '/p/h', hostname: '/p/n', resolvConf: '/p/r' })), undefined);
});
