// The OCI distribution API for one repository, over undici: manifests and blobs by reference,
// with the registry's WWW-Authenticate challenge answered (bearer token or basic), redirects to
// blob storage followed (undici drops Authorization when the origin changes), and every failure
// turned into a PoddError that names the request and the registry's own error text.
import { STATUS_CODES } from 'node:http';
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { PoddError, type ErrorCode } from '../../../core/errors.js';
import type { RegistryCredential } from '../../../core/image/docker-config.js';
import { MANIFEST_ACCEPT } from '../../../core/image/manifest.js';
import { registryApiHost } from '../../../core/image/ref.js';
import { parseWwwAuthenticate, type AuthChallenge } from '../../../core/image/www-authenticate.js';

/** Manifests and configs are small; containerd refuses manifests over 4 MiB too. */
export const MAX_DOCUMENT_BYTES = 4 << 20;
const MAX_ERROR_BODY_BYTES = 64 << 10;

export type Body = Dispatcher.ResponseData['body'];

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Body;
  url: string;
}

/** An HTTP status the registry answered with; `code` classifies it, `status` is the number. */
export class RegistryStatusError extends PoddError {
  constructor(readonly status: number, code: ErrorCode, message: string) {
    super(code, message);
  }
}

function codeForStatus(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'FailedPrecondition';
  if (status === 404) return 'NotFound';
  if (status === 408 || status === 429 || status >= 500) return 'Unavailable';
  return 'Internal';
}

