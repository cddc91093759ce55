// podd's own PKI: a CA (ECDSA P-256, 10 years) and a server certificate it signs (1 year, SANs
// for every address the API is reached on, serverAuth). Generated once into `dir`; the server
// certificate alone is re-issued (same CA, so existing kubeconfigs stay valid) when it no longer
// covers the requested hosts, is expiring, or does not match its key.
//
// Certificates are built with @peculiar/x509 over node:crypto's WebCrypto (no hand-written
// ASN.1, no native code) and checked with node:crypto's X509Certificate.

import { BlockList, isIP } from 'node:net';
import { X509Certificate as NodeX509, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { PoddError } from '../../core/errors.js';
import { ensurePrivateDir, writePrivateFileAtomic } from './atomic-file.js';

/** Passed explicitly to every @peculiar/x509 call instead of setting its global provider. */
const CRYPTO = webcrypto as unknown as Crypto;

export interface PkiOptions {
  /** IPs and DNS names the server certificate must cover (127.0.0.1, localhost, --bind addresses). */
  hosts: string[];
  now: Date;
}

export interface Pki {
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

export const PKI_FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  serverCert: 'server.crt',
  serverKey: 'server.key',
} as const;

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_VALIDITY_MS = 3650 * DAY_MS;
const SERVER_VALIDITY_MS = 365 * DAY_MS;
/** Backdating tolerates small clock differences between podd and its clients. */
const BACKDATE_MS = 60 * 60 * 1000;
/** Re-issue the server certificate this long before it expires. */
const SERVER_RENEW_BEFORE_MS = 30 * DAY_MS;
/** The CA is replaced (and with it every kubeconfig) only when it is about to expire. */
const CA_RENEW_BEFORE_MS = 1 * DAY_MS;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

interface Host {
  kind: 'ip' | 'dns';
  value: string;
}

function parseHosts(hosts: readonly string[]): Host[] {
  const out: Host[] = [];
  const seen = new Set<string>();
  for (const raw of hosts) {
    let h = raw.trim();
    if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
    if (h === '') throw new PoddError('Invalid', `empty host in certificate hosts ${JSON.stringify(hosts)}`);
    const host: Host = isIP(h) !== 0 ? { kind: 'ip', value: h } : { kind: 'dns', value: h.toLowerCase() };
    if (host.kind === 'dns' && !/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/.test(host.value)) {
      throw new PoddError('Invalid', `certificate host ${JSON.stringify(raw)} is neither an IP address nor a DNS name`);
    }
    const key = `${host.kind}:${host.value}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(host);
    }
  }
  if (out.length === 0) throw new PoddError('Invalid', 'certificate hosts must not be empty');
  return out;
}

function isErrnoCode(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT')) return undefined;
    throw new PoddError('Internal', `reading ${path}: ${String(err)}`, { cause: err });
  }
}

function tryParseCert(pem: string | undefined): NodeX509 | undefined {
  if (pem === undefined) return undefined;
  try {
    return new NodeX509(pem);
  } catch {
    return undefined;
  }
}

/** A positive 127-bit serial (RFC 5280 wants positive, at most 20 octets). */
function serialNumber(): string {
  const b = randomBytes(16);
  b[0] = ((b[0] ?? 0) & 0x7f) | 0x40; // positive, and no leading zero octet
  return b.toString('hex');
}

function pemOfPkcs8(der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN PRIVATE KEY-----\n${b64}-----END PRIVATE KEY-----\n`;
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function importSigningKey(pem: string): Promise<CryptoKey> {
  const der = createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
  return (await webcrypto.subtle.importKey('pkcs8', der, ALG, false, ['sign'])) as CryptoKey;
}

function validAt(cert: NodeX509, now: Date, renewBeforeMs: number): boolean {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  return Number.isFinite(from) && Number.isFinite(to) && from <= now.getTime() && to - renewBeforeMs > now.getTime();
}

interface Sans {
  dns: Set<string>;
  ips: BlockList;
}

function sansOf(cert: NodeX509): Sans {
  const ips = new BlockList();
  const dns = new Set<string>();
  const ext = new x509.X509Certificate(cert.raw).getExtension(x509.SubjectAlternativeNameExtension);
  for (const name of ext?.names.items ?? []) {
    if (name.type === 'dns') dns.add(name.value.toLowerCase());
    else if (name.type === 'ip') {
      const fam = isIP(name.value);
      if (fam !== 0) ips.addAddress(name.value, fam === 6 ? 'ipv6' : 'ipv4');
    }
  }
  return { dns, ips };
}

function covers(sans: Sans, hosts: readonly Host[]): boolean {
  return hosts.every((h) =>
    h.kind === 'dns' ? sans.dns.has(h.value) : sans.ips.check(h.value, isIP(h.value) === 6 ? 'ipv6' : 'ipv4'));
}

function serverCertUsable(cert: NodeX509 | undefined, keyPem: string | undefined, ca: NodeX509, hosts: readonly Host[], now: Date): boolean {
  if (cert === undefined || keyPem === undefined) return false;
  try {
    return cert.checkIssued(ca)
      && cert.verify(ca.publicKey)
      && cert.checkPrivateKey(createPrivateKey(keyPem))
      && validAt(cert, now, SERVER_RENEW_BEFORE_MS)
      && covers(sansOf(cert), hosts);
  } catch {
    return false;
  }
}

async function issueCa(now: Date): Promise<{ certPem: string; keyPem: string }> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: 'CN=podd-ca,O=podd',
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + CA_VALIDITY_MS),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, CRYPTO),
    ],
  }, CRYPTO);
  const keyPem = pemOfPkcs8(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { certPem: cert.toString('pem') + '\n', keyPem };
}

