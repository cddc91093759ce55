import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PoddError } from '../errors.js';
import { MediaType, layerCompression, parseManifestDocument, platformRank, selectManifest, type Descriptor, type Platform } from './manifest.js';

const d = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d(2), size: 10 };
const config = { mediaType: MediaType.ociConfig, digest: d(1), size: 5 };
const ociManifest = { schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: [layer] };

const isInvalid = (pattern: RegExp) => (err: unknown): boolean => err instanceof PoddError && err.code === 'Invalid' && pattern.test(err.message);

test('parses an OCI manifest and a Docker schema 2 manifest', () => {
  const oci = parseManifestDocument(ociManifest, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(oci.kind, 'manifest');
  const docker = parseManifestDocument({
    schemaVersion: 2, mediaType: MediaType.dockerManifest,
    config: { ...config, mediaType: MediaType.dockerConfig },
    layers: [{ ...layer, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip' }],
  }, MediaType.dockerManifest);
  assert.deepEqual(docker.kind === 'manifest' && docker.layers.map((l) => l.digest), [d(2)]);
});

test('the media type comes from the document, else Content-Type, else the shape', () => {
  const { mediaType: _omit, ...bare } = ociManifest;
  assert.equal(parseManifestDocument(bare, 'application/json').mediaType, MediaType.ociManifest);
  assert.equal(parseManifestDocument(bare, `${MediaType.dockerManifest}; charset=utf-8`).mediaType, MediaType.dockerManifest);
  assert.equal(parseManifestDocument({ schemaVersion: 2, manifests: [] }).kind, 'index');
});

test('layerCompression: gzip, zstd and plain layers, distributable or not, Docker and OCI', () => {
  const kinds = [
    'application/vnd.oci.image.layer.v1.tar', 'application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.layer.v1.tar+zstd',
    'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd', 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ].map((mediaType) => layerCompression({ ...layer, mediaType }));
  assert.deepEqual(kinds, ['none', 'gzip', 'zstd', 'zstd', 'gzip']);
  assert.deepEqual(parseManifestDocument({ ...ociManifest, layers: [{ ...layer, mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' }] }).kind, 'manifest');
});

const rejects: Array<[string, unknown, string | undefined, RegExp]> = [
  ['not an object', [], undefined, /not a JSON object/],
  ['schema 1', { schemaVersion: 1, name: 'x', fsLayers: [] }, MediaType.dockerSchema1Signed, /schema 1 is deprecated/],
  ['Content-Type disagrees with mediaType', ociManifest, MediaType.dockerManifest, /says mediaType .* but the registry sent Content-Type/],
  ['unknown media type', { ...ociManifest, mediaType: 'application/vnd.example+json' }, undefined, /unsupported manifest media type application\/vnd\.example\+json/],
  ['artifact config (not an image)', { ...ociManifest, config: { ...config, mediaType: 'application/vnd.cncf.helm.config.v1+json' } }, undefined, /not a container image: config media type is application\/vnd\.cncf\.helm/],
  ['unknown layer type', { ...ociManifest, layers: [{ ...layer, mediaType: 'text/plain' }] }, undefined, /unsupported media type text\/plain/],
  ['bad digest', { ...ociManifest, layers: [{ ...layer, digest: 'sha256:xyz' }] }, undefined, /layers\[0\]: invalid digest/],
  ['negative size', { ...ociManifest, config: { ...config, size: -1 } }, undefined, /config: invalid size -1/],
  ['layers not a list', { ...ociManifest, layers: {} }, undefined, /layers must be a list/],
  ['schemaVersion 3', { ...ociManifest, schemaVersion: 3 }, undefined, /unsupported manifest schemaVersion 3/],
];
for (const [name, doc, contentType, pattern] of rejects) {
  test(`parseManifestDocument rejects: ${name}`, () => {
    assert.throws(() => parseManifestDocument(doc, contentType), isInvalid(pattern));
  });
}

const entry = (n: number, platform?: Platform, mediaType: string = MediaType.ociManifest): Descriptor => ({
  mediaType, digest: d(n), size: 1, ...(platform === undefined ? {} : { platform }),
});
const amd64: Platform = { os: 'linux', architecture: 'amd64' };

const selections: Array<[string, Descriptor[], Platform, number | RegExp]> = [
  ['picks amd64 among two platforms', [entry(1, { os: 'linux', architecture: 'arm64' }), entry(2, amd64)], amd64, 2],
  ['first of equals', [entry(1, amd64), entry(2, amd64)], amd64, 1],
  ['amd64 variant v1 is plain amd64', [entry(1, { os: 'linux', architecture: 'amd64', variant: 'v1' })], amd64, 1],
  ['amd64 v3 does not run on a v1 host', [entry(1, { os: 'linux', architecture: 'amd64', variant: 'v3' }), entry(2, amd64)], amd64, 2],
  ['a v3 host prefers v3, then v2', [entry(1, amd64), entry(2, { os: 'linux', architecture: 'amd64', variant: 'v2' }), entry(3, { os: 'linux', architecture: 'amd64', variant: 'v3' })], { os: 'linux', architecture: 'amd64', variant: 'v3' }, 3],
  ['arm64 without variant is v8', [entry(1, { os: 'linux', architecture: 'arm64', variant: 'v8' })], { os: 'linux', architecture: 'arm64' }, 1],
  ['arm v7 host takes v6 over nothing, v7 over v6', [entry(1, { os: 'linux', architecture: 'arm', variant: 'v6' }), entry(2, { os: 'linux', architecture: 'arm', variant: 'v7' })], { os: 'linux', architecture: 'arm', variant: 'v7' }, 2],
  ['arm v6 host refuses v7', [entry(1, { os: 'linux', architecture: 'arm', variant: 'v7' })], { os: 'linux', architecture: 'arm', variant: 'v6' }, /no matching manifest for linux\/arm\/v6 .*\(available: linux\/arm\/v7\)/],
  ['aliases: x86_64 is amd64', [entry(1, { os: 'linux', architecture: 'x86_64' })], amd64, 1],
  ['windows only', [entry(1, { os: 'windows', architecture: 'amd64' })], amd64, /no matching manifest for linux\/amd64 in the manifest list entries \(available: windows\/amd64\)/],
  ['attestations (unknown/unknown) are skipped', [entry(1, { os: 'unknown', architecture: 'unknown' }), entry(2, amd64)], amd64, 2],
  ['entries without platform are skipped', [entry(1), entry(2, amd64)], amd64, 2],
  ['non-manifest media types are skipped', [entry(1, amd64, 'application/vnd.example'), entry(2, amd64)], amd64, 2],
];
for (const [name, manifests, host, want] of selections) {
  test(`selectManifest: ${name}`, () => {
    if (typeof want === 'number') {
      assert.equal(selectManifest(manifests, host).digest, d(want));
    } else {
      assert.throws(() => selectManifest(manifests, host), (err: unknown) => err instanceof PoddError && err.code === 'NotFound' && want.test(err.message));
    }
  });
}

test('platformRank: exact 0, older variants count up, os or arch mismatch unusable', () => {
  assert.equal(platformRank(amd64, amd64), 0);
  assert.equal(platformRank({ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'amd64', variant: 'v3' }), 2);
  assert.equal(platformRank({ os: 'linux', architecture: 'arm64' }, amd64), undefined);
  assert.equal(platformRank({ os: 'darwin', architecture: 'amd64' }, amd64), undefined);
});
