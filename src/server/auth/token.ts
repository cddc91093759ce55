// The API's single credential: a random bearer token kept in a 0600 file and copied into the
// kubeconfig podd writes. Every request must present it (`Authorization: Bearer <token>`).

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PoddError } from '../../core/errors.js';
import { ensurePrivateDir, writePrivateFileAtomic } from '../tls/atomic-file.js';

/** RFC 6750 b64token characters; at least 16 so a hand-placed token is not trivially guessable. */
const TOKEN_RE = /^[A-Za-z0-9\-._~+/]{16,}=*$/;

function isErrnoCode(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}

/**
 * Returns the token stored in `file`, creating it (32 random bytes, hex, mode 0600, parent
 * directory 0700) when absent. An existing file is reused (and tightened to 0600); one whose
 * content is not a usable token is a FailedPrecondition, never silently replaced, because
 * replacing it would lock out every kubeconfig already handed out.
 */
export async function ensureToken(file: string): Promise<string> {
  let existing: string | undefined;
  try {
    existing = await readFile(file, 'utf8');
  } catch (err) {
    if (!isErrnoCode(err, 'ENOENT')) throw new PoddError('Internal', `reading token file ${file}: ${String(err)}`, { cause: err });
  }
  if (existing !== undefined) {
    const token = existing.trim();
    if (!TOKEN_RE.test(token)) {
      throw new PoddError('FailedPrecondition', `token file ${file} does not hold a valid bearer token; delete it to generate a new one`);
    }
    await chmod(file, 0o600);
    return token;
  }
  const token = randomBytes(32).toString('hex');
  await ensurePrivateDir(dirname(file));
  await writePrivateFileAtomic(file, `${token}\n`);
  return token;
}

/**
 * True when `header` is `Bearer <token>` (scheme case-insensitive) for exactly `token`. Both
 * sides are hashed first so the comparison is constant-time and does not leak the length.
 */
export function checkBearer(header: string | undefined, token: string): boolean {
  if (header === undefined || token === '') return false;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  const presented = m?.[1];
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(token, 'utf8').digest();
  return timingSafeEqual(a, b);
}
