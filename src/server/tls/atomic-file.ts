// Private files (keys, certificates, tokens, kubeconfigs): written to a temporary sibling with
// mode 0600, fsynced, then renamed over the target, so a crash never leaves a half-written key
// and a reader never sees a partial file.

import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';

/**
 * Creates `dir` and any missing parents with mode 0700. An existing directory is left as it is
 * unless `tighten` is set (only for directories podd owns outright, never e.g. `/tmp`).
 */
export async function ensurePrivateDir(dir: string, tighten = false): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (tighten) await chmod(dir, 0o700);
}

/** Writes `text` to `path` atomically with mode 0600. The parent directory must exist. */
export async function writePrivateFileAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    try {
      await fh.writeFile(text, 'utf8');
      await fh.chmod(0o600); // umask cannot widen 0600, but an inherited ACL default could
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
