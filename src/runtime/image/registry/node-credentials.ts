// The node's own registry credentials: the first docker config file in the search order that
// exists and parses (the kubelet reads one file, it does not merge them). Read on every pull, so
// a `docker login` written meanwhile takes effect without a restart.
import { readFile } from 'node:fs/promises';
import { parseDockerConfig, type DockerConfig } from '../../../core/image/docker-config.js';
import { isErrno } from '../fs-util.js';

export interface NodeCredentials {
  config: DockerConfig;
  /** The file it came from. */
  file?: string;
  /** Files that exist but could not be used, with why (shown when a pull fails for want of credentials). */
  skipped: string[];
}

export async function readNodeCredentials(files: readonly string[]): Promise<NodeCredentials> {
  const skipped: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) continue;
      skipped.push(`${file}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    try {
      return { config: parseDockerConfig(text, file), file, skipped };
    } catch (err) {
      skipped.push(err instanceof Error ? err.message : String(err));
    }
  }
  return { config: [], skipped };
}
