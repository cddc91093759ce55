import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PoddError } from '../errors.js';
import { credentialsFor, dockerConfigFromSecret, parseDockerConfig, type DockerConfig } from './docker-config.js';
import { parseImageRef } from './ref.js';

const b64 = (s: string): string => btoa(s);
const cred = (username: string, password = 'pw'): { username: string; password: string } => ({ username, password });

test('parseDockerConfig reads config.json auths: "auth" wins over username/password', () => {
  const config = parseDockerConfig(JSON.stringify({
    auths: {
      'https://index.docker.io/v1/': { auth: b64('hub:secret:with:colons') },
      'quay.io': { username: 'q', password: 'p', auth: b64('fromauth:x') },
      'plain.io': { username: 'u', password: 'p' },
      'helper.io': {},
    },
    credsStore: 'desktop',
  }), 'config.json');
  assert.deepEqual(config, [
    ['https://index.docker.io/v1/', cred('hub', 'secret:with:colons')],
    ['quay.io', cred('fromauth', 'x')],
    ['plain.io', cred('u', 'p')],
  ]);
});

test('parseDockerConfig reads the legacy .dockercfg map', () => {
  assert.deepEqual(parseDockerConfig(JSON.stringify({ 'r.io': { auth: b64('a:b') } }), '.dockercfg'), [['r.io', cred('a', 'b')]]);
});

test('parseDockerConfig rejects what the kubelet rejects', () => {
  const invalid = (pattern: RegExp) => (err: unknown): boolean => err instanceof PoddError && err.code === 'Invalid' && pattern.test(err.message);
  assert.throws(() => parseDockerConfig('{', 'f'), invalid(/^f: not valid JSON$/));
  assert.throws(() => parseDockerConfig('{"auths": {"r": {"auth": "bm9jb2xvbg=="}}}', 'f'), invalid(/must be base64 of "username:password"/));
  assert.throws(() => parseDockerConfig('{"auths": {"r": {"auth": "!!!"}}}', 'f'), invalid(/invalid base64/));
  assert.throws(() => parseDockerConfig('{"auths": []}', 'f'), invalid(/"auths" must be an object/));
});

test('dockerConfigFromSecret: dockerconfigjson and dockercfg Secrets, base64 data or stringData; other types are none', () => {
  const json = JSON.stringify({ auths: { 'r.io': { username: 'u', password: 'p' } } });
  assert.deepEqual(dockerConfigFromSecret({ metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(json) } }), [['r.io', cred('u', 'p')]]);
  assert.deepEqual(dockerConfigFromSecret({ metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': json } }), [['r.io', cred('u', 'p')]]);
  assert.deepEqual(dockerConfigFromSecret({ metadata: { name: 's' }, type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64('{"r.io": {"auth": "' + b64('a:b') + '"}}') } }), [['r.io', cred('a', 'b')]]);
  assert.equal(dockerConfigFromSecret({ metadata: { name: 's' }, type: 'Opaque', data: { '.dockerconfigjson': b64(json) } }), undefined);
  assert.throws(() => dockerConfigFromSecret({ metadata: { name: 'bad' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('nope') } }), /secret "bad": not valid JSON/);
});

const node: DockerConfig = [
  ['https://index.docker.io/v1/', cred('hub')],
  ['quay.io', cred('quay')],
  ['quay.io/coreos', cred('coreos')],
  ['*.example.com', cred('wild')],
  ['registry.example.com:5000', cred('port')],
  ['http://127.0.0.1:5000', cred('local')],
  ['https://gcr.io/v2/', cred('gcr')],
];

const lookups: Array<[string, string[]]> = [
  ['busybox', ['hub']],
  ['docker.io/user/app', ['hub']],
  ['quay.io/coreos/etcd', ['coreos', 'quay']],
  ['quay.io/other/x', ['quay']],
  ['a.example.com/x', ['wild']],
  // a glob matches one label, not several
  ['a.b.example.com/x', []],
  ['registry.example.com:5000/x', ['port']],
  // the port must match exactly: without it, only the wildcard
  ['registry.example.com/x', ['wild']],
  ['127.0.0.1:5000/test/app', ['local']],
  ['127.0.0.1:5001/test/app', []],
  ['gcr.io/project/img', ['gcr']],
  ['ghcr.io/o/x', []],
];
for (const [image, want] of lookups) {
  test(`credentialsFor(${image}) from the node config`, () => {
    assert.deepEqual(credentialsFor(parseImageRef(image), [], node).map((c) => c.username), want);
  });
}

test('pull secrets come before the node config; duplicates are tried once', () => {
  const secretA: DockerConfig = [['127.0.0.1:5000', cred('secret-a')]];
  const secretB: DockerConfig = [['127.0.0.1:5000/test', cred('secret-b')], ['http://127.0.0.1:5000', cred('local')]];
  const got = credentialsFor(parseImageRef('127.0.0.1:5000/test/app:v1'), [secretA, secretB], node).map((c) => c.username);
  // one keyring of all secrets, most specific key first, then the node's
  assert.deepEqual(got, ['secret-b', 'secret-a', 'local']);
});

test('no match anywhere: anonymous', () => {
  assert.deepEqual(credentialsFor(parseImageRef('ghcr.io/o/x'), [[['quay.io', cred('q')]]]), []);
});
