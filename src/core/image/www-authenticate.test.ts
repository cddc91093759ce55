import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWwwAuthenticate, type AuthChallenge } from './www-authenticate.js';

const cases: Array<[string, string, AuthChallenge[]]> = [
  ['Docker Hub bearer', 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"', [
    { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } },
  ]],
  ['distribution htpasswd', 'Basic realm="podd-test"', [{ scheme: 'basic', params: { realm: 'podd-test' } }]],
  ['scheme case and spaces around =', 'BASIC  Realm = "x" , charset="UTF-8"', [{ scheme: 'basic', params: { realm: 'x', charset: 'UTF-8' } }]],
  ['unquoted token values', 'Bearer realm=https://a.example/token,service=reg', [{ scheme: 'bearer', params: { realm: 'https://a.example/token', service: 'reg' } }]],
  ['quoted comma and escaped quote', 'Bearer realm="https://a/t",scope="repository:a:pull,push",error="say \\"hi\\""', [
    { scheme: 'bearer', params: { realm: 'https://a/t', scope: 'repository:a:pull,push', error: 'say "hi"' } },
  ]],
  ['two challenges in one header', 'Basic realm="r1", Bearer realm="https://t",service="s"', [
    { scheme: 'basic', params: { realm: 'r1' } },
    { scheme: 'bearer', params: { realm: 'https://t', service: 's' } },
  ]],
  ['insufficient_scope error', 'Bearer realm="https://t",service="s",scope="repository:x:pull",error="insufficient_scope"', [
    { scheme: 'bearer', params: { realm: 'https://t', service: 's', scope: 'repository:x:pull', error: 'insufficient_scope' } },
  ]],
  ['token68', 'Negotiate abc123==', [{ scheme: 'negotiate', params: { token68: 'abc123==' } }]],
  ['scheme without params', 'Bearer', [{ scheme: 'bearer', params: {} }]],
  ['empty header', '', []],
  ['unterminated quote keeps what came before', 'Bearer realm="https://t",service="s', [{ scheme: 'bearer', params: { realm: 'https://t' } }]],
];

for (const [name, header, want] of cases) {
  test(`parseWwwAuthenticate: ${name}`, () => {
    assert.deepEqual(parseWwwAuthenticate(header), want);
  });
}
