// Unpacks one layer tar into a directory, the way overlayfs wants to stack it.
//
// We read the tar with node-tar's Parser but write entries ourselves: node-tar's Unpack rewrites
// absolute symlink targets ("/bin/busybox" becomes "bin/busybox") and refuses symlinks whose
// target crosses another symlink, both of which break ordinary container images. Confinement is
// enforced here instead: no absolute or ".." entry paths, and no writing through a symlink.
import { execFile } from 'node:child_process';
import { chmod, chown, lchown, link, lstat, lutimes, mkdir, open, readFile, rm, symlink, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Parser, type ReadEntry } from 'tar';
import { PoddError, wrap } from '../../core/errors.js';
import { isErrno, relativeParts } from './fs-util.js';

const execFileAsync = promisify(execFile);

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

/** Device nodes and xattrs have no node API; these are the two external tools layers need. */
async function mknod(path: string, kind: 'c' | 'b' | 'p', major = 0, minor = 0): Promise<void> {
  const args = kind === 'p' ? [path, 'p'] : [path, kind, String(major), String(minor)];
  await execFileAsync('mknod', args);
}

async function setOpaque(dir: string): Promise<void> {
  try {
    await execFileAsync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', dir]);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) {
      throw new PoddError('FailedPrecondition', 'setfattr not found: install the "attr" package', { cause: err });
    }
    throw err;
  }
}

function tarError(err: unknown): PoddError {
  const message = err instanceof Error ? err.message : String(err);
  return new PoddError('Invalid', `bad layer tar: ${message}`, { cause: err });
}

/**
 * Who we create files as, and the umask: when they already give a file the owner and mode the
 * entry wants, the chown/chmod calls are skipped (a third of the syscalls for a typical layer).
 */
export interface Creator {
  uid: number;
  gid: number;
  umask: number;
}

/** This process as a file creator (the umask from /proc: process.umask() cannot read it without setting it). */
export async function processCreator(): Promise<Creator> {
  const status = await readFile('/proc/self/status', 'utf8');
  const umask = /^Umask:\s*([0-7]+)$/m.exec(status)?.[1];
  return {
    uid: process.geteuid?.() ?? 0,
    gid: process.getegid?.() ?? 0,
    // Unknown umask: assume the strictest, so chmod is never wrongly skipped.
    umask: umask === undefined ? 0o777 : parseInt(umask, 8),
  };
}

