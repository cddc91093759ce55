// Images from a real registry (Debian's docker-registry, started here on loopback, one open and one
// behind htpasswd), with images built here and pushed with skopeo: `podd pull` of multi-layer OCI
// and Docker schema 2 images, an OCI index, digest references; `podd run` pulling what a pod names
// (Pulling/Pulled), registry credentials, a corrupted blob, `podd image prune`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NET_RAW_FILE_CAPABILITY, buildTar, busyboxEntries } from '../../src/runtime/image/test-tar.js';
import { pushLayout, registryBlobPath, startRegistry, writeOciLayout, type BuiltManifest, type TestRegistry } from '../../src/runtime/image/registry/test-registry.js';
import { containerStatus, events, leftovers, poddBin, runPod, statuses, tempDir } from './harness.js';

const IMAGES_DIR = join(process.env['PODD_ROOT'] ?? '/var/lib/podd', 'images');
const RUN_ID = randomBytes(4).toString('hex');
const work = tempDir('podd-e2e-registry-');
const AUTH = { username: 'podd', password: `right-${RUN_ID}` };

let open: TestRegistry;
let secured: TestRegistry;
let app: BuiltManifest;
let amd64: BuiltManifest;
let corrupt: BuiltManifest;
let zstdImage: BuiltManifest;
let appV2s2Digest = '';
const pulledNames = new Set<string>();

