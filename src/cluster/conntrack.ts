// conntrack(8) as the service proxy uses it: delete the UDP flows a rules change left pointing nowhere.
import { execFile } from 'node:child_process';
import { conntrackDeleteArgs, type ConntrackDeletion } from '../core/proxy/conntrack.js';

export interface ConntrackRunner {
  delete(deletion: ConntrackDeletion): Promise<void>;
}

/** conntrack's exit status 1 with this on stderr only means nothing matched. */
const NOTHING_DELETED = /0 flow entries have been deleted/;

export class ConntrackCli implements ConntrackRunner {
  constructor(private readonly bin = 'conntrack') {}

  delete(deletion: ConntrackDeletion): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile(this.bin, conntrackDeleteArgs(deletion), { timeout: 10_000, env: { ...process.env, LC_ALL: 'C' } }, (err, _stdout, stderr) => {
        if (err === null || NOTHING_DELETED.test(stderr)) resolve();
        else reject(new Error(`${this.bin} ${conntrackDeleteArgs(deletion).join(' ')}: ${(stderr || err.message).trim()}`, { cause: err }));
      });
    });
  }
}
