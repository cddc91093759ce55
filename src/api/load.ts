// One call from manifest text to objects ready for the store: decode, default, validate.
import { decodeManifests } from './decode.js';
import { defaultConfigMap, defaultPod, defaultSecret } from './defaults.js';
import { InvalidError } from './field-errors.js';
import type { FieldError } from './field-errors.js';
import { validateConfigMap, validatePod, validateSecret } from './validate.js';
import type { ConfigMap, KubeObject, Pod, Secret } from './types.js';

export interface LoadedManifests {
  pods: Pod[];
  secrets: Secret[];
  configMaps: ConfigMap[];
}

/**
 * Throws DecodeError for text the apiserver would refuse to decode (400), and InvalidError with
 * every field error of the first invalid object, in document order (422).
 */
export function parseAndValidate(text: string): LoadedManifests {
  return defaultAndValidate(decodeManifests(text));
}

export function defaultAndValidate(objects: readonly KubeObject[]): LoadedManifests {
  const out: LoadedManifests = { pods: [], secrets: [], configMaps: [] };
  for (const obj of objects) {
    let errors: FieldError[];
    switch (obj.kind) {
      case 'Pod': {
        const pod = defaultPod(obj);
        errors = validatePod(pod);
        out.pods.push(pod);
        break;
      }
      case 'Secret': {
        const secret = defaultSecret(obj);
        errors = validateSecret(secret);
        out.secrets.push(secret);
        break;
      }
      case 'ConfigMap': {
        const cm = defaultConfigMap(obj);
        errors = validateConfigMap(cm);
        out.configMaps.push(cm);
        break;
      }
    }
    if (errors.length > 0) throw new InvalidError(obj.kind, obj.metadata?.name ?? '', errors);
  }
  return out;
}
