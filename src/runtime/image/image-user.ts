// Resolves an image's `User` ("1000", "1000:1000", "app", "app:staff") against the image's own /etc/passwd
// and /etc/group, as the CRI runtimes do, reading the topmost layer that has the file.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PoddError } from '../../core/errors.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

async function topmostFile(layersLowestFirst: readonly string[], rel: string): Promise<string> {
  for (const layer of [...layersLowestFirst].reverse()) {
    try {
      return await readFile(join(layer, rel), 'utf8');
    } catch {
      // not in this layer
    }
  }
  return '';
}

function parseTable(text: string): string[][] {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => l.split(':'));
}

const NUMERIC = /^\d+$/;

export async function resolveImageUser(spec: string, layers: readonly string[], overrideUid?: number, overrideGid?: number): Promise<ResolvedUser> {
  const [userPart = '', groupPart] = spec.split(':');
  const passwd = parseTable(await topmostFile(layers, 'etc/passwd'));
  let uid = 0;
  let gid = 0;
  let userName: string | undefined;
  if (overrideUid !== undefined) {
    uid = overrideUid;
    const entry = passwd.find((p) => p[2] === String(uid));
    gid = entry ? Number(entry[3]) : 0;
    userName = entry?.[0];
  } else if (userPart === '') {
    userName = 'root';
  } else if (NUMERIC.test(userPart)) {
    uid = Number(userPart);
    const entry = passwd.find((p) => p[2] === userPart);
    gid = entry ? Number(entry[3]) : 0;
    userName = entry?.[0];
  } else {
    const entry = passwd.find((p) => p[0] === userPart);
    if (!entry) throw new PoddError('FailedPrecondition', `unable to find user ${userPart}: no matching entries in passwd file`);
    uid = Number(entry[2]);
    gid = Number(entry[3]);
    userName = userPart;
  }
  const groups = parseTable(await topmostFile(layers, 'etc/group'));
  if (overrideGid !== undefined) gid = overrideGid;
  else if (groupPart !== undefined && groupPart !== '') {
    if (NUMERIC.test(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((e) => e[0] === groupPart);
      if (!g) throw new PoddError('FailedPrecondition', `unable to find group ${groupPart}: no matching entries in group file`);
      gid = Number(g[2]);
    }
  }
  const additionalGids = userName === undefined
    ? []
    : groups.filter((g) => (g[3] ?? '').split(',').includes(userName) && Number(g[2]) !== gid).map((g) => Number(g[2]));
  return { uid, gid, additionalGids };
}
