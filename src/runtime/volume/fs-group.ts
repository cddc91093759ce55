// The kubelet's SetVolumeOwnership for pod.spec.securityContext.fsGroup: everything in the volume gets the group,
// group read (and write unless the volume is read-only), and directories get setgid so new files inherit the group.
import { chmod, lchown, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const RW_MASK = 0o660;
const RO_MASK = 0o440;
const EXEC_MASK = 0o110;
const SETGID = 0o2000;

/** `recursive: false` treats only `dir` itself (a volume root whose content is handled separately). */
export async function setVolumeOwnership(dir: string, fsGroup: number, readOnly: boolean, recursive = true): Promise<void> {
  const st = await lstat(dir);
  await lchown(dir, -1, fsGroup);
  if (st.isSymbolicLink()) return; // never follow a link out of the volume
  let mask = readOnly ? RO_MASK : RW_MASK;
  if (st.isDirectory()) mask |= SETGID | EXEC_MASK;
  await chmod(dir, (st.mode & 0o7777) | mask);
  if (!st.isDirectory() || !recursive) return;
  for (const entry of await readdir(dir)) await setVolumeOwnership(join(dir, entry), fsGroup, readOnly);
}