function podd(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [poddBin, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function imageRows(): string[][] {
  return podd(['images', '--digests']).stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
}

function layerDir(diffID: string): string {
  return join(IMAGES_DIR, 'layers', diffID.replace(/^sha256:/, ''));
}

/** A docker config.json in a fresh HOME (the node-wide credentials podd looks for in ~/.docker). */
function homeWithCredentials(registry: string, username: string, password: string): string {
  const home = join(work, `home-${randomBytes(3).toString('hex')}`);
  mkdirSync(join(home, '.docker'), { recursive: true });
  const auth = Buffer.from(`${username}:${password}`).toString('base64');
  writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({ auths: { [registry]: { auth } } }));
  return home;
}

// A small busybox root (made unique per run, so its layers are really downloaded) and an app layer over it.
const applets = ['sh', 'cat', 'echo', 'ls', 'true'];
const lower = buildTar([
  ...busyboxEntries(applets),
  { path: 'etc/', type: 'Directory' },
  { path: 'etc/passwd', body: 'root:x:0:0:root:/root:/bin/sh\n' },
  { path: 'etc/gone.txt', body: 'whited out by the app layer\n' },
  { path: 'etc/run-id', body: `${RUN_ID}\n` },
  { path: 'tmp/', type: 'Directory', mode: 0o1777 },
]);
const appLayer = buildTar([
  { path: 'app/', type: 'Directory' },
  { path: 'app/hello.txt', body: 'hello from the registry\n' },
  { path: 'etc/', type: 'Directory' },
  { path: 'etc/.wh.gone.txt' },
]);
// busybox carrying a file capability, as `setcap cap_net_raw+ep` leaves it (ping's in most images).
const capabilityLayer = buildTar([
  ...busyboxEntries(['grep'], { xattrs: { 'security.capability': NET_RAW_FILE_CAPABILITY } }),
  { path: 'etc/', type: 'Directory' },
  { path: 'etc/run-id', body: `${RUN_ID} caps\n` },
]);
const zstdLayer = buildTar([
  { path: 'zstd/', type: 'Directory' },
  { path: 'zstd/hello.txt', body: `zstd ${RUN_ID}\n` },
  { path: 'zstd/noise', body: randomBytes(300_000) },
]);
const platformLayer = (arch: string): Buffer => buildTar([{ path: 'platform', body: `${arch}\n` }]);
const appConfig = { Cmd: ['sh', '-c', 'cat /app/hello.txt; cat /etc/run-id; ls /etc/gone.txt 2>&1; true'] };

before(async () => {
  open = await startRegistry();
  secured = await startRegistry(AUTH);
  const layout = (name: string): string => join(work, name);
  app = (await writeOciLayout(layout('app'), 'v1', [{ layers: [lower, appLayer], config: appConfig }])).built[0] as BuiltManifest;
  await pushLayout(layout('app'), 'v1', open, 'test/app:v1');
  await pushLayout(layout('app'), 'v1', open, 'test/app:run');
  await pushLayout(layout('app'), 'v1', open, 'test/app:v2s2', { format: 'v2s2' });
  await pushLayout(layout('app'), 'v1', secured, 'test/private:v1');
  const multi = await writeOciLayout(layout('multi'), 'v1', [
    { layers: [platformLayer('arm64')], architecture: 'arm64' },
    { layers: [lower, platformLayer('amd64')], architecture: 'amd64' },
  ]);
  amd64 = multi.built[1] as BuiltManifest;
  await pushLayout(layout('multi'), 'v1', open, 'test/multi:v1');
  corrupt = (await writeOciLayout(layout('corrupt'), 'v1', [{ layers: [buildTar([{ path: 'data', body: randomBytes(4096) }])] }])).built[0] as BuiltManifest;
  await pushLayout(layout('corrupt'), 'v1', open, 'test/corrupt:v1');
  zstdImage = (await writeOciLayout(layout('zstd'), 'v1', [{ layers: [zstdLayer] }])).built[0] as BuiltManifest;
  await pushLayout(layout('zstd'), 'v1', open, 'test/zstd:v1', { compression: 'zstd' });
  await writeOciLayout(layout('caps'), 'v1', [{ layers: [capabilityLayer] }]);
  await pushLayout(layout('caps'), 'v1', open, 'test/caps:v1');
  const inspect = spawnSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${open.host}/test/app:v2s2`], { encoding: 'utf8' });
  assert.match(inspect.stdout, /application\/vnd\.docker\.distribution\.manifest\.v2\+json/, inspect.stderr);
  appV2s2Digest = `sha256:${(await import('node:crypto')).createHash('sha256').update(inspect.stdout).digest('hex')}`;
});

after(async () => {
  for (const name of pulledNames) podd(['rmi', name]);
  await open?.stop();
  await secured?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('podd pull: a two-layer OCI image from a loopback registry, over HTTP without --insecure-registry', () => {
  const ref = `${open.host}/test/app:v1`;
  const r = podd(['pull', ref]);
  assert.equal(r.code, 0, r.stderr);
  pulledNames.add(ref);
  // not a terminal: one plain line per layer and phase, docker-style, then the digest and the name
  for (const layer of app.layers) assert.match(r.stdout, new RegExp(`^${layer.digest.slice(7, 19)}: Pull complete$`, 'm'), r.stdout);
  assert.match(r.stdout, new RegExp(`^Digest: ${app.manifest.digest}$`, 'm'));
  assert.match(r.stdout, new RegExp(`^Status: Downloaded newer image for ${ref}\\n${ref}\\n$`, 'm'));
  const row = imageRows().find((c) => c[0] === `${open.host}/test/app` && c[1] === 'v1');
  assert.deepEqual(row?.slice(2, 4), [app.manifest.digest, app.config.digest.slice(7, 19)]);
  for (const d of app.diffIDs) assert.ok(existsSync(layerDir(d)), d);
  assert.equal(readFileSync(join(layerDir(app.diffIDs[1] ?? ''), 'app', 'hello.txt'), 'utf8'), 'hello from the registry\n');
  // whiteouts become overlayfs ones
  assert.ok(statSync(join(layerDir(app.diffIDs[1] ?? ''), 'etc', 'gone.txt')).isCharacterDevice());
  // nothing half-downloaded stays behind
  assert.deepEqual(readdirSync(join(IMAGES_DIR, 'downloads')).filter((n) => n.includes('.tmp-')), []);

  const again = podd(['pull', ref]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Already exists/);
  assert.match(again.stdout, /Status: Image is up to date for/);
});

test('podd pull: a Docker schema 2 manifest (skopeo --format v2s2), and a digest reference', () => {
  const v2s2 = `${open.host}/test/app:v2s2`;
  const r = podd(['pull', '-q', v2s2]);
  assert.equal(r.code, 0, r.stderr);
  pulledNames.add(v2s2);
  assert.equal(r.stdout, `${v2s2}\n`);
  const row = imageRows().find((c) => c[0] === `${open.host}/test/app` && c[1] === 'v2s2');
  assert.equal(row?.[2], appV2s2Digest);

  const byDigest = `${open.host}/test/app@${app.manifest.digest}`;
  const d = podd(['pull', byDigest]);
  assert.equal(d.code, 0, d.stderr);
  pulledNames.add(byDigest);
  assert.ok(imageRows().some((c) => c[0] === `${open.host}/test/app` && c[1] === '<none>' && c[2] === app.manifest.digest), podd(['images', '--digests']).stdout);
});

test('podd pull: a zstd-compressed layer (skopeo --dest-compress-format zstd), verified and unpacked', () => {
  const image = `${open.host}/test/zstd:v1`;
  const raw = spawnSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${image}`], { encoding: 'utf8' });
  const layers = (JSON.parse(raw.stdout) as { layers: { mediaType: string }[] }).layers.map((l) => l.mediaType);
  assert.deepEqual(layers, ['application/vnd.oci.image.layer.v1.tar+zstd'], raw.stderr);
  const r = podd(['pull', image]);
  pulledNames.add(image);
  assert.equal(r.code, 0, r.stderr);
  const dir = layerDir(zstdImage.diffIDs[0] ?? '');
  assert.equal(readFileSync(join(dir, 'zstd', 'hello.txt'), 'utf8'), `zstd ${RUN_ID}\n`);
  assert.equal(statSync(join(dir, 'zstd', 'noise')).size, 300_000);
});

