// Shared by the validate*.test.ts files: pod manifests as text, and what the apiserver says about them.
import assert from 'node:assert/strict';
import { decodeManifests } from './decode.js';
import { defaultPod } from './defaults.js';
import { renderFieldError } from './field-errors.js';
import { validatePod } from './validate.js';

export const LABEL_RULE = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end "
  + "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
export const SUBDOMAIN_RULE = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and "
  + "end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
  + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
export const INIT_FORBIDDEN = 'Forbidden: may not be set for init containers without restartPolicy=Always';
export const MODE_RULE = 'must be a number between 0 and 0777 (octal), both inclusive';
export const APP = 'containers: [{name: app, image: nginx}]';

/** A pod manifest: metadata `{name: web}` unless given, then the spec lines (indented by two). */
export function manifest(spec: string, metadata = '{name: web}'): string {
  const body = spec.trim().split('\n').map((l) => `  ${l}`).join('\n');
  return `apiVersion: v1\nkind: Pod\nmetadata: ${metadata}\nspec:\n${body}\n`;
}

/** What `kubectl create` would report: decode, default, validate. */
export function errorsOf(text: string): string[] {
  const [obj] = decodeManifests(text);
  assert.ok(obj !== undefined && obj.kind === 'Pod');
  return validatePod(defaultPod(obj)).map(renderFieldError);
}

export interface Case { name: string; text: string; want: string[] }

export function run(cases: Case[]): void {
  for (const c of cases) assert.deepEqual(errorsOf(c.text), c.want, c.name);
}
