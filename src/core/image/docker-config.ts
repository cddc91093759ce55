// Registry credentials the way the kubelet finds them (pkg/credentialprovider): docker config
// files and imagePullSecrets become a keyring; an image's credentials are every entry whose key
// matches its registry host (with `*` globs per host label), port and path prefix, the most
// specific key first, pull secrets before the node's own file.
import { PoddError } from '../errors.js';
import type { ImageRef } from './ref.js';

export interface RegistryCredential {
  username: string;
  password: string;
}

/** Registry key (as written in the file, e.g. "https://index.docker.io/v1/") -> credential. */
export type DockerConfig = ReadonlyArray<readonly [string, RegistryCredential]>;

const DEFAULT_REGISTRY_KEY = 'index.docker.io';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(what: string, message: string): PoddError {
  return new PoddError('Invalid', `${what}: ${message}`);
}

/** base64 -> UTF-8 text (atob yields one char per byte). */
export function decodeBase64(text: string, what: string): string {
  let binary: string;
  try {
    binary = atob(text.replace(/\s+/g, ''));
  } catch {
    throw invalid(what, 'invalid base64');
  }
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

function entry(value: unknown, what: string): RegistryCredential {
  if (!isObject(value)) throw invalid(what, 'not an object');
  let username = typeof value['username'] === 'string' ? value['username'] : '';
  let password = typeof value['password'] === 'string' ? value['password'] : '';
  // "auth" is base64("user:password") and wins over the separate fields, as in the kubelet.
  if (typeof value['auth'] === 'string' && value['auth'] !== '') {
    const decoded = decodeBase64(value['auth'], `${what}.auth`);
    const colon = decoded.indexOf(':');
    if (colon === -1) throw invalid(`${what}.auth`, 'must be base64 of "username:password"');
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  return { username, password };
}

/**
 * Reads a config.json (`{"auths": {...}}`) or a legacy .dockercfg (the auths map itself).
 * Entries without any credential (credsStore helpers, identity tokens) are skipped.
 */
export function parseDockerConfig(text: string, what: string): DockerConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalid(what, 'not valid JSON');
  }
  if (!isObject(doc)) throw invalid(what, 'not a JSON object');
  const auths = 'auths' in doc ? doc['auths'] : doc;
  if (auths === undefined || auths === null) return [];
  if (!isObject(auths)) throw invalid(what, '"auths" must be an object');
  const out: Array<readonly [string, RegistryCredential]> = [];
  for (const [key, value] of Object.entries(auths)) {
    const cred = entry(value, `${what}: auths["${key}"]`);
    if (cred.username !== '' || cred.password !== '') out.push([key, cred]);
  }
  return out;
}

interface SecretLike {
  metadata: { name?: string };
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** The docker config inside a kubernetes.io/dockerconfigjson (or legacy dockercfg) Secret; undefined for other types. */
export function dockerConfigFromSecret(secret: SecretLike): DockerConfig | undefined {
  const what = `secret "${secret.metadata.name ?? ''}"`;
  const read = (key: string): string | undefined => {
    const plain = secret.stringData?.[key];
    if (plain !== undefined) return plain;
    const encoded = secret.data?.[key];
    return encoded === undefined ? undefined : decodeBase64(encoded, `${what} data["${key}"]`);
  };
  if (secret.type === 'kubernetes.io/dockerconfigjson') {
    const text = read('.dockerconfigjson');
    return text === undefined || text === '' ? undefined : parseDockerConfig(text, what);
  }
  if (secret.type === 'kubernetes.io/dockercfg') {
    const text = read('.dockercfg');
    return text === undefined || text === '' ? undefined : parseDockerConfig(text, what);
  }
  return undefined;
}

interface Location {
  /** Host labels, lowercased. */
  labels: string[];
  port: string;
  path: string;
}

/** A schemeless "host[:port][/path]" split the way Go's url.Parse + net.SplitHostPort do. */
function parseLocation(text: string): Location {
  const noScheme = text.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = noScheme.indexOf('/');
  const hostPort = slash === -1 ? noScheme : noScheme.slice(0, slash);
  const path = slash === -1 ? '' : noScheme.slice(slash);
  let host = hostPort;
  let port = '';
  const bracket = /^\[([^\]]*)\](?::(\d*))?$/.exec(hostPort);
  if (bracket !== null) {
    host = bracket[1] ?? '';
    port = bracket[2] ?? '';
  } else {
    const colon = hostPort.lastIndexOf(':');
    if (colon !== -1 && hostPort.indexOf(':') === colon) {
      host = hostPort.slice(0, colon);
      port = hostPort.slice(colon + 1);
    }
  }
  return { labels: host.toLowerCase().split('.'), port, path };
}

/** Go's filepath.Match for one host label: `*`, `?` and `[...]` classes. */
function globLabel(glob: string, label: string): boolean {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end === -1) return false;
      const body = glob.slice(i + 1, end).replace(/^\^/, '!').replace(/\\/g, '\\\\');
      re += body.startsWith('!') ? `[^${body.slice(1)}]` : `[${body}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`).test(label);
}

function matches(key: string, image: string): boolean {
  const glob = parseLocation(key);
  const target = parseLocation(image);
  if (glob.port !== target.port || glob.labels.length !== target.labels.length) return false;
  if (!target.path.startsWith(glob.path)) return false;
  return glob.labels.every((label, i) => globLabel(label, target.labels[i] ?? ''));
}

/** The kubelet's index key: scheme dropped, /v1/ and /v2/ meaning the host itself. */
function keyOf(location: string): string {
  const noScheme = location.replace(/^https?:\/\//i, '');
  const slash = noScheme.indexOf('/');
  const host = slash === -1 ? noScheme : noScheme.slice(0, slash);
  let path = slash === -1 ? '' : noScheme.slice(slash);
  if (path.startsWith('/v1/') || path.startsWith('/v2/')) path = path.slice(3);
  return path !== '' && path !== '/' ? host + path : host;
}

/** One docker config as a lookup table (the kubelet's BasicDockerKeyring). */
function lookupIn(config: DockerConfig, image: string, defaultRegistry: boolean): RegistryCredential[] {
  const byKey = new Map<string, RegistryCredential[]>();
  for (const [location, cred] of config) {
    const key = keyOf(location);
    byKey.set(key, [...(byKey.get(key) ?? []), cred]);
  }
  // Reverse-sorted, so "quay.io/coreos" is tried before "quay.io".
  const keys = [...byKey.keys()].sort().reverse();
  const found = keys.filter((k) => matches(k, image)).flatMap((k) => byKey.get(k) ?? []);
  if (found.length > 0) return found;
  return defaultRegistry ? (byKey.get(DEFAULT_REGISTRY_KEY) ?? []) : [];
}

/**
 * Credentials to try for `ref`, in order, without duplicates: the pull secrets (one keyring of
 * all of them, as the kubelet builds), then the node's config. Empty means pull anonymously.
 */
export function credentialsFor(ref: Pick<ImageRef, 'registry' | 'repository'>, pullSecrets: readonly DockerConfig[], node?: DockerConfig): RegistryCredential[] {
  const image = `${ref.registry}/${ref.repository}`;
  const defaultRegistry = ref.registry === 'docker.io';
  const all = [...lookupIn(pullSecrets.flat(), image, defaultRegistry), ...(node === undefined ? [] : lookupIn(node, image, defaultRegistry))];
  const seen = new Set<string>();
  return all.filter((c) => {
    const id = `${c.username}\0${c.password}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
