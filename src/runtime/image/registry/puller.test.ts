// The puller against a fake registry (node:http on loopback): auth flows, every kind of bad answer,
// integrity, resume and de-duplication. test/e2e/registry.test.ts does the real registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { promisify } from 'node:util';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PoddError } from '../../../core/errors.js';
import { LocalImageStore } from '../local-store.js';
import { buildTar } from '../test-tar.js';
import { blobOf, buildImage, type Blob, type BuiltManifest } from './test-registry.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => boolean;

interface Logged {
  method: string;
  url: string;
  authorization: string | undefined;
}

/** Serves manifests and blobs; `auth` adds a challenge; `override` answers a request first. */
class FakeRegistry {
  readonly log: Logged[] = [];
  readonly manifests = new Map<string, { bytes: Buffer; type: string }>();
  readonly blobs = new Map<string, Buffer>();
  auth: 'none' | 'bearer' | 'basic' = 'none';
  /** For bearer: what the token server wants as Basic credentials (undefined: anonymous tokens). */
  tokenCreds: string | undefined;
  override: Handler | undefined;
  private server: Server | undefined;
  port = 0;

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(tls?: { key: Buffer; cert: Buffer }): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => this.handle(req, res);
    this.server = tls === undefined ? createServer(handler) : createHttpsServer(tls, handler);
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  push(repo: string, tag: string, image: BuiltManifest): void {
    this.manifests.set(`${repo}:${tag}`, { bytes: image.manifest.bytes, type: 'application/vnd.oci.image.manifest.v1+json' });
    this.manifests.set(`${repo}:${image.manifest.digest}`, { bytes: image.manifest.bytes, type: 'application/vnd.oci.image.manifest.v1+json' });
    for (const b of [image.config, ...image.layers]) this.blobs.set(b.digest, b.bytes);
  }

  blobGets(digest: string): number {
    return this.log.filter((l) => l.url.endsWith(`/blobs/${digest}`)).length;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '';
    this.log.push({ method: req.method ?? '', url, authorization: req.headers.authorization });
    if (this.override?.(req, res)) return;
    if (url.startsWith('/token')) return this.token(req, res);
    if (!this.authorized(req)) {
      const challenge = this.auth === 'bearer'
        ? `Bearer realm="http://${this.host}/token",service="fake"`
        : 'Basic realm="fake"';
      return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { 'www-authenticate': challenge });
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url);
    if (url === '/v2/') return json(res, 200, {});
    if (m?.[2] === 'manifests') {
      const found = this.manifests.get(`${m[1]}:${m[3]}`);
      if (found === undefined) return json(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
      res.writeHead(200, { 'content-type': found.type, 'content-length': found.bytes.length });
      return void res.end(found.bytes);
    }
    const blob = m?.[2] === 'blobs' ? this.blobs.get(m[3] ?? '') : undefined;
    if (blob === undefined) return json(res, 404, { errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.length });
    res.end(blob);
  }

  private authorized(req: IncomingMessage): boolean {
    const got = req.headers.authorization;
    if (this.auth === 'none') return true;
    if (this.auth === 'basic') return got === `Basic ${Buffer.from('user:right').toString('base64')}`;
    return got === 'Bearer good-token';
  }

  private token(req: IncomingMessage, res: ServerResponse): void {
    if (this.tokenCreds !== undefined && req.headers.authorization !== `Basic ${Buffer.from(this.tokenCreds).toString('base64')}`) {
      return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] });
    }
    json(res, 200, { token: 'good-token', expires_in: 300 });
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length, ...headers });
  res.end(bytes);
}

const lower = buildTar([{ path: 'bin/', type: 'Directory' }, { path: 'bin/sh', body: 'not a shell', mode: 0o755 }]);
const upper = buildTar([{ path: 'app/', type: 'Directory' }, { path: 'app/hello.txt', body: 'hello\n' }]);
const image = buildImage({ layers: [lower, upper] });
const [layer0, layer1] = image.layers as [Blob, Blob];

interface Fixture {
  registry: FakeRegistry;
  store: LocalImageStore;
  root: string;
  ref: string;
}

