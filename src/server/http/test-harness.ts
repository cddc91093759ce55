// Test support: an in-process API server on 127.0.0.1 with a random port, TLS from ensurePki, a kubeconfig, a
// store in a temp dir, and helpers to run the real kubectl (HOME and KUBECACHEDIR in the temp dir) or raw requests.

import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { SqliteObjectStore } from '../../store/object-store.js';
import type { SqliteObjectStoreOptions } from '../../store/object-store.js';
import { renderKubeconfig, writeKubeconfig } from '../auth/kubeconfig.js';
import { ensurePki } from '../tls/pki.js';
import { createApiServer } from './api-server.js';
import type { ApiServerOptions } from './api-server.js';

export const KUBECTL = '/usr/bin/kubectl';
export const TOKEN = 'test-token-0123456789';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Harness {
  dir: string;
  port: number;
  store: SqliteObjectStore;
  env: NodeJS.ProcessEnv;
  kubectl(args: string[], stdin?: string): Promise<RunResult>;
  spawnKubectl(args: string[]): ChildProcessWithoutNullStreams;
  /** Writes a manifest file into the temp dir and returns its path. */
  file(name: string, text: string): Promise<string>;
  raw(method: string, path: string, opts?: { headers?: Record<string, string>; body?: string; token?: string | null }): Promise<RawResponse>;
}

export async function startApi(t: TestContext, storeOptions: SqliteObjectStoreOptions = {},
  serverOptions: Pick<ApiServerOptions, 'eventTtlMs' | 'serviceCidr' | 'apiEndpoint' | 'random'> = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'podd-api-'));
  const store = SqliteObjectStore.open(join(dir, 'store.db'), { synchronous: 'NORMAL', ...storeOptions });
  const pki = await ensurePki(join(dir, 'pki'), { hosts: ['127.0.0.1', 'localhost'], now: new Date() });
  const server = createApiServer({
    store, token: TOKEN, tls: { cert: pki.serverCertPem, key: pki.serverKeyPem }, now: Date.now, nodeName: 'node-1',
    version: { major: '1', minor: '32', gitVersion: 'v1.32.0' }, ...serverOptions,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, renderKubeconfig({ server: `https://127.0.0.1:${port}`, caPem: pki.caCertPem, token: TOKEN }));
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'cache') };
  const children = new Set<ChildProcessWithoutNullStreams>();
  t.after(async () => {
    for (const c of children) c.kill('SIGKILL');
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    store.close();
    await rm(dir, { recursive: true, force: true });
  });
  const spawnKubectl = (args: string[]): ChildProcessWithoutNullStreams => {
    const child = spawn(KUBECTL, args, { env });
    children.add(child);
    child.on('exit', () => children.delete(child));
    return child;
  };
  return {
    dir, port, store, env, spawnKubectl,
    kubectl: (args, stdin) => new Promise((resolve, reject) => {
      const child = spawnKubectl(args);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(stdin ?? '');
    }),
    file: async (name, text) => {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    },
    raw: (method, path, opts = {}) => new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      const token = opts.token === undefined ? TOKEN : opts.token;
      if (token !== null) headers['Authorization'] = `Bearer ${token}`;
      if (opts.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(opts.body));
      const req = request({ host: '127.0.0.1', port, method, path, headers, ca: pki.caCertPem }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => { body += d.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end(opts.body);
    }),
  };
}
