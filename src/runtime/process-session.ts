// The processes `runc exec` started: runc makes the exec'd command a session leader and writes its pid to --pid-file,
// so killing that session ends the command and everything it spawned, even after runc itself is gone.
import { readFileSync, readdirSync } from 'node:fs';

/** Every process of the session led by `sid`. */
function sessionMembers(sid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[3]) === sid) out.push(Number(entry));
    } catch {
      // gone between readdir and read
    }
  }
  return out;
}

/** SIGKILLs the session whose leader's pid is in `pidFile`; nothing when the file is missing or names no process. */
export function killExecSession(pidFile: string): void {
  let pid = Number.NaN;
  try {
    pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  for (const p of new Set([pid, ...sessionMembers(pid)])) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
