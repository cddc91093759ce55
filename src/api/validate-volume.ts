// spec.volumes (ValidateVolumes, validateVolumeSource and the per-source checks podd supports).
import { duplicate, forbidden, invalid, notSupported, required } from './field-errors.js';
import type { FieldError } from './field-errors.js';
import { FILE_MODE_ERROR_MSG, isDNS1123Label } from './formats.js';
import { parseQuantityExact } from './quantity.js';
import { validateLocalNonReservedPath, validatePathNoBacksteps } from './validate-paths.js';
import type { KeyToPath, Volume } from './types.js';

// sets.List order, i.e. sorted, which is how the apiserver prints them.
export const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

export interface VolumesResult {
  readonly volumes: ReadonlyMap<string, Volume>;
  readonly errors: FieldError[];
}

export function validateVolumes(volumes: readonly Volume[], path: string): VolumesResult {
  const valid = new Map<string, Volume>();
  const errors: FieldError[] = [];
  volumes.forEach((v, i) => {
    const p = `${path}[${i}]`;
    const errs = validateVolumeSource(v, p);
    const name = v.name ?? '';
    if (name === '') errs.push(required(`${p}.name`));
    else errs.push(...isDNS1123Label(name).map((m) => invalid(`${p}.name`, name, m)));
    if (valid.has(name)) errs.push(duplicate(`${p}.name`, name));
    // Only error-free volumes can be mounted: a mount of a broken volume also reports Not found.
    if (errs.length === 0) valid.set(name, v);
    else errors.push(...errs);
  });
  return { volumes: valid, errors };
}

function validateVolumeSource(v: Volume, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  const source = (field: string, check: () => FieldError[]): void => {
    if (count > 0) {
      errs.push(forbidden(`${path}.${field}`, 'may not specify more than 1 volume type'));
      return;
    }
    count++;
    errs.push(...check());
  };
  if (v.emptyDir !== undefined) {
    const sizeLimit = v.emptyDir.sizeLimit;
    source('emptyDir', () => {
      if (sizeLimit === undefined) return [];
      const q = parseQuantityExact(sizeLimit);
      return q.ok && q.value.nanos < 0n
        ? [forbidden(`${path}.emptyDir.sizeLimit`, 'SizeLimit field must be a valid resource quantity')]
        : [];
    });
  }
  if (v.hostPath !== undefined) {
    const hp = v.hostPath;
    source('hostPath', () => {
      const hostPath = hp.path ?? '';
      if (hostPath === '') return [required(`${path}.hostPath.path`)];
      const e = validatePathNoBacksteps(hostPath, `${path}.hostPath.path`);
      if (hp.type !== undefined && !HOST_PATH_TYPES.includes(hp.type)) e.push(notSupported(`${path}.hostPath.type`, hp.type, HOST_PATH_TYPES));
      return e;
    });
  }
  if (v.secret !== undefined) {
    const s = v.secret;
    source('secret', () => [
      ...((s.secretName ?? '') === '' ? [required(`${path}.secret.secretName`)] : []),
      ...validateProjection(s.defaultMode, s.items, `${path}.secret`),
    ]);
  }
  if (v.configMap !== undefined) {
    const c = v.configMap;
    source('configMap', () => [
      ...((c.name ?? '') === '' ? [required(`${path}.configMap.name`)] : []),
      ...validateProjection(c.defaultMode, c.items, `${path}.configMap`),
    ]);
  }
  if (count === 0) errs.push(required(path, 'must specify a volume type'));
  return errs;
}

function validFileMode(mode: number): boolean {
  return mode >= 0 && mode <= 0o777;
}

function validateProjection(defaultMode: number | undefined, items: readonly KeyToPath[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (defaultMode !== undefined && !validFileMode(defaultMode)) errs.push(invalid(`${path}.defaultMode`, defaultMode, FILE_MODE_ERROR_MSG));
  (items ?? []).forEach((kp, i) => {
    const p = `${path}.items[${i}]`;
    if ((kp.key ?? '') === '') errs.push(required(`${p}.key`));
    const target = kp.path ?? '';
    if (target === '') errs.push(required(`${p}.path`));
    errs.push(...validateLocalNonReservedPath(target, `${p}.path`));
    if (kp.mode !== undefined && !validFileMode(kp.mode)) errs.push(invalid(`${p}.mode`, kp.mode, FILE_MODE_ERROR_MSG));
  });
  return errs;
}
