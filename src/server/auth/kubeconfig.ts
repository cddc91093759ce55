// The kubeconfig podd hands to kubectl: one cluster trusting podd's CA, one user with the
// bearer token, one current context joining them.

import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { PoddError } from '../../core/errors.js';
import { ensurePrivateDir, writePrivateFileAtomic } from '../tls/atomic-file.js';

export interface KubeconfigOptions {
  /** API URL, e.g. `https://127.0.0.1:6443`. */
  server: string;
  /** PEM of the CA that issued the server certificate (embedded as certificate-authority-data). */
  caPem: string;
  token: string;
  /** Names; default `podd`, `podd-admin`, `podd`. */
  cluster?: string;
  user?: string;
  context?: string;
}

export function renderKubeconfig(opts: KubeconfigOptions): string {
  let url: URL;
  try {
    url = new URL(opts.server);
  } catch (err) {
    throw new PoddError('Invalid', `kubeconfig server ${JSON.stringify(opts.server)} is not a URL`, { cause: err });
  }
  if (url.protocol !== 'https:') throw new PoddError('Invalid', `kubeconfig server ${opts.server} must be https`);
  if (!opts.caPem.includes('-----BEGIN CERTIFICATE-----')) throw new PoddError('Invalid', 'kubeconfig caPem is not a PEM certificate');
  if (opts.token === '' || /\s/.test(opts.token)) throw new PoddError('Invalid', 'kubeconfig token must be non-empty without whitespace');
  const cluster = opts.cluster ?? 'podd';
  const user = opts.user ?? 'podd-admin';
  const context = opts.context ?? 'podd';
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: opts.server, 'certificate-authority-data': Buffer.from(opts.caPem, 'utf8').toString('base64') } }],
    users: [{ name: user, user: { token: opts.token } }],
    contexts: [{ name: context, context: { cluster, user } }],
    'current-context': context,
    preferences: {},
  };
  return stringify(doc, { lineWidth: 0 });
}

/** Writes a kubeconfig atomically with mode 0600, creating its directory (0700) if needed. */
export async function writeKubeconfig(path: string, text: string): Promise<void> {
  await ensurePrivateDir(dirname(path));
  await writePrivateFileAtomic(path, text);
}