test('podd pull of an OCI index with linux/arm64 and linux/amd64 takes amd64', () => {
  const ref = `${open.host}/test/multi:v1`;
  const r = podd(['pull', ref]);
  assert.equal(r.code, 0, r.stderr);
  pulledNames.add(ref);
  const row = imageRows().find((c) => c[0] === `${open.host}/test/multi`);
  assert.equal(row?.[3], amd64.config.digest.slice(7, 19));
  assert.equal(readFileSync(join(layerDir(amd64.diffIDs[1] ?? ''), 'platform'), 'utf8'), 'amd64\n');
});

test('podd pull: bad references and registries give clear errors', () => {
  const cases: Array<[string[], RegExp]> = [
    [['pull', 'bad/ref:'], /^error: couldn't parse image reference "bad\/ref:": invalid reference format\n$/],
    [['pull', 'Busybox'], /^error: couldn't parse image reference "Busybox": invalid reference format: repository name must be lowercase\n$/],
    [['pull', `${open.host}/test/nothing:v1`], /^error: failed to pull and unpack image "127\.0\.0\.1:\d+\/test\/nothing:v1": failed to resolve reference ".*": .*: not found \(MANIFEST_UNKNOWN: manifest unknown\)\n$/],
    [['pull', `${open.host}/test/app:nope`], /: not found \(MANIFEST_UNKNOWN: manifest unknown\)\n$/],
    [['pull', '127.0.0.1:1/test/app:v1'], /cannot reach 127\.0\.0\.1:1: .*ECONNREFUSED/],
    [['pull'], /usage: podd pull REF/],
  ];
  for (const [args, pattern] of cases) {
    const r = podd(args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, pattern);
  }
});

test('podd pull from a registry with htpasswd auth: 401 without credentials, works with the node\'s ~/.docker/config.json', () => {
  const ref = `${secured.host}/test/private:v1`;
  const denied = podd(['pull', ref], { HOME: join(work, 'no-home') });
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /pull access denied, repository does not exist or may require authorization: unexpected status from GET request to http:\/\/127\.0\.0\.1:\d+\/v2\/test\/private\/manifests\/v1: 401 Unauthorized/);
  const wrong = podd(['pull', ref], { HOME: homeWithCredentials(secured.host, AUTH.username, 'wrong') });
  assert.match(wrong.stderr, /401 Unauthorized/);
  const r = podd(['pull', ref], { HOME: homeWithCredentials(secured.host, AUTH.username, AUTH.password) });
  assert.equal(r.code, 0, r.stderr);
  pulledNames.add(ref);
});

test('a corrupted blob in the registry is rejected, and nothing of it enters the store', () => {
  const layer = corrupt.layers[0];
  assert.ok(layer);
  const file = registryBlobPath(open, layer.digest);
  writeFileSync(file, randomBytes(statSync(file).size));
  const ref = `${open.host}/test/corrupt:v1`;
  const r = podd(['pull', ref]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`failed to fetch layer ${layer.digest}: blob ${layer.digest} failed verification: its content has digest sha256:`));
  assert.ok(!imageRows().some((c) => c[0] === `${open.host}/test/corrupt`));
  assert.equal(existsSync(layerDir(corrupt.diffIDs[0] ?? '')), false);
  assert.deepEqual(readdirSync(join(IMAGES_DIR, 'downloads')).filter((n) => n.startsWith(layer.digest.slice(7))), []);
});

test('podd run pulls the image a pod names: Pulling, Pulled, and the container runs from its layers', async () => {
  const image = `${open.host}/test/app:run`;
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: registry-run}
spec:
  restartPolicy: Never
  containers:
    - name: app
      image: ${image}
`);
  pulledNames.add(image);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.output('app'), ['hello from the registry', RUN_ID, 'ls: /etc/gone.txt: No such file or directory']);
  const ev = events(r);
  assert.ok(ev.some((e) => e.reason === 'Pulling' && e.text.endsWith(`Pulling image "${image}"`)), r.stderr);
  assert.ok(ev.some((e) => e.reason === 'Pulled' &&
    new RegExp(`Successfully pulled image "${image.replace(/\./g, '\\.')}" in [\\d.]+m?s \\([\\d.]+m?s including waiting\\)\\. Image size: \\d+ bytes\\.$`).test(e.text)), r.stderr);
  assert.match(containerStatus(r.pod, 'app')?.imageID ?? '', /sha256:[0-9a-f]{64}$/);
  assert.deepEqual(leftovers(), []);
});

test('xattrs travel from the registry into the container: a file capability gives a non-root process CAP_NET_RAW', async () => {
  const image = `${open.host}/test/caps:v1`;
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: registry-caps}
spec:
  restartPolicy: Never
  securityContext: {runAsUser: 1000}
  containers:
    - name: caps
      image: ${image}
      command: [grep, CapEff, /proc/self/status]
      securityContext: {allowPrivilegeEscalation: true}
    - name: plain
      image: busybox
      imagePullPolicy: Never
      command: [grep, CapEff, /proc/self/status]
      securityContext: {allowPrivilegeEscalation: true}
`);
  pulledNames.add(image);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.output('caps').map((l) => l.replace(/\s+/g, ' ')), ['CapEff: 0000000000002000']);
  assert.deepEqual(r.output('plain').map((l) => l.replace(/\s+/g, ' ')), ['CapEff: 0000000000000000']);
  assert.deepEqual(leftovers(), []);
});

