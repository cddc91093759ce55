// The files of a secret or configMap volume (the kubelet's MakePayload and the atomic writer's validatePayload).
import { decodeBase64, encodeUtf8 } from '../../api/base64.js';
import type { ConfigMap, KeyToPath, ObjectMeta, Pod, Secret } from '../../api/types.js';

/** SecretVolumeSourceDefaultMode and ConfigMapVolumeSourceDefaultMode. */
export const DEFAULT_FILE_MODE = 0o644;

export interface FileProjection {
  data: Uint8Array;
  mode: number;
}

/** Keyed by the cleaned relative path of the file in the volume. */
export type Payload = Map<string, FileProjection>;

export type PayloadResult = { ok: true; payload: Payload } | { ok: false; message: string };

const MAX_PATH_LENGTH = 4096;
const MAX_FILE_NAME_LENGTH = 255;

/** The atomic writer's validatePath: the kubelet's message, or undefined when the path is acceptable. */
export function invalidPayloadPath(path: string): string | undefined {
  if (path === '') return `invalid path: must not be empty: "${path}"`;
  if (path.startsWith('/')) return `invalid path: must be relative path: ${path}`;
  if (path.length > MAX_PATH_LENGTH) return `invalid path: must be less than or equal to ${MAX_PATH_LENGTH} characters`;
  const items = path.split('/');
  for (const item of items) {
    if (item === '..') return `invalid path: must not contain '..': ${path}`;
    if (item.length > MAX_FILE_NAME_LENGTH) return `invalid path: filenames must be less than or equal to ${MAX_FILE_NAME_LENGTH} characters`;
  }
  // '..'-prefixed names are the writer's own (..data, ..<timestamp>); a key may not shadow them.
  const first = items[0] ?? '';
  if (first.startsWith('..') && first.length > 2) return `invalid path: must not start with '..': ${path}`;
  return undefined;
}

/** filepath.Clean for a relative path that has no '..' left in it. */
export function cleanRelativePath(path: string): string {
  return path.split('/').filter((p) => p !== '' && p !== '.').join('/');
}

function project(data: ReadonlyMap<string, Uint8Array>, items: readonly KeyToPath[] | undefined, defaultMode: number,
  optional: boolean, missingKey: (key: string) => string): PayloadResult {
  const raw = new Map<string, FileProjection>();
  if (items === undefined || items.length === 0) {
    for (const [key, bytes] of data) raw.set(key, { data: bytes, mode: defaultMode });
  } else {
    for (const item of items) {
      const bytes = data.get(item.key);
      if (bytes === undefined) {
        if (optional) continue;
        return { ok: false, message: missingKey(item.key) };
      }
      raw.set(item.path, { data: bytes, mode: item.mode ?? defaultMode });
    }
  }
  const payload: Payload = new Map();
  for (const [path, file] of raw) {
    const invalid = invalidPayloadPath(path);
    if (invalid !== undefined) return { ok: false, message: invalid };
    payload.set(cleanRelativePath(path), file);
  }
  return { ok: true, payload };
}

export interface ProjectedSource {
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

/**
 * A missing Secret is passed as undefined; the caller has already refused it unless the volume is optional, in which
 * case the volume is empty. stringData is honoured as the apiserver would have merged it into data.
 */
export function secretPayload(source: ProjectedSource, secret: Secret | undefined): PayloadResult {
  const data = new Map<string, Uint8Array>();
  for (const [key, value] of Object.entries(secret?.data ?? {})) {
    const bytes = decodeBase64(value);
    if (bytes === undefined) {
      const ref = `${secret?.metadata.namespace ?? 'default'}/${secret?.metadata.name ?? ''}`;
      return { ok: false, message: `secret ${ref} has invalid base64 data in key ${key}` };
    }
    data.set(key, bytes);
  }
  for (const [key, value] of Object.entries(secret?.stringData ?? {})) data.set(key, encodeUtf8(value));
  return project(data, source.items, source.defaultMode ?? DEFAULT_FILE_MODE, source.optional === true,
    (key) => `references non-existent secret key: ${key}`);
}

/** As secretPayload, from data and binaryData (validation keeps a key out of one or the other). */
export function configMapPayload(source: ProjectedSource, configMap: ConfigMap | undefined): PayloadResult {
  const data = new Map<string, Uint8Array>();
  for (const [key, value] of Object.entries(configMap?.binaryData ?? {})) {
    const bytes = decodeBase64(value);
    if (bytes === undefined) {
      const ref = `${configMap?.metadata.namespace ?? 'default'}/${configMap?.metadata.name ?? ''}`;
      return { ok: false, message: `configmap ${ref} has invalid base64 binaryData in key ${key}` };
    }
    data.set(key, bytes);
  }
  for (const [key, value] of Object.entries(configMap?.data ?? {})) data.set(key, encodeUtf8(value));
  return project(data, source.items, source.defaultMode ?? DEFAULT_FILE_MODE, source.optional === true,
    (key) => `configmap references non-existent config key: ${key}`);
}

function version(meta: ObjectMeta | undefined): string {
  return meta === undefined ? '-' : `${meta.uid ?? ''}@${meta.resourceVersion ?? ''}`;
}

/**
 * The object each Secret and ConfigMap volume of a pod projects, as it is now (uid and resourceVersion, "-" when
 * missing), by volume name. A volume whose entry changes is projected again, as the kubelet does on its periodic sync.
 */
export function projectedVersions(pod: Pod, sources: { secrets: ReadonlyMap<string, Secret>; configMaps: ReadonlyMap<string, ConfigMap> }): Map<string, string> {
  return new Map((pod.spec.volumes ?? []).flatMap((v): [string, string][] => {
    if (v.secret !== undefined) return [[v.name, `secret/${v.secret.secretName ?? ''}=${version(sources.secrets.get(v.secret.secretName ?? '')?.metadata)}`]];
    if (v.configMap !== undefined) return [[v.name, `configmap/${v.configMap.name ?? ''}=${version(sources.configMaps.get(v.configMap.name ?? '')?.metadata)}`]];
    return [];
  }));
}
