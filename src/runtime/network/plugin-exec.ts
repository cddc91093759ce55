// Runs one CNI plugin binary: configuration on stdin, CNI_* in the environment, result or {code,msg} on stdout.
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { NetworkError } from '../../core/network/errors.js';
import { describeFailure, parsePluginFailure } from '../../core/network/result.js';
import type { CniCommand, JsonObject } from '../../core/network/types.js';

export interface PluginCall {
  type: string;
  command: CniCommand;
  env: Record<string, string>;
  config: JsonObject;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The seam tests (and other executors) replace: stdout of a successful run, or a NetworkError. */
export interface PluginInvoker {
  find(type: string): Promise<string>;
  invoke(call: PluginCall): Promise<string>;
}

/** The runtime's environment minus stray CNI_* (a podd started from a plugin's test shell must not leak them). */
function baseEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('CNI_')) out[k] = v;
  // plugins run iptables, ip and modprobe from PATH; a service manager's PATH may lack sbin
  out['PATH'] = [out['PATH'] ?? '', '/usr/local/sbin', '/usr/sbin', '/sbin'].filter((p) => p !== '').join(':');
  return out;
}

export class ExecPluginInvoker implements PluginInvoker {
  constructor(private readonly binDirs: readonly string[]) {}

  async find(type: string): Promise<string> {
    for (const dir of this.binDirs) {
      const candidate = join(dir, type);
      try {
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {
        // try the next directory, as CNI_PATH lookup does
      }
    }
    throw new NetworkError('PluginNotFound', `CNI plugin "${type}" not found in ${this.binDirs.join(', ')}`, { plugin: type });
  }

  async invoke(call: PluginCall): Promise<string> {
    const binary = await this.find(call.type);
    const what = `CNI plugin ${call.type} ${call.command}`;
    return new Promise((resolve, reject) => {
      const child = execFile(
        binary,
        [],
        {
          env: { ...baseEnv(), ...call.env },
          timeout: call.timeoutMs,
          killSignal: 'SIGKILL',
          maxBuffer: 4 * 1024 * 1024,
          ...(call.signal === undefined ? {} : { signal: call.signal }),
        },
        (err, stdout, stderr) => {
          if (!err) return resolve(stdout);
          const info = { plugin: call.type, command: call.command, cause: err };
          if (call.signal?.aborted) return reject(new NetworkError('PluginFailed', `${what}: aborted`, info));
          if (err.killed && err.signal === 'SIGKILL') {
            return reject(new NetworkError('PluginTimeout', `${what} did not finish within ${call.timeoutMs} ms`, info));
          }
          const exit = typeof err.code === 'number' ? `exit status ${err.code}` : err.signal ? `killed by ${err.signal}` : err.message;
          const failure = parsePluginFailure(stdout, stderr, exit);
          const cniCode = failure.cniCode === undefined ? {} : { cniCode: failure.cniCode };
          reject(new NetworkError('PluginFailed', `${what} failed: ${describeFailure(failure)}`, { ...info, ...cniCode }));
        },
      );
      // a plugin that exits without reading stdin closes the pipe under us: its exit status tells what happened
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(JSON.stringify(call.config));
    });
  }
}
