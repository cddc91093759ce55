import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseImageRef, registryApiHost, repoDigestOf } from './ref.js';
import { PoddError } from '../errors.js';

const sha = 'sha256:' + 'a'.repeat(64);

const valid: Array<[string, { registry: string; repository: string; tag?: string; digest?: string; normalized: string }]> = [
  ['busybox', { registry: 'docker.io', repository: 'library/busybox', tag: 'latest', normalized: 'docker.io/library/busybox:latest' }],
  ['busybox:1.36', { registry: 'docker.io', repository: 'library/busybox', tag: '1.36', normalized: 'docker.io/library/busybox:1.36' }],
  ['docker.io/busybox', { registry: 'docker.io', repository: 'library/busybox', tag: 'latest', normalized: 'docker.io/library/busybox:latest' }],
  ['index.docker.io/library/busybox', { registry: 'docker.io', repository: 'library/busybox', tag: 'latest', normalized: 'docker.io/library/busybox:latest' }],
  ['user/app', { registry: 'docker.io', repository: 'user/app', tag: 'latest', normalized: 'docker.io/user/app:latest' }],
  ['registry:5000/x/y:tag', { registry: 'registry:5000', repository: 'x/y', tag: 'tag', normalized: 'registry:5000/x/y:tag' }],
  ['localhost/app', { registry: 'localhost', repository: 'app', tag: 'latest', normalized: 'localhost/app:latest' }],
  ['quay.io/a/b-c_d.e__f', { registry: 'quay.io', repository: 'a/b-c_d.e__f', tag: 'latest', normalized: 'quay.io/a/b-c_d.e__f:latest' }],
  ['[::1]:5000/app:v1', { registry: '[::1]:5000', repository: 'app', tag: 'v1', normalized: '[::1]:5000/app:v1' }],
  [`x@${sha}`, { registry: 'docker.io', repository: 'library/x', digest: sha, normalized: `docker.io/library/x@${sha}` }],
  [`ghcr.io/o/x:v2@${sha}`, { registry: 'ghcr.io', repository: 'o/x', tag: 'v2', digest: sha, normalized: `ghcr.io/o/x:v2@${sha}` }],
  ['app:5000', { registry: 'docker.io', repository: 'library/app', tag: '5000', normalized: 'docker.io/library/app:5000' }],
  ['127.0.0.1:5000/test/app:v1', { registry: '127.0.0.1:5000', repository: 'test/app', tag: 'v1', normalized: '127.0.0.1:5000/test/app:v1' }],
  [`localhost:5000/app@${sha}`, { registry: 'localhost:5000', repository: 'app', digest: sha, normalized: `localhost:5000/app@${sha}` }],
  ['docker.io/library/busybox:1.36', { registry: 'docker.io', repository: 'library/busybox', tag: '1.36', normalized: 'docker.io/library/busybox:1.36' }],
  ['docker.io/user/app', { registry: 'docker.io', repository: 'user/app', tag: 'latest', normalized: 'docker.io/user/app:latest' }],
  ['Registry.Example.com/a/b', { registry: 'Registry.Example.com', repository: 'a/b', tag: 'latest', normalized: 'Registry.Example.com/a/b:latest' }],
  ['a/b/c/d', { registry: 'docker.io', repository: 'a/b/c/d', tag: 'latest', normalized: 'docker.io/a/b/c/d:latest' }],
  [`busybox:latest@${sha}`, { registry: 'docker.io', repository: 'library/busybox', tag: 'latest', digest: sha, normalized: `docker.io/library/busybox:latest@${sha}` }],
  [`x@sha512:${'b'.repeat(128)}`, { registry: 'docker.io', repository: 'library/x', digest: `sha512:${'b'.repeat(128)}`, normalized: `docker.io/library/x@sha512:${'b'.repeat(128)}` }],
];

for (const [input, want] of valid) {
  test(`parseImageRef(${JSON.stringify(input)})`, () => {
    assert.deepEqual(parseImageRef(input), want);
  });
}

const invalid: Array<[string, RegExp]> = [
  ['UPPER', /^couldn't parse image reference "UPPER": invalid reference format: repository name must be lowercase$/],
  ['docker.io/Library/busybox', /repository name must be lowercase/],
  ['', /invalid reference format/],
  ['busybox:', /invalid reference format$/],
  ['busy box', /invalid reference format$/],
  ['-lead', /invalid reference format$/],
  ['a//b', /invalid reference format$/],
  ['busybox:-tag', /invalid reference format$/],
  [`busybox:${'t'.repeat(129)}`, /invalid reference format$/],
  ['a'.repeat(64), /cannot specify 64-byte hexadecimal strings/],
  [`x@sha256:${'a'.repeat(63)}`, /invalid checksum digest length/],
  [`x@sha256:${'A'.repeat(64)}`, /invalid checksum digest format/],
  [`x@md5:${'a'.repeat(32)}`, /unsupported digest algorithm "md5"/],
  [`r.io/${'a'.repeat(260)}`, /must not be more than 255 characters/],
  ['http://r.io/app', /invalid reference format/],
  ['r.io/app:v1:v2', /invalid reference format/],
  ['r.io:port/app', /invalid reference format/],
  ['app@', /invalid reference format/],
  ['r.io/app/', /invalid reference format/],
];

for (const [input, message] of invalid) {
  test(`parseImageRef rejects ${JSON.stringify(input.slice(0, 40))}`, () => {
    assert.throws(
      () => parseImageRef(input),
      (err: unknown) => err instanceof PoddError && err.code === 'Invalid' && message.test(err.message),
    );
  });
}

test('registryApiHost maps Docker Hub to registry-1.docker.io and keeps others', () => {
  assert.equal(registryApiHost('docker.io'), 'registry-1.docker.io');
  assert.equal(registryApiHost('127.0.0.1:5000'), '127.0.0.1:5000');
  assert.equal(registryApiHost('quay.io'), 'quay.io');
});

test('repoDigestOf is the kubelet imageID form', () => {
  assert.equal(repoDigestOf(parseImageRef('busybox:1.36'), sha), `docker.io/library/busybox@${sha}`);
  assert.equal(repoDigestOf(parseImageRef('127.0.0.1:5000/test/app:v1'), sha), `127.0.0.1:5000/test/app@${sha}`);
});
