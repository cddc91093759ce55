// Mount table reading and the mount/umount calls volumes need. The mount table, not our own records, is the truth
// about what is mounted: after a crash it is all there is.
import { execFile } from 'node:child_process';
import { lstat, readFile, realpath, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { PoddError } from '../../core/errors.js';

const execFileAsync = promisify(execFile);

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
  superOptions: string;
}

function unescape(field: string): string {
  // the kernel octal-escapes space, tab, newline and backslash in mountinfo paths
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** proc(5): `id parent major:minor root mountPoint options [optional...] - fsType source superOptions`. */
export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const fields = line.split(' ');
    const sep = fields.indexOf('-', 6);
    if (sep < 0 || fields[4] === undefined) continue;
    out.push({
      mountPoint: unescape(fields[4]),
      fsType: fields[sep + 1] ?? '',
      source: unescape(fields[sep + 2] ?? ''),
      superOptions: fields[sep + 3] ?? '',
    });
  }
  return out;
}

export async function readMounts(): Promise<MountEntry[]> {
  return parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
}

/** The mount table names resolved paths; a path through a symlink (/tmp on some hosts) would never match. */
export async function resolvedPath(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    // not there (yet): resolve the part that exists
    const parent = dirname(path);
    return parent === path ? path : join(await resolvedPath(parent), basename(path));
  }
}

/** Mounts at or below `dir`, deepest first, each occurrence of a stacked mount point listed. */
export async function mountsUnder(dir: string): Promise<MountEntry[]> {
  const base = await resolvedPath(dir);
  const under = (await readMounts()).filter((m) => m.mountPoint === base || m.mountPoint.startsWith(`${base}/`));
  return under.reverse().sort((a, b) => b.mountPoint.split('/').length - a.mountPoint.split('/').length);
}

/** The topmost mount at exactly `path`, if `path` is a mount point. */
export async function mountAt(path: string): Promise<MountEntry | undefined> {
  const real = await resolvedPath(path);
  return (await readMounts()).filter((m) => m.mountPoint === real).at(-1);
}

function stderrOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'stderr' in err ? String(err.stderr).trim() : '';
}

async function run(command: string, args: string[]): Promise<void> {
  try {
    await execFileAsync(command, args);
  } catch (err) {
    const stderr = stderrOf(err);
    throw new PoddError('Internal', `${command} ${args.join(' ')} failed${stderr === '' ? '' : `: ${stderr}`}`, { cause: err });
  }
}

/** `options` are tmpfs options such as size=<bytes>; none means the kernel defaults. */
export async function mountTmpfs(dir: string, options: readonly string[]): Promise<void> {
  await run('mount', ['-t', 'tmpfs', ...(options.length > 0 ? ['-o', options.join(',')] : []), 'tmpfs', dir]);
}

/** No canonicalisation: the source may be a /proc/<pid>/fd/<n> link that must reach mount(2) as it is. */
export async function bindMount(source: string, target: string): Promise<void> {
  await run('mount', ['--no-canonicalize', '--bind', source, target]);
}

/** Unmounts one mount at `path`; a lazy detach only when the plain unmount says the mount is busy. */
export async function unmount(path: string): Promise<void> {
  try {
    await execFileAsync('umount', [path]);
  } catch (err) {
    const stderr = stderrOf(err);
    if (/busy/i.test(stderr)) return run('umount', ['-l', path]);
    if ((await mountAt(path)) === undefined) return; // someone else unmounted it meanwhile
    throw new PoddError('Internal', `umount ${path} failed${stderr === '' ? '' : `: ${stderr}`}`, { cause: err });
  }
}

/** Unmounts everything at or below `dir`, deepest first, until nothing is left (stacked mounts take several passes). */
export async function unmountAllUnder(dir: string): Promise<void> {
  for (let pass = 0; pass < 16; pass++) {
    const mounts = await mountsUnder(dir);
    if (mounts.length === 0) return;
    for (const m of mounts) await unmount(m.mountPoint);
  }
  const left = await mountsUnder(dir);
  if (left.length > 0) throw new PoddError('Internal', `mounts remain under ${dir}: ${left.map((m) => m.mountPoint).join(', ')}`);
}

/**
 * rm -rf that refuses to run while anything is mounted below `path`: a recursive delete crosses mount points, and
 * a bind-mounted hostPath must never be emptied by a cleanup.
 */
export async function removeTree(path: string): Promise<void> {
  try {
    await lstat(path);
  } catch {
    return;
  }
  const mounted = await mountsUnder(path);
  if (mounted.length > 0) {
    throw new PoddError('FailedPrecondition', `refusing to remove ${path}: ${mounted.map((m) => m.mountPoint).join(', ')} still mounted`);
  }
  await rm(path, { recursive: true, force: true });
}
