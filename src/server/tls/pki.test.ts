import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { createServer } from 'node:https';
import { connect } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PKI_FILES, ensurePki } from './pki.js';
import { isPoddError } from '../../core/errors.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const HOSTS = ['127.0.0.1', 'localhost', '::1'];

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const base = await mkdtemp(join(tmpdir(), 'podd-pki-'));
  try {
    return await fn(join(base, 'pki'));
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe('ensurePki', () => {
  it('creates a CA that verifies a server cert with the requested SANs, files 0600 in a 0700 dir', () =>
    withDir(async (dir) => {
      const pki = await ensurePki(dir, { hosts: HOSTS, now: NOW });
      const ca = new X509Certificate(pki.caCertPem);
      const server = new X509Certificate(pki.serverCertPem);
      assert.equal(ca.ca, true);
      assert.equal(server.ca, false);
      assert.ok(server.checkIssued(ca));
      assert.ok(server.verify(ca.publicKey));
      assert.ok(ca.verify(ca.publicKey));
      assert.ok(server.checkPrivateKey(createPrivateKey(pki.serverKeyPem)));
      const san = server.subjectAltName ?? '';
      assert.match(san, /DNS:localhost/);
      assert.match(san, /IP Address:127\.0\.0\.1/);
      assert.match(san, /IP Address:0:0:0:0:0:0:0:1/i);
      assert.ok(server.keyUsage?.includes('1.3.6.1.5.5.7.3.1'), 'serverAuth EKU');
      const years = (d: string): number => (Date.parse(d) - NOW.getTime()) / (365 * 24 * 3600 * 1000);
      assert.ok(years(ca.validTo) > 9.9 && years(ca.validTo) < 10.1);
      assert.ok(years(server.validTo) > 0.99 && years(server.validTo) < 1.01);
      assert.ok(Date.parse(server.validFrom) <= NOW.getTime());
      assert.equal(await mode(dir), 0o700);
      for (const f of Object.values(PKI_FILES)) assert.equal(await mode(join(dir, f)), 0o600, f);
    }));

  it('reuses everything on a second run with covered hosts', () =>
    withDir(async (dir) => {
      const a = await ensurePki(dir, { hosts: HOSTS, now: NOW });
      const later = new Date(NOW.getTime() + 100 * 24 * 3600 * 1000);
      const b = await ensurePki(dir, { hosts: ['LOCALHOST', '127.0.0.1', '[::1]'], now: later });
      assert.deepEqual(b, a);
    }));

  it('re-issues the server cert with the same CA for a new host', () =>
    withDir(async (dir) => {
      const a = await ensurePki(dir, { hosts: HOSTS, now: NOW });
      const b = await ensurePki(dir, { hosts: [...HOSTS, '10.1.2.3', 'podd.example'], now: NOW });
      assert.equal(b.caCertPem, a.caCertPem);
      assert.notEqual(b.serverCertPem, a.serverCertPem);
      assert.notEqual(b.serverKeyPem, a.serverKeyPem);
      const server = new X509Certificate(b.serverCertPem);
      assert.ok(server.verify(new X509Certificate(a.caCertPem).publicKey));
      assert.match(server.subjectAltName ?? '', /IP Address:10\.1\.2\.3/);
      assert.match(server.subjectAltName ?? '', /DNS:podd\.example/);
      for (const f of Object.values(PKI_FILES)) assert.equal(await mode(join(dir, f)), 0o600, f);
    }));

  it('re-issues the server cert near expiry and when the key no longer matches, keeping the CA', () =>
    withDir(async (dir) => {
      const a = await ensurePki(dir, { hosts: HOSTS, now: NOW });
      const nearExpiry = new Date(NOW.getTime() + 350 * 24 * 3600 * 1000);
      const b = await ensurePki(dir, { hosts: HOSTS, now: nearExpiry });
      assert.equal(b.caCertPem, a.caCertPem);
      assert.notEqual(b.serverCertPem, a.serverCertPem);
      await writeFile(join(dir, PKI_FILES.serverKey), a.serverKeyPem); // stale key
      const c = await ensurePki(dir, { hosts: HOSTS, now: nearExpiry });
      assert.equal(c.caCertPem, a.caCertPem);
      assert.ok(new X509Certificate(c.serverCertPem).checkPrivateKey(createPrivateKey(c.serverKeyPem)));
    }));

  it('replaces an expired or corrupt CA', () =>
    withDir(async (dir) => {
      const a = await ensurePki(dir, { hosts: HOSTS, now: NOW });
      await writeFile(join(dir, PKI_FILES.caCert), 'garbage');
      const b = await ensurePki(dir, { hosts: HOSTS, now: NOW });
      assert.notEqual(b.caCertPem, a.caCertPem);
      assert.ok(new X509Certificate(b.serverCertPem).verify(new X509Certificate(b.caCertPem).publicKey));
    }));

  it('rejects bad hosts with Invalid', () =>
    withDir(async (dir) => {
      await assert.rejects(ensurePki(dir, { hosts: [], now: NOW }), (e) => isPoddError(e, 'Invalid'));
      await assert.rejects(ensurePki(dir, { hosts: ['bad host!'], now: NOW }), (e) => isPoddError(e, 'Invalid'));
    }));

  it('serves https that a client trusting only the CA accepts', () =>
    withDir(async (dir) => {
      const pki = await ensurePki(dir, { hosts: HOSTS, now: new Date() });
      const server = createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, (_req, res) => res.end('ok'));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      try {
        const handshake = (servername: string | undefined, ca: string): Promise<boolean> =>
          new Promise((resolve) => {
            const opts = servername === undefined ? { host: '127.0.0.1', port, ca } : { host: '127.0.0.1', port, ca, servername };
            const sock = connect(opts, () => {
              resolve(sock.authorized);
              sock.end();
            });
            sock.on('error', () => resolve(false));
          });
        assert.equal(await handshake(undefined, pki.caCertPem), true, 'IP SAN 127.0.0.1');
        assert.equal(await handshake('localhost', pki.caCertPem), true, 'DNS SAN localhost');
        assert.equal(await handshake('other.example', pki.caCertPem), false, 'name not in SANs');
        const otherDir = join(dir, 'other');
        const other = await ensurePki(otherDir, { hosts: HOSTS, now: new Date() });
        assert.equal(await handshake(undefined, other.caCertPem), false, 'foreign CA');
      } finally {
        server.closeAllConnections();
        server.close();
        await once(server, 'close');
      }
    }));
});