export function header(res: Pick<Response, 'headers'>, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Drops a body we will not read (an AbortError from destroying it has nobody to tell). */
export function discard(body: Body): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** Reads a body up to `max` bytes; more is an error (a registry never sends huge documents). */
export async function readBody(body: Body, max: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      discard(body);
      throw new PoddError('Invalid', `${what} is larger than ${max} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** "UNAUTHORIZED: authentication required" from the distribution API's error body, if any. */
async function registryErrors(body: Body): Promise<string> {
  try {
    const doc = JSON.parse((await readBody(body, MAX_ERROR_BODY_BYTES, 'error body')).toString('utf8')) as unknown;
    const errors = typeof doc === 'object' && doc !== null && 'errors' in doc && Array.isArray(doc.errors) ? (doc.errors as unknown[]) : [];
    return errors
      .map((e) => (typeof e === 'object' && e !== null ? e : {}) as { code?: unknown; message?: unknown })
      .map((e) => [e.code, e.message].filter((s) => typeof s === 'string' && s !== '').join(': '))
      .filter((s) => s !== '')
      .join('; ');
  } catch {
    return '';
  }
}

export async function statusError(res: Response, method: string): Promise<RegistryStatusError> {
  const detail = await registryErrors(res.body);
  const message = `unexpected status from ${method} request to ${res.url}: ${res.status} ${STATUS_CODES[res.status] ?? ''}`.trimEnd() +
    (detail === '' ? '' : ` (${detail})`);
  return new RegistryStatusError(res.status, codeForStatus(res.status), message);
}

function transportError(err: unknown, url: string): PoddError {
  if (err instanceof PoddError) return err;
  if (err instanceof Error && err.name === 'AbortError') return new PoddError('Unavailable', `request to ${url} was cancelled`, { cause: err });
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  const message = err instanceof Error ? err.message : String(err);
  return new PoddError('Unavailable', `cannot reach ${new URL(url).host}: ${message}${cause}`, { cause: err });
}

function agent(verify: boolean): Dispatcher {
  return new Agent({
    connect: { timeout: 15_000, rejectUnauthorized: verify },
    headersTimeout: 60_000,
    // Between two chunks of a body, not for the whole download.
    bodyTimeout: 60_000,
  }).compose(interceptors.redirect({ maxRedirections: 5 }));
}

export interface ClientOptions {
  registry: string;
  repository: string;
  credential?: RegistryCredential;
  /** Loopback or listed: HTTPS without verification first, then plain HTTP (as Docker does). */
  insecure: boolean;
  signal?: AbortSignal;
}

export class RegistryClient {
  private readonly dispatcher: Dispatcher;
  private origin: Promise<string> | undefined;
  private authorization: string | undefined;

  constructor(private readonly opts: ClientOptions) {
    this.dispatcher = agent(!opts.insecure);
  }

  async close(): Promise<void> {
    await this.dispatcher.close().catch(() => undefined);
  }

  /** GET /v2/<repo>/manifests/<reference>: the raw bytes and the Content-Type. */
  async getManifest(reference: string): Promise<{ bytes: Buffer; contentType: string | undefined; url: string }> {
    const res = await this.get(`manifests/${reference}`, { accept: MANIFEST_ACCEPT.join(', ') });
    return { bytes: await readBody(res.body, MAX_DOCUMENT_BYTES, `manifest ${reference}`), contentType: header(res, 'content-type'), url: res.url };
  }

  /** GET /v2/<repo>/blobs/<digest>: the response, body unread (the caller streams and verifies it). */
  getBlob(digest: string): Promise<Response> {
    return this.get(`blobs/${digest}`, {});
  }

  /** A GET that answers one authentication challenge and throws for any status but 200. */
  private async get(path: string, headers: Record<string, string>): Promise<Response> {
    const url = `${await this.baseUrl()}/v2/${this.opts.repository}/${path}`;
    let res = await this.send(url, headers, this.authorization);
    if (res.status === 401) {
      let authorization: string | undefined;
      try {
        authorization = await this.authorize(parseWwwAuthenticate(header(res, 'www-authenticate') ?? ''));
      } catch (err) {
        discard(res.body);
        throw err;
      }
      // Nothing new to answer with (no credentials, or these were just refused): the 401 stands.
      if (authorization === undefined || authorization === this.authorization) throw await statusError(res, 'GET');
      await res.body.dump().catch(() => undefined);
      this.authorization = authorization;
      res = await this.send(url, headers, authorization);
    }
    if (res.status !== 200) throw await statusError(res, 'GET');
    return res;
  }

  private async send(url: string, headers: Record<string, string>, authorization: string | undefined): Promise<Response> {
    try {
      const res = await request(url, {
        method: 'GET',
        dispatcher: this.dispatcher,
        headers: { ...headers, 'user-agent': 'podd', ...(authorization === undefined ? {} : { authorization }) },
        ...(this.opts.signal === undefined ? {} : { signal: this.opts.signal }),
      });
      return { status: res.statusCode, headers: res.headers, body: res.body, url };
    } catch (err) {
      throw transportError(err, url);
    }
  }

  /** https://host, or for an insecure registry whichever of https and http answers /v2/. */
  private baseUrl(): Promise<string> {
    this.origin ??= (async () => {
      const host = registryApiHost(this.opts.registry);
      if (!this.opts.insecure) return `https://${host}`;
      try {
        const probe = await this.send(`https://${host}/v2/`, {}, undefined);
        await probe.body.dump().catch(() => undefined);
        return `https://${host}`;
      } catch {
        return `http://${host}`;
      }
    })();
    return this.origin;
  }

  /** The Authorization header for a 401's challenges, or undefined when we have nothing to answer with. */
  private async authorize(challenges: AuthChallenge[]): Promise<string | undefined> {
    const cred = this.opts.credential;
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer !== undefined) return `Bearer ${await this.fetchToken(bearer, cred)}`;
    if (challenges.some((c) => c.scheme === 'basic') && cred !== undefined) {
      return `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
    }
    return undefined;
  }

  /** The token server's answer for pull access to our repository (the distribution token spec). */
  private async fetchToken(challenge: AuthChallenge, cred: RegistryCredential | undefined): Promise<string> {
    const realm = challenge.params['realm'];
    let url: URL;
    try {
      url = new URL(realm ?? '');
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
    } catch {
      throw new PoddError('Invalid', `registry ${this.opts.registry} sent a bearer challenge with an unusable realm ${JSON.stringify(realm ?? '')}`);
    }
    const service = challenge.params['service'];
    if (service !== undefined) url.searchParams.set('service', service);
    url.searchParams.set('scope', challenge.params['scope'] ?? `repository:${this.opts.repository}:pull`);
    const basic = cred === undefined ? undefined : `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
    const res = await this.send(url.toString(), { accept: 'application/json' }, basic);
    if (res.status !== 200) {
      const err = await statusError(res, 'GET');
      throw new RegistryStatusError(err.status, err.code, `failed to fetch ${cred === undefined ? 'anonymous' : 'oauth'} token: ${err.message}`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse((await readBody(res.body, MAX_DOCUMENT_BYTES, 'token response')).toString('utf8'));
    } catch (err) {
      throw new PoddError('Invalid', `token server ${url.origin} answered with something other than JSON`, { cause: err });
    }
    const token = typeof doc === 'object' && doc !== null ? ((doc as { token?: unknown }).token ?? (doc as { access_token?: unknown }).access_token) : undefined;
    if (typeof token !== 'string' || token === '') throw new PoddError('Invalid', `token server ${url.origin} answered without a token`);
    return token;
  }
}
