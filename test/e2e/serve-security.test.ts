// Issue 3 item 6: podd serve listens on 127.0.0.1 over TLS, answers nothing without the kubeconfig's bearer token,
// and keeps its kubeconfig, keys and database readable by root only.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import https from 'node:https';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { nodeConfigFromEnv } from '../../src/bin/node-config.js';
import { ServeFixture } from './serve-harness.js';

const serve = new ServeFixture();
before(() => serve.start());
after(() => serve.dispose());

function mode(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

test('the kubeconfig, the PKI and the database are readable by root only', () => {
  assert.equal(mode(serve.kubeconfig), '600');
  assert.equal(mode(serve.db), '600');
  assert.equal(statSync(serve.kubeconfig).uid, 0);
  const pki = join(nodeConfigFromEnv().dataDir, 'pki');
  assert.equal(mode(pki), '700');
  for (const f of ['ca.key', 'server.key', 'token']) assert.equal(mode(join(pki, f)), '600', f);
  assert.equal(mode(dirname(serve.db)).endsWith('00'), true, 'the database directory is not open to others');
});

test('the API listens on 127.0.0.1 only, by default', () => {
  const listening = execFileSync('ss', ['-Hltn', `sport = :${serve.port}`], { encoding: 'utf8' }).trim().split('\n');
  assert.equal(listening.length, 1);
  assert.match(listening[0] ?? '', /\s127\.0\.0\.1:\d+\s/);
});

function get(headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const ca = readFileSync(join(nodeConfigFromEnv().dataDir, 'pki', 'ca.crt'));
  return new Promise((resolve, reject) => {
    // The CA is podd's own and the name is checked: the certificate is the one podd made for this address.
    https.get({ host: '127.0.0.1', port: Number(serve.port), path: '/api/v1/namespaces/default/pods', ca, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

test('without the right bearer token every request is 401 Unauthorized, over verified TLS', async () => {
  for (const headers of [{}, { Authorization: 'Bearer not-the-token' }, { Authorization: 'Basic cm9vdDpyb290' }]) {
    const r = await get(headers);
    assert.equal(r.status, 401, JSON.stringify(headers));
    assert.equal((JSON.parse(r.body) as { reason: string }).reason, 'Unauthorized');
  }
  assert.throws(() => serve.kubectl('--token', 'not-the-token', 'get', 'pods'), /Unauthorized|provide credentials/);
  const token = /token: (\S+)/.exec(readFileSync(serve.kubeconfig, 'utf8'))?.[1] ?? '';
  assert.equal((await get({ Authorization: `Bearer ${token}` })).status, 200);
});