async function withFake(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const registry = new FakeRegistry();
  await registry.start();
  const root = await mkdtemp(join(tmpdir(), 'podd-puller-'));
  const store = new LocalImageStore(root, { architecture: 'amd64', registry: { dockerConfigFiles: [] } });
  registry.push('test/app', 'v1', image);
  try {
    await fn({ registry, store, root, ref: `${registry.host}/test/app:v1` });
  } finally {
    await registry.stop();
    await rm(root, { recursive: true, force: true });
  }
}

const failsWith = (code: string, pattern: RegExp) => (err: unknown): boolean => {
  assert.ok(err instanceof PoddError, String(err));
  assert.equal(err.code, code, err.message);
  assert.match(err.message, pattern);
  return true;
};

/** Nothing of a failed pull is visible: no image, no partial downloads, no scratch layer dirs. */
async function assertNothingStored(f: Fixture): Promise<void> {
  assert.deepEqual(await f.store.list(), []);
  const downloads = await readdir(join(f.root, 'images', 'downloads')).catch(() => []);
  assert.deepEqual(downloads.filter((n) => n.includes('.tmp-')), []);
  const layers = await readdir(join(f.root, 'images', 'layers')).catch(() => []);
  assert.deepEqual(layers.filter((n) => n.includes('.tmp-')), []);
}

test('pulls a two-layer image over plain HTTP from a loopback registry', async () => {
  await withFake(async (f) => {
    const result = await f.store.pull(f.ref);
    assert.equal(result.image.name, `${f.registry.host}/test/app:v1`);
    assert.equal(result.image.id, image.config.digest);
    assert.deepEqual(result.image.layers, image.diffIDs);
    assert.equal(result.digest, image.manifest.digest);
    assert.deepEqual(result.image.repoDigests, [`${f.registry.host}/test/app@${image.manifest.digest}`]);
    assert.equal(await readFile(join(f.store.layerDirs(result.image)[1] ?? '', 'app/hello.txt'), 'utf8'), 'hello\n');
    // the compressed downloads are gone once unpacked
    assert.deepEqual(await readdir(join(f.root, 'images', 'downloads')), []);
    // found again by tag, by repo digest and by id
    assert.equal((await f.store.resolve(`${f.registry.host}/test/app@${image.manifest.digest}`))?.id, image.config.digest);
  });
});

test('a second pull downloads no layer again', async () => {
  await withFake(async (f) => {
    await f.store.pull(f.ref);
    const again = await f.store.pull(f.ref);
    assert.equal(f.registry.blobGets(layer0.digest), 1);
    assert.equal(f.registry.blobGets(layer1.digest), 1);
    assert.equal(again.downloadedBytes, image.config.bytes.length);
  });
});

test('concurrent pulls of one image share one download', async () => {
  await withFake(async (f) => {
    const [a, b] = await Promise.all([f.store.pull(f.ref), f.store.pull(f.ref)]);
    assert.equal(a.image.id, b.image.id);
    assert.equal(f.registry.blobGets(layer0.digest), 1);
    assert.equal(f.registry.log.filter((l) => l.url.includes('/manifests/')).length, 1);
  });
});

test('concurrent pulls of two images sharing a layer fetch that layer once', async () => {
  await withFake(async (f) => {
    const other = buildImage({ layers: [lower, buildTar([{ path: 'other.txt', body: 'other' }])] });
    f.registry.push('test/other', 'v1', other);
    await Promise.all([f.store.pull(f.ref), f.store.pull(`${f.registry.host}/test/other:v1`)]);
    assert.equal(f.registry.blobGets(layer0.digest), 1);
    assert.equal((await f.store.list()).length, 2);
  });
});

test('anonymous bearer tokens: the challenge is answered and the token used', async () => {
  await withFake(async (f) => {
    f.registry.auth = 'bearer';
    await f.store.pull(f.ref);
    const token = f.registry.log.find((l) => l.url.startsWith('/token'));
    assert.equal(token?.url, '/token?service=fake&scope=repository%3Atest%2Fapp%3Apull');
    assert.equal(token?.authorization, undefined);
    assert.ok(f.registry.log.filter((l) => l.url.includes('/blobs/')).every((l) => l.authorization === 'Bearer good-token'));
  });
});