class LayerWriter {
  /** Directories known to be real directories (not symlinks) inside the layer. */
  private readonly verified = new Set<string>();
  private readonly dirTimes = new Map<string, Date>();
  /** Set-group-ID directories, where new files take the directory's group instead of ours. */
  private readonly setgidDirs = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly creator: Creator,
  ) {}

  async apply(entry: ReadEntry): Promise<void> {
    const parts = relativeParts(entry.path, 'layer entry');
    const name = parts[parts.length - 1];
    if (name === undefined) return this.applyRoot(entry);
    // AUFS bookkeeping (".wh..wh.plnk/…" and the like) has no meaning outside AUFS.
    if (parts.some((part) => part.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX) && part !== OPAQUE_MARKER)) return;
    if (name.startsWith(WHITEOUT_PREFIX)) return this.applyWhiteout(parts, name);

    await this.ensureParents(parts);
    const rel = parts.join('/');
    const abs = join(this.root, rel);
    const uid = entry.uid ?? 0;
    const gid = entry.gid ?? 0;
    switch (entry.type) {
      case 'Directory':
      case 'GNUDumpDir':
        await this.ensureDir(rel, abs);
        await this.setDirAttributes(rel, abs, entry);
        return;
      case 'File':
      case 'OldFile':
      case 'ContiguousFile':
        await this.clear(rel, abs);
        return this.writeFile(entry, rel, abs);
      case 'SymbolicLink':
        if (!entry.linkpath) throw new PoddError('Invalid', `symbolic link "${entry.path}" has no target`);
        await this.clear(rel, abs);
        // The target is stored verbatim: it is resolved inside the container's root at run time.
        await symlink(entry.linkpath, abs);
        await lchown(abs, uid, gid);
        if (entry.mtime) await lutimes(abs, entry.mtime, entry.mtime);
        return;
      case 'Link':
        return this.hardLink(entry, rel, abs);
      case 'CharacterDevice':
      case 'BlockDevice':
      case 'FIFO': {
        await this.clear(rel, abs);
        const kind = entry.type === 'FIFO' ? 'p' : entry.type === 'BlockDevice' ? 'b' : 'c';
        await mknod(abs, kind, entry.header.devmaj, entry.header.devmin);
        await chown(abs, uid, gid);
        await chmod(abs, entry.mode ?? 0o644);
        if (entry.mtime) await utimes(abs, entry.mtime, entry.mtime);
        return;
      }
      default:
        throw new PoddError('Invalid', `layer entry "${entry.path}" has unsupported type ${entry.type}`);
    }
  }

  /** Directory mtimes last: creating children would have bumped them. */
  async finish(): Promise<void> {
    for (const [abs, time] of this.dirTimes) {
      const st = await lstat(abs).catch(() => undefined);
      if (st?.isDirectory()) await utimes(abs, time, time);
    }
  }

  private async applyRoot(entry: ReadEntry): Promise<void> {
    if (entry.type !== 'Directory') {
      throw new PoddError('Invalid', `layer entry "${entry.path}" would replace the layer root`);
    }
    await this.setDirAttributes('', this.root, entry);
  }

  private async setDirAttributes(rel: string, abs: string, entry: ReadEntry): Promise<void> {
    const mode = entry.mode ?? 0o755;
    await chown(abs, entry.uid ?? 0, entry.gid ?? 0);
    await chmod(abs, mode);
    if (mode & 0o2000) this.setgidDirs.add(rel);
    else this.setgidDirs.delete(rel);
    if (entry.mtime) this.dirTimes.set(abs, entry.mtime);
  }

  private async writeFile(entry: ReadEntry, rel: string, abs: string): Promise<void> {
    const mode = entry.mode ?? 0o644;
    const uid = entry.uid ?? 0;
    const gid = entry.gid ?? 0;
    // 'wx' (O_EXCL) never follows a symlink that is in the way; that is cleared and we retry.
    const create = (): ReturnType<typeof open> => open(abs, 'wx', mode & 0o777);
    const handle = await create().catch(async (err: unknown) => {
      if (!isErrno(err, 'EEXIST')) throw err;
      await this.clear(rel, abs);
      return create();
    });
    try {
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        let offset = 0;
        while (offset < chunk.length) {
          const { bytesWritten } = await handle.write(chunk, offset);
          offset += bytesWritten;
        }
      }
      const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
      if (uid !== this.creator.uid || gid !== this.creator.gid || this.setgidDirs.has(parent)) {
        await handle.chown(uid, gid);
      }
      // Set-id bits are never given by open() and would be cleared by chown: chmod after it.
      if (mode & 0o7000 || mode & 0o777 & this.creator.umask) await handle.chmod(mode);
      if (entry.mtime) await handle.utimes(entry.mtime, entry.mtime);
    } finally {
      await handle.close();
    }
  }

  // OCI whiteouts become overlayfs ones: ".wh.x" a 0/0 char device named x, ".wh..wh..opq" the
  // opaque xattr on its directory. Both hide only lower layers, so content of this layer wins.
  private async applyWhiteout(parts: string[], name: string): Promise<void> {
    await this.ensureParents(parts);
    const dirAbs = join(this.root, ...parts.slice(0, -1));
    if (name === OPAQUE_MARKER) return setOpaque(dirAbs);
    const target = name.slice(WHITEOUT_PREFIX.length);
    if (target === '.' || target === '..') {
      throw new PoddError('Invalid', `layer whiteout "${parts.join('/')}" names "${target}"`);
    }
    const abs = join(dirAbs, target);
    const existing = await lstat(abs).catch((err: unknown) => {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    });
    if (existing === undefined) await mknod(abs, 'c', 0, 0);
  }

  private async hardLink(entry: ReadEntry, rel: string, abs: string): Promise<void> {
    const targetParts = relativeParts(entry.linkpath ?? '', 'hard link target');
    const targetRel = targetParts.join('/');
    if (targetParts.length === 0) throw new PoddError('Invalid', `hard link "${entry.path}" has no target`);
    if (targetRel === rel) return;
    await this.ensureParents(targetParts, false);
    const targetAbs = join(this.root, targetRel);
    const st = await lstat(targetAbs).catch(() => undefined);
    if (st === undefined || st.isDirectory()) {
      throw new PoddError('Invalid', `hard link "${entry.path}" points to "${entry.linkpath ?? ''}", which is not a file in this layer`);
    }
    await this.clear(rel, abs);
    await link(targetAbs, abs);
  }

  /** Checks (and with create, makes) every parent of parts as a real directory, never a symlink. */
  private async ensureParents(parts: string[], create = true): Promise<void> {
    for (let i = 1; i < parts.length; i++) {
      const rel = parts.slice(0, i).join('/');
      if (this.verified.has(rel)) continue;
      const abs = join(this.root, rel);
      const st = await lstat(abs).catch((err: unknown) => {
        if (isErrno(err, 'ENOENT')) return undefined;
        throw err;
      });
      if (st === undefined) {
        if (!create) throw new PoddError('Invalid', `layer path "${parts.join('/')}": "${rel}" does not exist`);
        await mkdir(abs, { mode: 0o755 });
      } else if (st.isSymbolicLink()) {
        throw new PoddError('Invalid', `layer path "${parts.join('/')}" goes through the symbolic link "${rel}"`);
      } else if (!st.isDirectory()) {
        throw new PoddError('Invalid', `layer path "${parts.join('/')}": "${rel}" is not a directory`);
      }
      this.verified.add(rel);
    }
  }

  private async ensureDir(rel: string, abs: string): Promise<void> {
    const st = await lstat(abs).catch(() => undefined);
    if (st?.isDirectory()) return;
    if (st !== undefined) await this.clear(rel, abs);
    await mkdir(abs, { mode: 0o755 });
  }

  /** Removes whatever is at the path, so the new entry replaces it (tar semantics). */
  private async clear(rel: string, abs: string): Promise<void> {
    const st = await lstat(abs).catch(() => undefined);
    if (st === undefined) return;
    if (!st.isDirectory()) return unlink(abs);
    await rm(abs, { recursive: true, force: true });
    for (const known of this.verified) {
      if (known === rel || known.startsWith(rel + '/')) this.verified.delete(known);
    }
    for (const dir of this.dirTimes.keys()) {
      if (dir === abs || dir.startsWith(abs + '/')) this.dirTimes.delete(dir);
    }
  }
}

