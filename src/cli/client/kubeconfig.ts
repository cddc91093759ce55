// Reads the kubeconfig the client verbs connect with: --kubeconfig, else the first file of $KUBECONFIG, else the one
// `podd serve` writes. Only what podd's API needs is understood: the current (or --context) context's server,
// its CA (inline or a file), skip-verify, a bearer token (inline or a file) or a client certificate, and a namespace.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_KUBECONFIG } from '../serve-command.js';
import { ClientError } from './errors.js';

export interface Connection {
  server: URL;
  ca?: string;
  insecure: boolean;
  token?: string;
  cert?: string;
  key?: string;
  /** The context's namespace, or `default`. */
  namespace: string;
}

export function kubeconfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined && flag !== '') return flag;
  const paths = (env['KUBECONFIG'] ?? '').split(':').filter((p) => p !== '');
  return paths.find((p) => existsSync(p)) ?? paths[0] ?? DEFAULT_KUBECONFIG;
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function find(list: unknown, name: string | undefined, field: string): Record<string, unknown> | undefined {
  if (!Array.isArray(list) || name === undefined) return undefined;
  const entry: unknown = list.find((e) => record(e)['name'] === name);
  return entry === undefined ? undefined : record(record(entry)[field]);
}

export function parseKubeconfig(text: string, file: string, context?: string): Connection {
  let doc: Record<string, unknown>;
  try {
    doc = record(parse(text) as unknown);
  } catch (err) {
    throw new ClientError(`error loading config file "${file}": ${err instanceof Error ? err.message : String(err)}`);
  }
  const ctxName = context ?? str(doc['current-context']);
  const ctx = find(doc['contexts'], ctxName, 'context');
  if (ctx === undefined) {
    throw new ClientError(ctxName === undefined ? `no current context in ${file}` : `context "${ctxName}" does not exist in ${file}`);
  }
  const cluster = find(doc['clusters'], str(ctx['cluster']), 'cluster') ?? {};
  const user = find(doc['users'], str(ctx['user']), 'user') ?? {};
  const serverText = str(cluster['server']);
  if (serverText === undefined) throw new ClientError(`cluster of context "${ctxName ?? ''}" in ${file} has no server`);
  let server: URL;
  try {
    server = new URL(/^[a-z]+:\/\//i.test(serverText) ? serverText : `https://${serverText}`);
  } catch {
    throw new ClientError(`invalid server ${JSON.stringify(serverText)} in ${file}`);
  }
  const base = dirname(file);
  const fileText = (p: string | undefined): string | undefined => (p === undefined ? undefined : readFileSync(isAbsolute(p) ? p : resolve(base, p), 'utf8'));
  const data = (v: unknown): string | undefined => (str(v) === undefined ? undefined : Buffer.from(String(v), 'base64').toString('utf8'));
  const conn: Connection = {
    server,
    insecure: cluster['insecure-skip-tls-verify'] === true,
    namespace: str(ctx['namespace']) ?? 'default',
  };
  const ca = data(cluster['certificate-authority-data']) ?? fileText(str(cluster['certificate-authority']));
  const token = str(user['token']) ?? fileText(str(user['tokenFile']))?.trim();
  const cert = data(user['client-certificate-data']) ?? fileText(str(user['client-certificate']));
  const key = data(user['client-key-data']) ?? fileText(str(user['client-key']));
  if (ca !== undefined) conn.ca = ca;
  if (token !== undefined && token !== '') conn.token = token;
  if (cert !== undefined) conn.cert = cert;
  if (key !== undefined) conn.key = key;
  return conn;
}

export function loadKubeconfig(path: string, context?: string): Connection {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err);
    throw new ClientError(`cannot read kubeconfig ${path} (${why}): start \`podd serve\`, or pass --kubeconfig FILE or set KUBECONFIG`);
  }
  return parseKubeconfig(text, path, context);
}