test('bearer tokens with credentials from a pull secret; wrong ones fail with the token server\'s 401', async () => {
  await withFake(async (f) => {
    f.registry.auth = 'bearer';
    f.registry.tokenCreds = 'user:right';
    const secret = (password: string) => [[[f.registry.host, { username: 'user', password }] as const]];
    await assert.rejects(f.store.pull(f.ref, { pullSecrets: secret('wrong') }),
      failsWith('FailedPrecondition', /failed to fetch oauth token: unexpected status from GET request to http:\/\/127\.0\.0\.1:\d+\/token\?.*: 401 Unauthorized \(UNAUTHORIZED: bad credentials\)/));
    await assertNothingStored(f);
    const ok = await f.store.pull(f.ref, { pullSecrets: secret('right') });
    assert.equal(ok.image.id, image.config.digest);
  });
});

test('basic auth: without credentials a clear 401; with them the pull works; bad ones are tried in turn', async () => {
  await withFake(async (f) => {
    f.registry.auth = 'basic';
    await assert.rejects(f.store.pull(f.ref), failsWith('FailedPrecondition',
      /^failed to resolve reference "127\.0\.0\.1:\d+\/test\/app:v1": pull access denied, repository does not exist or may require authorization: unexpected status from GET request to http:\/\/127\.0\.0\.1:\d+\/v2\/test\/app\/manifests\/v1: 401 Unauthorized \(UNAUTHORIZED: authentication required\)$/));
    const creds = (...passwords: string[]) => [passwords.map((p, i) => [`${f.registry.host}${'/test'.repeat(i)}`, { username: 'user', password: p }] as const)];
    // the most specific key ("host/test") first: wrong, then right
    const ok = await f.store.pull(f.ref, { pullSecrets: creds('right', 'wrong') });
    assert.equal(ok.image.id, image.config.digest);
  });
});