async function issueServer(caCertPem: string, caKeyPem: string, hosts: readonly Host[], now: Date): Promise<{ certPem: string; keyPem: string }> {
  const ca = new x509.X509Certificate(caCertPem);
  const caKey = await importSigningKey(caKeyPem);
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: 'CN=podd-apiserver,O=podd',
    issuer: ca.subject,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + SERVER_VALIDITY_MS),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(hosts.map((h) => ({ type: h.kind, value: h.value }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, CRYPTO),
      await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey, false, CRYPTO),
    ],
  }, CRYPTO);
  const keyPem = pemOfPkcs8(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { certPem: cert.toString('pem') + '\n', keyPem };
}

/**
 * Makes sure `dir` (mode 0700) holds a usable CA and server certificate for `hosts` at `now`,
 * creating or re-issuing what is missing, and returns the PEMs the https server and the
 * kubeconfig need. All files are written atomically with mode 0600; keys are written before
 * the certificates that name them. Not safe against two podd processes racing on one `dir`.
 */
export async function ensurePki(dir: string, opts: PkiOptions): Promise<Pki> {
  const hosts = parseHosts(opts.hosts);
  const { now } = opts;
  const path = (name: string): string => join(dir, name);
  try {
    await ensurePrivateDir(dir, true);

    let caCertPem = await readIfPresent(path(PKI_FILES.caCert));
    let caKeyPem = await readIfPresent(path(PKI_FILES.caKey));
    let ca = tryParseCert(caCertPem);
    let caOk = false;
    if (ca !== undefined && caKeyPem !== undefined) {
      try {
        caOk = ca.ca && ca.checkPrivateKey(createPrivateKey(caKeyPem)) && validAt(ca, now, CA_RENEW_BEFORE_MS);
      } catch {
        caOk = false;
      }
    }
    if (!caOk || ca === undefined || caCertPem === undefined || caKeyPem === undefined) {
      const issued = await issueCa(now);
      caCertPem = issued.certPem;
      caKeyPem = issued.keyPem;
      ca = new NodeX509(caCertPem);
      await writePrivateFileAtomic(path(PKI_FILES.caKey), caKeyPem);
      await writePrivateFileAtomic(path(PKI_FILES.caCert), caCertPem);
    }

    let serverCertPem = await readIfPresent(path(PKI_FILES.serverCert));
    let serverKeyPem = await readIfPresent(path(PKI_FILES.serverKey));
    if (!caOk || serverCertPem === undefined || serverKeyPem === undefined
      || !serverCertUsable(tryParseCert(serverCertPem), serverKeyPem, ca, hosts, now)) {
      const issued = await issueServer(caCertPem, caKeyPem, hosts, now);
      serverCertPem = issued.certPem;
      serverKeyPem = issued.keyPem;
      await writePrivateFileAtomic(path(PKI_FILES.serverKey), serverKeyPem);
      await writePrivateFileAtomic(path(PKI_FILES.serverCert), serverCertPem);
    }
    return { caCertPem, serverCertPem, serverKeyPem };
  } catch (err) {
    if (err instanceof PoddError) throw err;
    throw new PoddError('Internal', `preparing TLS certificates in ${dir}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
