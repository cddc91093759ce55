// Writes the entries of one layer tar into a directory, the way overlayfs wants to stack it.
//
// node-tar's Unpack is not used: it rewrites absolute symlink targets ("/bin/busybox" becomes
// "bin/busybox") and refuses symlinks whose target crosses another symlink, both of which break
// ordinary images. Confinement is enforced here instead: no absolute or ".." entry paths, and
// nothing is ever written through a symlink.
import { execFile } from 'node:child_process';
import { chmod, chown, lchown, link, lstat, lutimes, mkdir, open, rm, symlink, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ReadEntry } from 'tar';
import { PoddError } from '../../core/errors.js';
import type { Xattr } from '../../core/image/tar-xattrs.js';
import { isErrno, relativeParts } from './fs-util.js';

const execFileAsync = promisify(execFile);

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';
/** Small files are buffered and written in parallel: one at a time, fs latency dominates. */
const PARALLEL_FILE_MAX_BYTES = 1 << 20;
const MAX_IN_FLIGHT = 8;

/**
 * Who files are created as, and the umask: when these already give a file the owner and mode
 * its entry wants, chown/chmod are skipped (a third of the syscalls of a typical layer).
 */
export interface Creator {
  uid: number;
  gid: number;
  umask: number;
}

/** Device nodes and xattrs have no node API; these are the two external tools layers need. */
async function mknod(path: string, kind: 'c' | 'b' | 'p', major = 0, minor = 0): Promise<void> {
  await execFileAsync('mknod', kind === 'p' ? [path, 'p'] : [path, kind, String(major), String(minor)]);
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

/**
 * Sets an entry's xattrs (on a symlink itself, never its target). Where the filesystem has no xattrs the layer
 * still applies, as containerd's does; `trusted.overlay.*` is overlayfs's own bookkeeping (opaque, redirect,
 * metacopy) and a layer may only ask for it through OCI whiteouts.
 */
async function setXattrs(path: string, xattrs: readonly Xattr[]): Promise<void> {
  for (const { name, value } of xattrs) {
    if (name.startsWith('trusted.overlay.')) continue;
    try {
      // The C locale: the error text below is matched.
      await execFileAsync('setfattr', ['-h', '-n', name, '-v', `0s${Buffer.from(value).toString('base64')}`, '--', path], { env: { ...process.env, LC_ALL: 'C' } });
    } catch (err) {
      if (isErrno(err, 'ENOENT')) {
        throw new PoddError('FailedPrecondition', 'setfattr not found: install the "attr" package', { cause: err });
      }
      const stderr = String((err as { stderr?: unknown }).stderr ?? '');
      if (/Operation not supported/.test(stderr)) continue;
      throw new PoddError('Invalid', `layer entry "${path}": cannot set xattr ${name}: ${stderr.trim() || String(err)}`, { cause: err });
    }
  }
}

async function lstatOrUndefined(path: string): Promise<Awaited<ReturnType<typeof lstat>> | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

function parentOf(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash === -1 ? '' : rel.slice(0, slash);
}

interface FileJob {
  rel: string;
  abs: string;
  body: Buffer[];
  mode: number;
  uid: number;
  gid: number;
  mtime: Date | undefined;
  inSetgidDir: boolean;
  xattrs: readonly Xattr[];
}

export class LayerWriter {
  /** Directories known to be real directories (not symlinks) inside the layer. */
  private readonly verified = new Set<string>();
  private readonly dirTimes = new Map<string, Date>();
  /** Set-group-ID directories, where new files take the directory's group instead of ours. */
  private readonly setgidDirs = new Set<string>();
  /** Files being written in the background, by relative path. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private failure: unknown;

  constructor(
    private readonly root: string,
    private readonly creator: Creator,
  ) {}

  /** Writes one entry; `xattrs` are the ones its PAX headers carried (node-tar does not read them). */
  async apply(entry: ReadEntry, xattrs: readonly Xattr[] = []): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const parts = relativeParts(entry.path, 'layer entry');
    const name = parts[parts.length - 1];
    if (name === undefined) return this.applyRoot(entry, xattrs);
    // AUFS bookkeeping (".wh..wh.plnk/…" and the like) has no meaning outside AUFS.
    if (parts.some((part) => part.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX) && part !== OPAQUE_MARKER)) return;
    if (name.startsWith(WHITEOUT_PREFIX)) return this.applyWhiteout(parts, name);

    const rel = parts.join('/');
    await this.waitFor(rel);
    await this.ensureParents(parts);
    const abs = join(this.root, rel);
    const uid = entry.uid ?? 0;
    const gid = entry.gid ?? 0;
    switch (entry.type) {
      case 'Directory':
      case 'GNUDumpDir':
        await this.ensureDir(rel, abs);
        return this.setDirAttributes(rel, abs, entry, xattrs);
      case 'File':
      case 'OldFile':
      case 'ContiguousFile':
        return this.file(entry, rel, abs, xattrs);
      case 'SymbolicLink':
        if (!entry.linkpath) throw new PoddError('Invalid', `symbolic link "${entry.path}" has no target`);
        await this.clear(rel, abs);
        // The target is stored verbatim: it is resolved inside the container's root at run time.
        await symlink(entry.linkpath, abs);
        await lchown(abs, uid, gid);
        await setXattrs(abs, xattrs);
        if (entry.mtime) await lutimes(abs, entry.mtime, entry.mtime);
        return;
      case 'Link':
        // A hard link shares its target's inode, and so its xattrs.
        await this.hardLink(entry, rel, abs);
        return setXattrs(abs, xattrs);
      case 'CharacterDevice':
      case 'BlockDevice':
      case 'FIFO': {
        await this.clear(rel, abs);
        const kind = entry.type === 'FIFO' ? 'p' : entry.type === 'BlockDevice' ? 'b' : 'c';
        await mknod(abs, kind, entry.header.devmaj, entry.header.devmin);
        await chown(abs, uid, gid);
        await chmod(abs, entry.mode ?? 0o644);
        await setXattrs(abs, xattrs);
        if (entry.mtime) await utimes(abs, entry.mtime, entry.mtime);
        return;
      }
      default:
        throw new PoddError('Invalid', `layer entry "${entry.path}" has unsupported type ${entry.type}`);
    }
  }

  /** Waits for background writes; then directory mtimes, which creating children would have bumped. */
  async finish(): Promise<void> {
    await this.drain();
    if (this.failure !== undefined) throw this.failure;
    for (const [abs, time] of this.dirTimes) {
      if ((await lstatOrUndefined(abs))?.isDirectory()) await utimes(abs, time, time);
    }
  }

  /** Waits for every background write, whatever happens: the caller may delete the directory next. */
  async drain(): Promise<void> {
    await Promise.all(this.inFlight.values());
  }

  private async applyRoot(entry: ReadEntry, xattrs: readonly Xattr[]): Promise<void> {
    if (entry.type !== 'Directory') {
      throw new PoddError('Invalid', `layer entry "${entry.path}" would replace the layer root`);
    }
    await this.setDirAttributes('', this.root, entry, xattrs);
  }

  // OCI whiteouts become overlayfs ones: ".wh.x" a 0/0 char device named x, ".wh..wh..opq" the
  // opaque xattr on its directory. Both hide only lower layers, so content of this layer wins.
  private async applyWhiteout(parts: string[], name: string): Promise<void> {
    const dirRel = parts.slice(0, -1).join('/');
    const dirAbs = join(this.root, dirRel);
    const target = name === OPAQUE_MARKER ? '' : name.slice(WHITEOUT_PREFIX.length);
    if (target === '.' || target === '..') {
      throw new PoddError('Invalid', `layer whiteout "${parts.join('/')}" names "${target}"`);
    }
    // The path it hides may still be being written by this same layer (which then wins).
    await this.waitFor(target === '' ? dirRel : dirRel === '' ? target : `${dirRel}/${target}`);
    await this.ensureParents(parts);
    if (name === OPAQUE_MARKER) return setOpaque(dirAbs);
    const abs = join(dirAbs, target);
    if ((await lstatOrUndefined(abs)) === undefined) await mknod(abs, 'c', 0, 0);
  }

  private async setDirAttributes(rel: string, abs: string, entry: ReadEntry, xattrs: readonly Xattr[]): Promise<void> {
    const mode = entry.mode ?? 0o755;
    await chown(abs, entry.uid ?? 0, entry.gid ?? 0);
    await chmod(abs, mode);
    await setXattrs(abs, xattrs);
    if (mode & 0o2000) this.setgidDirs.add(rel);
    else this.setgidDirs.delete(rel);
    if (entry.mtime) this.dirTimes.set(abs, entry.mtime);
  }

  private async file(entry: ReadEntry, rel: string, abs: string, xattrs: readonly Xattr[]): Promise<void> {
    const body: Buffer[] = [];
    const job: FileJob = {
      rel, abs, body,
      mode: entry.mode ?? 0o644,
      uid: entry.uid ?? 0,
      gid: entry.gid ?? 0,
      mtime: entry.mtime,
      inSetgidDir: this.setgidDirs.has(parentOf(rel)),
      xattrs,
    };
    if (entry.size > PARALLEL_FILE_MAX_BYTES) return this.writeFile(job, entry as AsyncIterable<Buffer>);
    for await (const chunk of entry as AsyncIterable<Buffer>) body.push(chunk);
    while (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight.values());
    const write = this.writeFile(job, body)
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => this.inFlight.delete(rel));
    this.inFlight.set(rel, write);
  }

  private async writeFile(job: FileJob, body: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<void> {
    // 'wx' (O_EXCL) never follows a symlink that is in the way; that is cleared and we retry.
    const create = (): ReturnType<typeof open> => open(job.abs, 'wx', job.mode & 0o777);
    const handle = await create().catch(async (err: unknown) => {
      if (!isErrno(err, 'EEXIST')) throw err;
      await this.clear(job.rel, job.abs);
      return create();
    });
    try {
      for await (const chunk of body) {
        for (let offset = 0; offset < chunk.length; ) offset += (await handle.write(chunk, offset)).bytesWritten;
      }
      if (job.uid !== this.creator.uid || job.gid !== this.creator.gid || job.inSetgidDir) {
        await handle.chown(job.uid, job.gid);
      }
      // open() never sets set-id bits, and chown clears them: chmod comes last.
      if (job.mode & 0o7000 || job.mode & 0o777 & this.creator.umask) await handle.chmod(job.mode);
      // After chown, which clears security.capability.
      await setXattrs(job.abs, job.xattrs);
      if (job.mtime) await handle.utimes(job.mtime, job.mtime);
    } finally {
      await handle.close();
    }
  }

  private async hardLink(entry: ReadEntry, rel: string, abs: string): Promise<void> {
    const targetParts = relativeParts(entry.linkpath ?? '', 'hard link target');
    const targetRel = targetParts.join('/');
    if (targetParts.length === 0) throw new PoddError('Invalid', `hard link "${entry.path}" has no target`);
    if (targetRel === rel) return;
    await this.waitFor(targetRel);
    await this.ensureParents(targetParts, false);
    const targetAbs = join(this.root, targetRel);
    const st = await lstatOrUndefined(targetAbs);
    if (st === undefined || st.isDirectory()) {
      throw new PoddError('Invalid', `hard link "${entry.path}" points to "${entry.linkpath ?? ''}", which is not a file in this layer`);
    }
    await this.clear(rel, abs);
    await link(targetAbs, abs);
  }

  /** Before touching rel, waits for background writes to it, below it, or to its parents. */
  private async waitFor(rel: string): Promise<void> {
    if (this.inFlight.size === 0) return;
    for (const busy of this.inFlight.keys()) {
      if (busy === rel || busy.startsWith(rel + '/') || rel.startsWith(busy + '/')) return this.drain();
    }
  }

  /** Checks (and with create, makes) every parent of parts as a real directory, never a symlink. */
  private async ensureParents(parts: string[], create = true): Promise<void> {
    for (let i = 1; i < parts.length; i++) {
      const rel = parts.slice(0, i).join('/');
      if (this.verified.has(rel)) continue;
      const abs = join(this.root, rel);
      const st = await lstatOrUndefined(abs);
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
    const st = await lstatOrUndefined(abs);
    if (st?.isDirectory()) return;
    if (st !== undefined) await this.clear(rel, abs);
    await mkdir(abs, { mode: 0o755 });
  }

  /** Removes whatever is at the path, so the new entry replaces it (tar semantics). */
  private async clear(rel: string, abs: string): Promise<void> {
    const st = await lstatOrUndefined(abs);
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