const statusCases: Array<[string, number, Record<string, unknown>, string, RegExp]> = [
  ['404 manifest', 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }, 'NotFound', /failed to resolve reference ".*\/test\/app:v1": .*\/test\/app:v1: not found \(MANIFEST_UNKNOWN: manifest unknown\)$/],
  ['403', 403, { errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }, 'FailedPrecondition', /403 Forbidden \(DENIED: requested access to the resource is denied\)/],
  ['429', 429, { errors: [{ code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit' }] }, 'Unavailable', /429 Too Many Requests \(TOOMANYREQUESTS: You have reached your pull rate limit\)/],
  ['500', 500, {}, 'Unavailable', /500 Internal Server Error$/],
  ['503', 503, {}, 'Unavailable', /503 Service Unavailable$/],
];
for (const [name, status, body, code, pattern] of statusCases) {
  test(`a registry answering ${name} gives a clear ${code}`, async () => {
    await withFake(async (f) => {
      f.registry.override = (req, res) => req.url?.includes('/manifests/') === true && (json(res, status, body), true);
      await assert.rejects(f.store.pull(f.ref), failsWith(code, pattern));
      await assertNothingStored(f);
    });
  });
}

test('a 500 on a layer blob fails the pull; the next pull resumes with the layers already stored', async () => {
  await withFake(async (f) => {
    let fail = true;
    f.registry.override = (req, res) => {
      if (!fail || req.url !== `/v2/test/app/blobs/${layer1.digest}`) return false;
      fail = false;
      json(res, 500, {});
      return true;
    };
    await assert.rejects(f.store.pull(f.ref), failsWith('Unavailable', new RegExp(`failed to fetch layer ${layer1.digest}: .*500 Internal Server Error`)));
    assert.deepEqual(await f.store.list(), []);
    await f.store.pull(f.ref);
    assert.equal(f.registry.blobGets(layer0.digest), 1, 'layer 0 is not fetched twice');
    assert.equal(f.registry.blobGets(layer1.digest), 2);
  });
});

test('a corrupt layer blob is rejected and never enters the store', async () => {
  await withFake(async (f) => {
    const bad = Buffer.from(layer1.bytes);
    bad[bad.length - 5] = (bad[bad.length - 5] ?? 0) ^ 0xff;
    f.registry.blobs.set(layer1.digest, bad);
    await assert.rejects(f.store.pull(f.ref), failsWith('Invalid', new RegExp(`failed to fetch layer ${layer1.digest}: blob ${layer1.digest} failed verification: its content has digest sha256:`)));
    await assertNothingStored(f);
    assert.equal(await readdir(join(f.root, 'images', 'layers')).then((names) => names.includes(image.diffIDs[1]?.slice(7) ?? '')), false);
  });
});

test('a blob cut off mid-transfer leaves no partial file', async () => {
  await withFake(async (f) => {
    f.registry.override = (req, res) => {
      if (req.url !== `/v2/test/app/blobs/${layer0.digest}`) return false;
      res.writeHead(200, { 'content-length': layer0.bytes.length });
      res.write(layer0.bytes.subarray(0, 100));
      setTimeout(() => res.destroy(), 20);
      return true;
    };
    await assert.rejects(f.store.pull(f.ref), failsWith('Unavailable', /failed to download blob/));
    await assertNothingStored(f);
    assert.deepEqual(await readdir(join(f.root, 'images', 'downloads')).then((n) => n.filter((x) => x.startsWith(layer0.digest.slice(7)))), []);
  });
});

test('a blob whose Content-Length disagrees with the manifest is refused before reading it', async () => {
  await withFake(async (f) => {
    f.registry.blobs.set(layer0.digest, layer0.bytes.subarray(0, 50));
    await assert.rejects(f.store.pull(f.ref), failsWith('Invalid', /the registry sends 50 bytes, the manifest says \d+/));
    await assertNothingStored(f);
  });
});

test('a config whose content does not match the manifest\'s config digest is rejected', async () => {
  await withFake(async (f) => {
    f.registry.blobs.set(image.config.digest, Buffer.from(image.config.bytes.toString().replace('amd64', 'AMD64')));
    await assert.rejects(f.store.pull(f.ref), failsWith('Invalid', new RegExp(`failed to fetch image config ${image.config.digest}: image config ${image.config.digest} failed verification`)));
    await assertNothingStored(f);
    assert.equal(f.registry.blobGets(layer0.digest), 0, 'no layer is fetched for a bad config');
  });
});

test('a manifest that is not what its digest says is rejected', async () => {
  await withFake(async (f) => {
    const other = buildImage({ layers: [upper] });
    f.registry.manifests.set(`test/app:${image.manifest.digest}`, { bytes: other.manifest.bytes, type: 'application/vnd.oci.image.manifest.v1+json' });
    await assert.rejects(f.store.pull(`${f.registry.host}/test/app@${image.manifest.digest}`),
      failsWith('Invalid', new RegExp(`manifest ${image.manifest.digest} failed verification: its content has digest ${other.manifest.digest}`)));
  });
});

test('wrong media types: a schema 1 manifest, a non-image artifact', async () => {
  await withFake(async (f) => {
    f.registry.manifests.set('test/app:v1', { bytes: Buffer.from('{"schemaVersion":1,"name":"x"}'), type: 'application/vnd.docker.distribution.manifest.v1+prettyjws' });
    await assert.rejects(f.store.pull(f.ref), failsWith('Invalid', /schema 1 is deprecated/));
    const artifact = JSON.parse(image.manifest.bytes.toString()) as { config: { mediaType: string } };
    artifact.config.mediaType = 'application/vnd.cncf.helm.config.v1+json';
    f.registry.manifests.set('test/app:v1', { bytes: Buffer.from(JSON.stringify(artifact)), type: 'application/vnd.oci.image.manifest.v1+json' });
    await assert.rejects(f.store.pull(f.ref), failsWith('Invalid', /not a container image: config media type is application\/vnd\.cncf\.helm\.config\.v1\+json/));
    f.registry.manifests.set('test/app:v1', { bytes: Buffer.from('<html>'), type: 'text/html' });
    await assert.rejects(f.store.pull(f.ref), failsWith('Invalid', /manifest v1 is not valid JSON/));
  });
});

test('an index picks this platform; an index without it names what it has', async () => {
  await withFake(async (f) => {
    const arm = buildImage({ layers: [upper], architecture: 'arm64' });
    f.registry.push('test/app', 'arm', arm);
    const entry = (b: BuiltManifest, architecture: string): unknown => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: b.manifest.digest, size: b.manifest.bytes.length, platform: { os: 'linux', architecture },
    });
    const index = blobOf(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [entry(arm, 'arm64'), entry(image, 'amd64')] }));
    f.registry.manifests.set('test/app:multi', { bytes: index.bytes, type: 'application/vnd.oci.image.index.v1+json' });
    const got = await f.store.pull(`${f.registry.host}/test/app:multi`);
    assert.equal(got.image.id, image.config.digest);
    assert.equal(got.digest, index.digest, 'the repo digest is the index\'s');
    const armOnly = blobOf(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [entry(arm, 'arm64')] }));
    f.registry.manifests.set('test/app:armonly', { bytes: armOnly.bytes, type: 'application/vnd.oci.image.index.v1+json' });
    await assert.rejects(f.store.pull(`${f.registry.host}/test/app:armonly`), failsWith('NotFound', /no matching manifest for linux\/amd64 in the manifest list entries \(available: linux\/arm64\)/));
    // a single-platform image for another architecture is refused rather than failing at exec
    await assert.rejects(f.store.pull(`${f.registry.host}/test/app:arm`), failsWith('Invalid', /is for arm64, this node runs amd64/));
  });
});