/**
 * Applies an uncompressed layer tar, given as chunks, to `dir` (an existing, empty directory).
 * Throws PoddError('Invalid') for malformed or unsafe archives (errors thrown by `chunks` pass
 * through with their code, others become Internal); the caller discards `dir` on failure.
 */
export async function applyLayer(chunks: AsyncIterable<Uint8Array>, dir: string, creator?: Creator): Promise<void> {
  const writer = new LayerWriter(dir, creator ?? (await processCreator()));
  const parser = new Parser({ strict: true });
  let failure: unknown;
  let work: Promise<void> = Promise.resolve();
  let wakeFeeder: (() => void) | undefined;
  const fail = (err: unknown): void => {
    failure ??= err;
    wakeFeeder?.();
  };

  // The parser emits one entry at a time (the next after this one ends), so chaining keeps order.
  parser.on('entry', (entry: ReadEntry) => {
    work = work.then(async () => {
      try {
        if (failure === undefined) await writer.apply(entry);
      } catch (err) {
        fail(err);
      } finally {
        entry.resume();
      }
    });
  });
  parser.on('ignoredEntry', (entry: ReadEntry) => {
    fail(new PoddError('Invalid', `layer entry "${entry.path}" has unsupported type ${entry.type}`));
  });
  parser.on('error', (err: unknown) => fail(tarError(err)));
  const ended = new Promise<void>((resolve) => parser.once('end', () => resolve()));

  try {
    for await (const chunk of chunks) {
      if (failure !== undefined) break;
      if (!parser.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
        await new Promise<void>((resolve) => {
          wakeFeeder = resolve;
          parser.once('drain', () => resolve());
        });
        wakeFeeder = undefined;
      }
    }
  } catch (err) {
    fail(err);
  }
  // Ending the parser also ends an entry cut short, so a writer waiting for its body returns.
  parser.end();
  if (failure === undefined) await Promise.race([ended, new Promise<void>((resolve) => (wakeFeeder = resolve))]);
  for (let settled: Promise<void> | undefined; settled !== work; ) {
    settled = work;
    await settled;
  }
  if (failure !== undefined) throw failure instanceof PoddError ? failure : wrap(failure, 'failed to unpack layer');
  await writer.finish();
}
