// Runs helper binaries (runc, mount, ...) with their stderr kept for error messages.
import { execFile } from 'node:child_process';
import { PoddError } from '../core/errors.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
}

export function run(file: string, args: readonly string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const detail = (stderr || err.message).trim().split('\n').slice(-3).join('; ');
        reject(new PoddError('Internal', `${file} ${args[0] ?? ''}: ${detail}`, { cause: err }));
        return;
      }
      resolve({ stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}
