// httpGet probes (pkg/probe/http): GET over the dialer, HTTPS without verifying certificates (InsecureSkipVerify),
// redirects followed only to the same host, at most 10 KiB of the body read, one deadline for the whole exchange
// (Go's Client.Timeout). 200–399 is success (3xx a warning), anything else fails with
// `HTTP probe failed with statuscode: N`; a request that fails quotes Go's `Get "<url>": <error>`.
import { request, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { httpVerdict, redirectStep } from '../../core/probe/redirect.js';
import type { ProbeAction, ProbeOutcome } from '../../core/probe/types.js';
import type { Dialer } from './dialer.js';
import { DialError, connErrorMessage, dialErrorMessage } from './net-errors.js';

/** maxRespBodyLength: the prober stops reading a body after 10 KiB. */
export const MAX_BODY_BYTES = 10 * 1024;

type HttpAction = Extract<ProbeAction, { kind: 'http' }>;

interface Response {
  status: number;
  location: string | undefined;
  body: string;
}

/** A failed exchange: Go's error text, and whether the response headers had arrived (a body error). */
class ExchangeError extends Error {
  constructor(message: string, readonly inBody: boolean) {
    super(message);
  }
}

const AWAITING_HEADERS = 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)';
const READING_BODY = 'context deadline exceeded (Client.Timeout or context cancellation while reading body)';

function getOnce(dialer: Dialer, target: URL, headers: readonly [string, string][], deadline: number): Promise<Response> {
  return new Promise((resolve, reject) => {
    const https = target.protocol === 'https:';
    const port = Number(target.port || (https ? 443 : 80));
    const hostname = target.hostname.replace(/^\[(.*)\]$/, '$1');
    let settled = false;
    let dialing = true;
    let inBody = false;
    const done = (err: ExchangeError | undefined, res?: Response): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        req.destroy();
        reject(err);
      } else if (res) {
        resolve(res);
      }
    };
    const timer = setTimeout(() => {
      // A deadline during the dial is the dial's i/o timeout, as Go's dialer reports it under Client.Timeout.
      const why = inBody ? READING_BODY : dialing ? `${dialErrorMessage(hostname, port, undefined, true)} (Client.Timeout exceeded while awaiting headers)` : AWAITING_HEADERS;
      done(new ExchangeError(why, inBody));
    }, Math.max(0, deadline - Date.now()));

    const raw: string[] = [];
    if (!headers.some(([k]) => k.toLowerCase() === 'host')) raw.push('Host', target.port ? target.host : `${target.host}:${port}`);
    for (const [k, v] of headers) raw.push(k, v);
    // The connection comes from the dialer (a socket, or the netns relay's stream), TLS on top for https; Node
    // takes any duplex stream from createConnection, and its callback form lets the dial be asynchronous.
    const createConnection = (_opts: unknown, cb: (err: Error | null, socket?: Duplex) => void): undefined => {
      dialer.dial(hostname, port, Math.max(1, deadline - Date.now())).then((sock) => {
        dialing = false;
        if (settled) {
          sock.destroy();
          return;
        }
        if (!https) {
          cb(null, sock);
          return;
        }
        cb(null, tlsConnect({ socket: sock, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'], ...(isIP(hostname) === 0 ? { servername: hostname } : {}) }));
      }, (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))));
      return undefined;
    };
    const options: RequestOptions = {
      method: 'GET',
      host: hostname,
      port,
      path: `${target.pathname}${target.search}`,
      headers: raw,
      setHost: false,
      createConnection: createConnection as unknown as RequestOptions['createConnection'],
    };
    const req: ClientRequest = request(options);
    req.once('error', (err) => {
      const message = err instanceof DialError
        ? (/i\/o timeout$/.test(err.message) ? `${err.message} (Client.Timeout exceeded while awaiting headers)` : err.message)
        : connErrorMessage(err);
      done(new ExchangeError(message, inBody));
    });
    req.once('response', (res: IncomingMessage) => {
      inBody = true;
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = (): void => {
        done(undefined, {
          status: res.statusCode ?? 0,
          location: typeof res.headers.location === 'string' ? res.headers.location : undefined,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        // Whatever is left of the body is not read (ReadAtMost): the connection goes.
        res.destroy();
        (res.socket as Socket | null)?.destroy();
      };
      res.on('data', (d: Buffer) => {
        const room = MAX_BODY_BYTES - size;
        chunks.push(d.length > room ? d.subarray(0, room) : d);
        size += Math.min(d.length, room);
        if (size >= MAX_BODY_BYTES) finish();
      });
      res.once('end', finish);
      res.once('error', (err) => done(new ExchangeError(connErrorMessage(err), true)));
      res.once('aborted', () => done(new ExchangeError('unexpected EOF', true)));
    });
    req.end();
  });
}

export async function httpProbe(dialer: Dialer, action: HttpAction, timeoutMs: number): Promise<ProbeOutcome> {
  const deadline = Date.now() + timeoutMs;
  let url = action.url;
  for (let requests = 1; ; requests++) {
    let res: Response;
    try {
      res = await getOnce(dialer, new URL(url), action.headers, deadline);
    } catch (err) {
      const message = `Get ${JSON.stringify(url)}: ${err instanceof Error ? err.message : String(err)}`;
      // A body that could not be read is the kubelet's errored probe (DoHTTPProbe returns the error itself).
      if (err instanceof ExchangeError && err.inBody) return { result: 'failure', output: '', error: message };
      return { result: 'failure', output: message };
    }
    const step = redirectStep(action.url, url, res.status, res.location, requests);
    if (step.action === 'follow') {
      url = step.url;
      continue;
    }
    if (step.action === 'error') return { result: 'failure', output: step.error };
    return httpVerdict(res.status, res.body);
  }
}
