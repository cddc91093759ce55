// Reading CNI network configuration files the way libcni does (.conflist lists, single .conf/.json networks, the
// first file in byte order wins), but refusing what podd could not run instead of failing later inside a plugin.
import { NetworkError } from './errors.js';
import type { JsonObject, NetConfList, PluginConf } from './types.js';
import { SUPPORTED_CNI_VERSIONS, compareVersions, isSemver, isSupportedVersion } from './versions.js';

export const CONF_EXTENSIONS = ['.conf', '.conflist', '.json'] as const;

/** Network names and plugin types: the spec's identifier rule (a plugin type is also a file name, so no `/`). */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(source: string, message: string): NetworkError {
  return new NetworkError('InvalidConfig', `${source}: ${message}`);
}

/** The configuration files of a directory listing, in the order libcni tries them. */
export function confFilesInOrder(names: readonly string[]): string[] {
  return names.filter((n) => CONF_EXTENSIONS.some((ext) => n.endsWith(ext) && n.length > ext.length)).sort();
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw invalid(source, `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** CNI 1.1 lists may name several versions; the newest one podd supports is used, as libcni does. */
function pickVersion(obj: JsonObject, source: string): string {
  const many = obj['cniVersions'];
  if (many !== undefined) {
    if (!Array.isArray(many) || !many.every((v) => typeof v === 'string')) throw invalid(source, 'cniVersions must be a list of strings');
    const usable = (many as string[]).filter(isSupportedVersion).sort(compareVersions);
    const best = usable.at(-1);
    if (best !== undefined) return best;
  }
  const version = obj['cniVersion'];
  if (typeof version !== 'string' || version === '') throw invalid(source, 'cniVersion is required');
  if (!isSemver(version)) throw invalid(source, `cniVersion "${version}" is not a version`);
  if (!isSupportedVersion(version)) {
    throw invalid(source, `cniVersion "${version}" is not supported (podd supports ${SUPPORTED_CNI_VERSIONS.join(', ')})`);
  }
  return version;
}

function parseName(value: unknown, source: string): string {
  if (typeof value !== 'string' || value === '') throw invalid(source, 'name is required');
  if (!NAME_RE.test(value)) throw invalid(source, `name "${value}" must be letters, digits, "_", "." or "-", starting with a letter or digit`);
  return value;
}

function parseDisableCheck(value: unknown, source: string): boolean {
  // the spec text says string, libcni's Go type says bool: files in the wild have both
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw invalid(source, 'disableCheck must be true or false');
}

function parsePlugin(value: unknown, where: string): PluginConf {
  if (!isJsonObject(value)) throw invalid(where, 'must be an object');
  const type = value['type'];
  if (typeof type !== 'string' || type === '') throw invalid(where, 'type is required');
  if (!NAME_RE.test(type)) throw invalid(where, `type "${type}" is not a plugin file name`);
  const caps = value['capabilities'];
  const capabilities: Record<string, boolean> = {};
  if (caps !== undefined) {
    if (!isJsonObject(caps)) throw invalid(where, 'capabilities must be an object');
    for (const [key, on] of Object.entries(caps)) {
      if (typeof on !== 'boolean') throw invalid(where, `capabilities.${key} must be true or false`);
      capabilities[key] = on;
    }
  }
  return { type, capabilities, raw: value };
}

/** A network configuration list already decoded from JSON (a file's content or a cache entry's copy). */
export function parseConfListObject(value: unknown, source: string): NetConfList {
  if (!isJsonObject(value)) throw invalid(source, 'a network configuration list must be a JSON object');
  const cniVersion = pickVersion(value, source);
  const name = parseName(value['name'], source);
  const plugins = value['plugins'];
  if (!Array.isArray(plugins) || plugins.length === 0) throw invalid(source, 'plugins must be a non-empty list');
  return {
    cniVersion,
    name,
    disableCheck: parseDisableCheck(value['disableCheck'], source),
    plugins: plugins.map((p, i) => parsePlugin(p, `${source}: plugins[${i}]`)),
  };
}

/** A single network (.conf/.json) becomes a one-plugin list, as libcni's ConfListFromConf does. */
export function parseSingleConfObject(value: unknown, source: string): NetConfList {
  if (!isJsonObject(value)) throw invalid(source, 'a network configuration must be a JSON object');
  if (value['plugins'] !== undefined) throw invalid(source, 'has "plugins": name the file .conflist');
  const { cniVersion, name, ...plugin } = value;
  return parseConfListObject({ cniVersion, name, plugins: [plugin] }, source);
}

/** Parses a file from the configuration directory by its extension. */
export function parseConfFile(fileName: string, text: string): NetConfList {
  const value = parseJson(text, fileName);
  return fileName.endsWith('.conflist') ? parseConfListObject(value, fileName) : parseSingleConfObject(value, fileName);
}

/** The list as JSON again: what gets cached so DEL runs with the configuration ADD used. */
export function confListToObject(list: NetConfList): JsonObject {
  return {
    cniVersion: list.cniVersion,
    name: list.name,
    ...(list.disableCheck ? { disableCheck: true } : {}),
    plugins: list.plugins.map((p) => p.raw),
  };
}