function privatePod(name: string, extra = ''): string {
  return `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1${extra}
  containers:
    - name: app
      image: ${secured.host}/test/private:v1
      imagePullPolicy: Always
`;
}

test('podd run with wrong registry credentials: ErrImagePull with the 401, then ImagePullBackOff', async () => {
  const r = await runPod(privatePod('registry-denied'), {
    args: ['--timeout', '4s', '--backoff-base', '500ms'],
    env: { HOME: homeWithCredentials(secured.host, AUTH.username, 'wrong') },
  });
  assert.equal(r.code, 1);
  assert.deepEqual(r.output('app'), []);
  const failed = events(r).find((e) => e.type === 'Warning' && e.reason === 'Failed' && e.text.includes('Failed to pull image'));
  assert.match(failed?.text ?? '', /401 Unauthorized \(UNAUTHORIZED: authentication required\)$/, r.stderr);
  const seen = statuses(r);
  assert.ok(seen.includes('ErrImagePull') && seen.indexOf('ImagePullBackOff') > seen.indexOf('ErrImagePull'), seen.join(' '));
  assert.deepEqual(leftovers(), []);
});

test('podd run with the right node credentials pulls the private image (imagePullPolicy Always)', async () => {
  const r = await runPod(privatePod('registry-allowed'), { env: { HOME: homeWithCredentials(secured.host, AUTH.username, AUTH.password) } });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.output('app'), ['hello from the registry', RUN_ID, 'ls: /etc/gone.txt: No such file or directory']);
  assert.ok(events(r).some((e) => e.reason === 'Pulled' && e.text.includes('Successfully pulled image')), r.stderr);
  assert.deepEqual(leftovers(), []);
});

/** imagePullSecrets reach the image ensurer only once the executor passes the pod (see the issue 5 notes). */
test('imagePullSecrets: the right password pulls; a wrong one is ErrImagePull with the 401', async () => {
  const secret = (password: string): string => {
    const config = JSON.stringify({ auths: { [secured.host]: { username: AUTH.username, password } } });
    return `apiVersion: v1
kind: Secret
metadata: {name: regcred}
type: kubernetes.io/dockerconfigjson
data: {.dockerconfigjson: ${Buffer.from(config).toString('base64')}}
---`;
  };
  const pullSecrets = '\n  imagePullSecrets: [{name: regcred}]';
  const home = { HOME: join(work, 'no-home') };
  const good = await runPod(`${secret(AUTH.password)}${privatePod('registry-secret', pullSecrets)}`, { env: home });
  assert.equal(good.code, 0, good.stderr);
  const bad = await runPod(`${secret('wrong')}${privatePod('registry-bad-secret', pullSecrets)}`, { env: home, args: ['--timeout', '3s', '--backoff-base', '500ms'] });
  assert.ok(events(bad).some((e) => e.text.includes('401 Unauthorized')), bad.stderr);
  assert.ok(statuses(bad).includes('ImagePullBackOff'), bad.stderr);
  assert.deepEqual(leftovers(), []);
});

test('podd image prune removes pulled images no container uses, and keeps busybox', () => {
  const before = imageRows();
  assert.ok(before.some((c) => c[0] === `${open.host}/test/multi`));
  const r = podd(['image', 'prune']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^Deleted: ${open.host}/test/multi:v1 \\(${amd64.config.digest}\\)$`, 'm'));
  assert.match(r.stdout, /^Total reclaimed space: \d/m);
  const rows = imageRows();
  assert.ok(!rows.some((c) => (c[0] ?? '').startsWith(open.host)), rows.join('\n'));
  assert.ok(rows.some((c) => c[0] === 'docker.io/library/busybox' && c[1] === 'latest'));
  for (const d of [...app.diffIDs, ...amd64.diffIDs]) assert.equal(existsSync(layerDir(d)), false, d);
  for (const name of [...pulledNames]) if (name.startsWith(open.host)) pulledNames.delete(name);
});
