import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderKubeconfig, writeKubeconfig } from './kubeconfig.js';
import { checkBearer, ensureToken } from './token.js';
import { ensurePki } from '../tls/pki.js';
import { isPoddError } from '../../core/errors.js';

const KUBECTL = '/usr/bin/kubectl';
const VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0' };
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'podd-kubeconfig-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function kubectl(args: string[], home: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, NO_PROXY: '*', no_proxy: '*' };
    execFile(KUBECTL, args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('renderKubeconfig', () => {
  it('renders cluster, user and current context', () => {
    const text = renderKubeconfig({ server: 'https://127.0.0.1:6443', caPem: CA, token: 'tok', cluster: 'podd', user: 'podd-admin', context: 'podd' });
    const doc: unknown = parse(text);
    assert.deepEqual(doc, {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'podd', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from(CA).toString('base64') } }],
      users: [{ name: 'podd-admin', user: { token: 'tok' } }],
      contexts: [{ name: 'podd', context: { cluster: 'podd', user: 'podd-admin' } }],
      'current-context': 'podd',
      preferences: {},
    });
  });

  it('rejects a non-https server, a non-PEM CA and an empty token', () => {
    assert.throws(() => renderKubeconfig({ server: 'http://127.0.0.1:6443', caPem: CA, token: 't' }), (e) => isPoddError(e, 'Invalid'));
    assert.throws(() => renderKubeconfig({ server: 'nope', caPem: CA, token: 't' }), (e) => isPoddError(e, 'Invalid'));
    assert.throws(() => renderKubeconfig({ server: 'https://x', caPem: 'x', token: 't' }), (e) => isPoddError(e, 'Invalid'));
    assert.throws(() => renderKubeconfig({ server: 'https://x', caPem: CA, token: '' }), (e) => isPoddError(e, 'Invalid'));
  });

  it('writeKubeconfig creates the directory and writes 0600', () =>
    withDir(async (dir) => {
      const path = join(dir, 'a', 'b', 'config');
      await writeKubeconfig(path, 'x: 1\n');
      assert.equal(await readFile(path, 'utf8'), 'x: 1\n');
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      await writeKubeconfig(path, 'x: 2\n');
      assert.equal(await readFile(path, 'utf8'), 'x: 2\n');
    }));
});

describe('kubectl against a TLS + bearer-token server', { skip: existsSync(KUBECTL) ? false : `${KUBECTL} not installed` }, () => {
  it('get --raw /version succeeds with the token and fails with 401 otherwise', () =>
    withDir(async (dir) => {
      const pki = await ensurePki(join(dir, 'pki'), { hosts: ['127.0.0.1', 'localhost'], now: new Date() });
      const token = await ensureToken(join(dir, 'token'));
      const seen: number[] = [];
      const server = createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, (req, res) => {
        if (!checkBearer(req.headers.authorization, token)) {
          seen.push(401);
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }));
          return;
        }
        seen.push(200);
        if (req.url === '/version') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(VERSION));
        } else {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end('{}');
        }
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      try {
        const good = join(dir, 'good.kubeconfig');
        await writeKubeconfig(good, renderKubeconfig({ server: `https://127.0.0.1:${port}`, caPem: pki.caCertPem, token }));
        const ok = await kubectl(['--kubeconfig', good, '--cache-dir', join(dir, 'cache'), 'get', '--raw', '/version'], dir);
        assert.equal(ok.code, 0, ok.stderr);
        assert.deepEqual(JSON.parse(ok.stdout), VERSION);

        const bad = join(dir, 'bad.kubeconfig');
        await writeKubeconfig(bad, renderKubeconfig({ server: `https://127.0.0.1:${port}`, caPem: pki.caCertPem, token: `${token}x` }));
        const denied = await kubectl(['--kubeconfig', bad, '--cache-dir', join(dir, 'cache'), 'get', '--raw', '/version'], dir);
        assert.notEqual(denied.code, 0);
        assert.match(denied.stderr, /Unauthorized|logged in/i);
        assert.ok(seen.includes(401));
      } finally {
        server.closeAllConnections();
        server.close();
        await once(server, 'close');
      }
    }));
});
