import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultDockerConfigFiles, isInsecureRegistry, isLoopbackRegistry, registrySettingsFromEnv, splitRegistryList } from './settings.js';

test('loopback registries are insecure by default, as Docker has it', () => {
  for (const r of ['127.0.0.1:5000', '127.1.2.3', 'localhost:5000', 'localhost', '[::1]:5000']) assert.equal(isLoopbackRegistry(r), true, r);
  for (const r of ['docker.io', '10.0.0.1:5000', 'localhost.example.com', '128.0.0.1:5000', '[::2]:5000']) assert.equal(isLoopbackRegistry(r), false, r);
});

test('listed registries match by host:port or by host', () => {
  const listed = ['reg.lan:5000', 'other.lan'];
  assert.equal(isInsecureRegistry('reg.lan:5000', listed), true);
  assert.equal(isInsecureRegistry('reg.lan:5001', listed), false);
  assert.equal(isInsecureRegistry('other.lan:1234', listed), true);
  assert.equal(isInsecureRegistry('docker.io', listed), false);
});

test('PODD_INSECURE_REGISTRIES is comma-separated; schemes and trailing slashes are dropped', () => {
  assert.deepEqual(splitRegistryList(' a:5000, http://b/ ,,https://c:1 '), ['a:5000', 'b', 'c:1']);
  assert.deepEqual(registrySettingsFromEnv({ PODD_INSECURE_REGISTRIES: 'x:1', HOME: '/home/u' }, '/var/lib/podd'), {
    insecureRegistries: ['x:1'],
    dockerConfigFiles: defaultDockerConfigFiles('/var/lib/podd', '/home/u'),
  });
});

test('the node docker config search order is the kubelet\'s (without its working directory)', () => {
  assert.deepEqual(defaultDockerConfigFiles('/var/lib/podd', '/root'), [
    '/var/lib/podd/config.json', '/root/.docker/config.json', '/.docker/config.json',
    '/var/lib/podd/.dockercfg', '/root/.dockercfg', '/.dockercfg',
  ]);
  // HOME=/ makes ~/.docker and /.docker the same: listed once
  assert.deepEqual(defaultDockerConfigFiles('/d', '/'), ['/d/config.json', '/.docker/config.json', '/d/.dockercfg', '/.dockercfg']);
});
