// Reads the parts of an OCI/Docker image config podd uses, rejecting malformed ones with a
// clear message instead of failing later at container start.
import { PoddError } from '../../core/errors.js';
import type { ImageConfig } from './types.js';

export interface ParsedImageConfig {
  config: ImageConfig;
  /** rootfs.diff_ids, lowest layer first. */
  diffIDs: string[];
  created?: string;
}

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const diffIDPattern = /^sha256:[a-f0-9]{64}$/;

function invalid(message: string): PoddError {
  return new PoddError('Invalid', `invalid image config: ${message}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw invalid(`${field} must be a list of strings`);
  }
  return [...value];
}

function string(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw invalid(`${field} must be a string`);
  return value;
}

export function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch (err) {
    throw new PoddError('Invalid', `${what} is not valid JSON`, { cause: err });
  }
}

export function parseImageConfig(bytes: Uint8Array): ParsedImageConfig {
  const doc = parseJson(bytes, 'image config');
  if (!isObject(doc)) throw invalid('not a JSON object');
  if (doc['os'] !== undefined && doc['os'] !== 'linux') throw invalid(`os is "${String(doc['os'])}", podd runs linux images`);
  const rootfs = doc['rootfs'];
  if (!isObject(rootfs) || rootfs['type'] !== 'layers') throw invalid('rootfs.type must be "layers"');
  const diffIDs = stringList(rootfs['diff_ids'], 'rootfs.diff_ids');
  for (const id of diffIDs) if (!diffIDPattern.test(id)) throw invalid(`bad diffID "${id}"`);

  const c = doc['config'] ?? {};
  if (!isObject(c)) throw invalid('config must be an object');
  const config: ImageConfig = {
    Env: stringList(c['Env'], 'config.Env'),
    Entrypoint: stringList(c['Entrypoint'], 'config.Entrypoint'),
    Cmd: stringList(c['Cmd'], 'config.Cmd'),
    WorkingDir: string(c['WorkingDir'], 'config.WorkingDir'),
    User: string(c['User'], 'config.User'),
    StopSignal: string(c['StopSignal'], 'config.StopSignal'),
  };
  const ports = c['ExposedPorts'];
  if (ports !== undefined && ports !== null) {
    if (!isObject(ports)) throw invalid('config.ExposedPorts must be an object');
    config.ExposedPorts = Object.fromEntries(Object.keys(ports).sort().map((port) => [port, {}]));
  }
  const parsed: ParsedImageConfig = { config, diffIDs };
  const created = doc['created'];
  if (typeof created === 'string' && created !== '') parsed.created = created;
  return parsed;
}

/** Go's GOARCH names, which image configs and indexes use. */
export function ociArchitecture(nodeArch: string): string {
  const names: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386', ppc64: 'ppc64le' };
  return names[nodeArch] ?? nodeArch;
}

/**
 * The config for an image made from a plain rootfs tarball. No timestamp, so the same tarball
 * always yields the same image id.
 */
export function rootfsImageConfig(diffID: string, hasShell: boolean, architecture: string): Uint8Array {
  const doc = {
    architecture,
    os: 'linux',
    config: { Env: [DEFAULT_PATH], ...(hasShell ? { Cmd: ['sh'] } : {}) },
    rootfs: { type: 'layers', diff_ids: [diffID] },
  };
  return new TextEncoder().encode(JSON.stringify(doc));
}
