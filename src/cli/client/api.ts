// The client verbs' HTTP client for podd's Kubernetes API: node:https with the kubeconfig's CA and bearer token,
// JSON bodies, Status errors as ApiError, `Warning` headers printed as kubectl prints them, and line-delimited
// watch streams. One keep-alive agent per command, so a verb's several requests share a TLS connection.

import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Connection } from './kubeconfig.js';
import { apiErrorFromResponse, ConnectionError } from './errors.js';

export type Query = Record<string, string | readonly string[] | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: string;
  contentType?: string;
  accept?: string;
}

export interface ApiResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WatchEvent<T = unknown> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export const JSON_ACCEPT = 'application/json';
/** What kubectl get asks for: a server-printed Table, falling back to the object. */
export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

/** `299 - "text"` warning values (RFC 7234) → their texts. */
export function warningTexts(header: string | string[] | undefined): string[] {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const out: string[] = [];
  for (const v of values) {
    for (const m of v.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)) out.push((m[1] ?? '').replace(/\\(.)/g, '$1'));
  }
  return out;
}

export class ApiClient {
  private readonly agent: HttpAgent;

  constructor(readonly conn: Connection, private readonly warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)) {
    this.agent = conn.server.protocol === 'http:' ? new HttpAgent({ keepAlive: true }) : new HttpsAgent({
      keepAlive: true,
      rejectUnauthorized: !conn.insecure,
      ...(conn.ca === undefined ? {} : { ca: conn.ca }),
      ...(conn.cert === undefined ? {} : { cert: conn.cert }),
      ...(conn.key === undefined ? {} : { key: conn.key }),
    });
  }

  url(path: string, query: Query = {}): URL {
    const url = new URL(this.conn.server.href.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      for (const one of typeof v === 'string' ? [v] : v) url.searchParams.append(k, one);
    }
    return url;
  }

  /** Headers every request carries: the credential and who is asking. */
  headers(extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
    const h: OutgoingHttpHeaders = { 'User-Agent': 'podd/0.1.0', ...extra };
    if (this.conn.token !== undefined) h['Authorization'] = `Bearer ${this.conn.token}`;
    return h;
  }

  /** Sends a request and resolves with the response head; the body is the caller's to read. */
  open(method: string, path: string, opts: RequestOptions = {}): Promise<IncomingMessage> {
    const url = this.url(path, opts.query);
    const headers = this.headers({ Accept: opts.accept ?? JSON_ACCEPT });
    if (opts.body !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(opts.body);
    }
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, headers, agent: this.agent }, (res) => {
        for (const w of warningTexts(res.headers['warning'])) this.warn(`Warning: ${w}`);
        resolve(res);
      });
      req.on('error', (err) => reject(this.connectionError(err)));
      req.end(opts.body);
    });
  }

  /** A whole response, whatever its status. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse> {
    const res = await this.open(method, path, opts);
    const body = await readAll(res);
    return { status: res.statusCode ?? 0, headers: res.headers, body };
  }

  /** The decoded JSON answer; an ApiError for anything but 2xx. */
  async call<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const r = await this.request(method, path, opts);
    if (r.status < 200 || r.status > 299) throw apiErrorFromResponse(r.status, r.body);
    return JSON.parse(r.body) as T;
  }

  get<T>(path: string, query: Query = {}, accept = JSON_ACCEPT): Promise<T> {
    return this.call<T>('GET', path, { query, accept });
  }

  /** A response whose status is 2xx, body unread (logs, watches). */
  async stream(path: string, query: Query, accept = JSON_ACCEPT): Promise<IncomingMessage> {
    const res = await this.open('GET', path, { query, accept });
    const code = res.statusCode ?? 0;
    if (code < 200 || code > 299) throw apiErrorFromResponse(code, await readAll(res));
    return res;
  }

  /**
   * Streams `?watch=true` events to `onEvent` until the server ends the stream or `onEvent` returns true.
   * Resolves true when stopped by onEvent, false when the server ended the stream.
   */
  async watch<T>(path: string, query: Query, onEvent: (e: WatchEvent<T>) => boolean | void, accept = JSON_ACCEPT): Promise<boolean> {
    const res = await this.stream(path, { ...query, watch: 'true' }, accept);
    return new Promise((resolve, reject) => {
      let buffered = '';
      let stopped = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (stopped) return;
        buffered += chunk;
        let nl: number;
        while (!stopped && (nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line === '') continue;
          try {
            if (onEvent(JSON.parse(line) as WatchEvent<T>) === true) stopped = true;
          } catch (err) {
            stopped = true;
            res.destroy();
            reject(err instanceof Error ? err : new Error(String(err)));
            return;
          }
        }
        if (stopped) {
          res.destroy();
          resolve(true);
        }
      });
      res.on('end', () => resolve(stopped));
      res.on('close', () => resolve(stopped));
      res.on('error', (err) => (stopped ? resolve(true) : reject(err)));
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private connectionError(err: Error): Error {
    const code = (err as NodeJS.ErrnoException).code;
    const host = this.conn.server.host;
    if (code === 'ECONNREFUSED') return new ConnectionError(`The connection to the server ${host} was refused - did you specify the right host or port?`);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ConnectionError(`Unable to connect to the server: dial tcp: lookup ${this.conn.server.hostname}: no such host`);
    return new ConnectionError(`Unable to connect to the server: ${err.message}`);
  }
}

export function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}
