// `podd kubeconfig`: this node's kubeconfig, for `podd kubeconfig > ~/.kube/config`. The file `podd serve` wrote is
// printed as it is; without one (or with --server) it is made again from <dataDir>/pki exactly as serve makes it.
// Nothing is generated here: the CA and token must exist (serve creates them), since a new CA or token would not
// be the one the server trusts.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderKubeconfig, writeKubeconfig } from '../../server/auth/kubeconfig.js';
import { PKI_FILES } from '../../server/tls/pki.js';
import { DEFAULT_KUBECONFIG } from '../serve-command.js';
import { parseFlags, bool, str } from './args.js';
import { ClientError, UsageError } from './errors.js';

export const KUBECONFIG_USAGE = 'kubeconfig [--server URL] [--kubeconfig FILE] [--output FILE]';
const DEFAULT_SERVER = 'https://127.0.0.1:6443';

function readPki(dataDir: string): { caPem: string; token: string } {
  const dir = join(dataDir, 'pki');
  const ca = join(dir, PKI_FILES.caCert);
  const tokenFile = join(dir, 'token');
  if (!existsSync(ca) || !existsSync(tokenFile)) throw new ClientError(`no CA and token in ${dir} yet: run \`podd serve\` once to create them`);
  return { caPem: readFileSync(ca, 'utf8'), token: readFileSync(tokenFile, 'utf8').trim() };
}

export async function kubeconfigCommand(args: readonly string[], dataDir: string, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values, positionals } = parseFlags(args, { server: { type: 'string' }, output: { type: 'string' } });
  if (bool(values, 'help')) {
    out.write(`usage: podd ${KUBECONFIG_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`usage: podd ${KUBECONFIG_USAGE}`);
  const written = str(values, 'kubeconfig') ?? DEFAULT_KUBECONFIG;
  const server = str(values, 'server');
  let text: string;
  if (server === undefined && existsSync(written)) {
    text = readFileSync(written, 'utf8');
  } else {
    if (server !== undefined && !/^https:\/\//.test(server)) throw new UsageError(`--server must be an https:// URL, not "${server}"`);
    text = renderKubeconfig({ server: server ?? DEFAULT_SERVER, ...readPki(dataDir) });
  }
  const file = str(values, 'output');
  if (file === undefined) out.write(text);
  else await writeKubeconfig(file, text);
  return 0;
}
