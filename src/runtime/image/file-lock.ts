// A cross-process exclusive lock on a file: `podd serve`, `podd run` and `podd pull` may change
// the image index at the same time. Node has no flock(2), so util-linux's `flock` holds it for us:
// `flock FILE cat` starts cat only once the lock is ours; cat echoing our probe byte says so, and
// closing its stdin (or our death, which closes the pipe) ends cat and frees the lock. A stale
// lock file is therefore impossible: the kernel drops the lock with the process.
import { spawn } from 'node:child_process';
import { PoddError } from '../../core/errors.js';

const LOCK_TIMEOUT_MS = 120_000;

export async function withFileLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const child = spawn('flock', ['--exclusive', '--timeout', String(LOCK_TIMEOUT_MS / 1000), path, 'cat'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('error', (err) =>
        reject(new PoddError('FailedPrecondition', `cannot lock ${path}: flock: ${err.message} (install util-linux)`, { cause: err })),
      );
      child.once('exit', (code) => reject(new PoddError('Unavailable', `cannot lock ${path}: flock exited ${code}${stderr === '' ? '' : `: ${stderr.trim()}`}`)));
      child.stdin.write('\n');
    });
  } catch (err) {
    child.kill();
    throw err;
  }
  try {
    return await fn();
  } finally {
    child.stdin.end();
    await exited;
  }
}