test('blob redirects are followed, without our Authorization going to the other host', async () => {
  await withFake(async (f) => {
    const storage = new FakeRegistry();
    await storage.start();
    try {
      for (const b of image.layers) storage.blobs.set(b.digest, b.bytes);
      f.registry.auth = 'basic';
      f.registry.override = (req, res) => {
        const m = /\/blobs\/(sha256:[a-f0-9]+)$/.exec(req.url ?? '');
        if (m === null || m[1] === image.config.digest || req.headers.authorization === undefined) return false;
        res.writeHead(307, { location: `http://127.0.0.1:${storage.port}/v2/storage/blobs/${m[1]}` });
        res.end();
        return true;
      };
      await f.store.pull(f.ref, { pullSecrets: [[[f.registry.host, { username: 'user', password: 'right' }]]] });
      assert.equal(storage.log.length, 2);
      assert.ok(storage.log.every((l) => l.authorization === undefined), JSON.stringify(storage.log));
    } finally {
      await storage.stop();
    }
  });
});

test('unknown registries and malformed references fail clearly', async () => {
  await withFake(async (f) => {
    await assert.rejects(f.store.pull('127.0.0.1:1/test/app:v1'), failsWith('Unavailable', /failed to resolve reference "127\.0\.0\.1:1\/test\/app:v1": cannot reach 127\.0\.0\.1:1: .*ECONNREFUSED/));
    await assert.rejects(f.store.pull('no.such.registry.invalid/app:v1'), failsWith('Unavailable', /cannot reach no\.such\.registry\.invalid/));
    await assert.rejects(f.store.pull('Busybox'), failsWith('Invalid', /repository name must be lowercase/));
    await assert.rejects(f.store.pull('busybox:'), failsWith('Invalid', /invalid reference format/));
  });
});

test('a loopback registry speaking HTTPS with a self-signed certificate is used over HTTPS (Docker\'s insecure rule)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podd-tls-'));
  const registry = new FakeRegistry();
  const root = join(dir, 'root');
  try {
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1']);
    await registry.start({ key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) });
    registry.push('test/app', 'v1', image);
    const store = new LocalImageStore(root, { architecture: 'amd64', registry: { dockerConfigFiles: [] } });
    const got = await store.pull(`${registry.host}/test/app:v1`);
    assert.equal(got.image.id, image.config.digest);
    assert.ok(registry.log.some((l) => l.url === '/v2/'), 'probed over https');
  } finally {
    await registry.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
