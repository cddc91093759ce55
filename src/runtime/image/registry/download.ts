// Layer blobs to disk: streamed through a DigestVerifier into a temporary file in the store's
// downloads dir, fsynced, and renamed to its digest only once verified. A blob that fails the
// check, or a download cut short, never appears under a digest name; two processes fetching the
// same blob each rename a complete, identical file, so the second rename is harmless.
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PoddError } from '../../../core/errors.js';
import type { Descriptor } from '../../../core/image/manifest.js';
import { exists, syncDir, tempName } from '../fs-util.js';
import { digestHex } from '../layers.js';
import { discard, header, type RegistryClient } from './client.js';
import { DigestVerifier } from './verify.js';

/** The verified blob's path in `dir`, downloading it unless an earlier (interrupted) pull already did. */
export async function downloadBlob(
  client: RegistryClient,
  desc: Descriptor,
  dir: string,
  onBytes: (current: number) => void,
): Promise<{ path: string; downloaded: number }> {
  const final = join(dir, digestHex(desc.digest));
  if (await exists(final)) return { path: final, downloaded: 0 };
  const res = await client.getBlob(desc.digest);
  const length = header(res, 'content-length');
  if (length !== undefined && Number(length) !== desc.size) {
    discard(res.body);
    throw new PoddError('Invalid', `blob ${desc.digest}: the registry sends ${length} bytes, the manifest says ${desc.size}`);
  }
  const tmp = join(dir, tempName(digestHex(desc.digest)));
  const verifier = new DigestVerifier(desc, onBytes);
  try {
    await pipeline(res.body, verifier, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
    const handle = await open(tmp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, final);
    await syncDir(dir);
  } catch (err) {
    discard(res.body);
    await rm(tmp, { force: true });
    if (err instanceof PoddError) throw err;
    throw new PoddError('Unavailable', `failed to download blob ${desc.digest}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return { path: final, downloaded: verifier.bytes };
}
