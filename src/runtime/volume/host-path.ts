// hostPath `type` checks (the kubelet's checkTypeInternal). Paths are followed through symlinks, as os.Stat does.
import { mkdir, open, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

function failed(path: string, what: string): Error {
  return new Error(`hostPath type check failed: ${path} is not ${what}`);
}

/**
 * Throws an Error with the kubelet's message when `path` does not match `type`. DirectoryOrCreate and
 * FileOrCreate create what is missing (0755 directories with their parents; an empty 0644 file whose parent must
 * exist, as the kubelet does not create it).
 */
export async function checkHostPathType(path: string, type: string | undefined): Promise<void> {
  const st = await statOrUndefined(path);
  switch (type ?? '') {
    case '':
      return;
    case 'DirectoryOrCreate':
      if (st === undefined) {
        await mkdir(path, { recursive: true, mode: 0o755 });
        return;
      }
      if (!st.isDirectory()) throw failed(path, 'a directory');
      return;
    case 'Directory':
      if (st?.isDirectory() !== true) throw failed(path, 'a directory');
      return;
    case 'FileOrCreate':
      if (st === undefined) {
        await (await open(path, 'a', 0o644)).close();
        return;
      }
      if (!st.isFile()) throw failed(path, 'a file');
      return;
    case 'File':
      if (st?.isFile() !== true) throw failed(path, 'a file');
      return;
    case 'Socket':
      if (st?.isSocket() !== true) throw failed(path, 'a socket file');
      return;
    case 'CharDevice':
      if (st?.isCharacterDevice() !== true) throw failed(path, 'a character device');
      return;
    case 'BlockDevice':
      if (st?.isBlockDevice() !== true) throw failed(path, 'a block device');
      return;
    default:
      throw new Error(`${type ?? ''} is an invalid volume type`);
  }
}
