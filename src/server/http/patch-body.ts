// PATCH bodies by Content-Type: parsing, and applying the non-apply kinds to the current object.

import { badRequestStatus, patchNotApplicableStatus } from '../wire/status.js';
import { parseYamlBody } from './body.js';
import { JsonPatchError, applyJsonPatch } from './json-patch.js';
import { isRecord, parseJsonBody } from './objects.js';
import { mergePatch, strategicMergePatch } from './patch.js';
import { HttpError } from './respond.js';

export const APPLY_PATCH = 'application/apply-patch+yaml';
const JSON_PATCH = 'application/json-patch+json';
const MERGE_PATCH = 'application/merge-patch+json';
export const PATCH_TYPES = [JSON_PATCH, MERGE_PATCH, 'application/strategic-merge-patch+json', APPLY_PATCH];

export function parsePatchBody(body: Buffer, type: string): unknown {
  const patch = type === APPLY_PATCH ? parseYamlBody(body) : parseJsonBody(body);
  if (type !== JSON_PATCH && !isRecord(patch)) throw new HttpError(400, badRequestStatus('the patch is not a JSON object'));
  return patch;
}

/** `base` patched; HttpError 400 for a malformed JSON patch, 422 for one that does not apply. */
export function applyPatch(type: string, base: Record<string, unknown>, patch: unknown): unknown {
  if (type === MERGE_PATCH) return mergePatch(base, patch);
  if (type !== JSON_PATCH) return strategicMergePatch(base, patch);
  try {
    return applyJsonPatch(base, patch);
  } catch (err) {
    if (!(err instanceof JsonPatchError)) throw err;
    throw new HttpError(err.malformed ? 400 : 422, err.malformed ? badRequestStatus(err.message) : patchNotApplicableStatus(err.message));
  }
}
