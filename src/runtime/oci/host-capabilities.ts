// The capabilities podd itself holds: a container can get no more (runc fails to apply any other).
import { readFileSync } from 'node:fs';
import { capabilitiesFromMask } from '../../core/oci/defaults.js';

export function hostCapabilities(statusFile = '/proc/self/status'): string[] {
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync(statusFile, 'utf8'));
  return capabilitiesFromMask(m?.[1] ?? '0');
}
