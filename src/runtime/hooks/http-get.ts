// Sends an httpGet handler's request from the agent to the pod (the kubelet's lifecycle HTTP client: TLS not verified,
// no redirects followed, the status code not judged; at most 10 KiB of the body read). Errors read as Go's.
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connErrorMessage, dialErrorMessage } from '../probe/net-errors.js';

export interface HttpGetTarget {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  path: string;
  headers: [string, string][];
  url: string;
}

const MAX_BODY_BYTES = 10 * 1024;

export class HttpGetError extends Error {
  /** An HTTPS request that an HTTP server answered (Go: "server gave HTTP response to HTTPS client"). */
  readonly httpResponseToHttps: boolean;

  constructor(message: string, httpResponseToHttps = false) {
    super(message);
    this.name = 'HttpGetError';
    this.httpResponseToHttps = httpResponseToHttps;
  }
}

/** Go's wording: a failed dial (`dial tcp 10.86.0.5:8080: connect: connection refused`), or a failed exchange. */
function goError(target: HttpGetTarget, err: NodeJS.ErrnoException, connected: boolean): string {
  if (err.code === 'ABORT_ERR') return 'context canceled';
  return connected ? connErrorMessage(err) : dialErrorMessage(target.host, target.port, err);
}

/** The TLS handshake met a plain HTTP answer. */
function isPlainHttpAnswer(err: NodeJS.ErrnoException): boolean {
  return err.code === 'EPROTO' || err.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long|http request/i.test(err.message);
}

/** Resolves once a response arrived (whatever its status) and up to 10 KiB of its body were read. */
export function httpGet(target: HttpGetTarget, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers = target.headers.flat();
    const opts = { host: target.host, port: target.port, path: target.path, method: 'GET', headers, agent: false as const, signal };
    let req: ClientRequest;
    const onResponse = (res: IncomingMessage): void => {
      let read = 0;
      const done = (): void => {
        res.destroy();
        resolve();
      };
      res.on('data', (d: Buffer) => {
        read += d.length;
        if (read >= MAX_BODY_BYTES) done();
      });
      res.on('end', done);
      res.on('error', done);
      res.on('close', done);
    };
    try {
      req = target.scheme === 'https'
        ? httpsRequest({ ...opts, rejectUnauthorized: false }, onResponse)
        : httpRequest(opts, onResponse);
    } catch (err) {
      reject(new HttpGetError(`Get ${JSON.stringify(target.url)}: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    let connected = false;
    req.on('socket', (socket) => socket.once('connect', () => (connected = true)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (target.scheme === 'https' && isPlainHttpAnswer(err)) {
        reject(new HttpGetError(`Get ${JSON.stringify(target.url)}: http: server gave HTTP response to HTTPS client`, true));
        return;
      }
      reject(new HttpGetError(`Get ${JSON.stringify(target.url)}: ${goError(target, err, connected)}`));
    });
    req.end();
  });
}
