// tcpSocket probes (pkg/probe/tcp DoTCPProbe): success when a connection opens within the timeout; any dial error
// is a failure quoting Go's message.
import type { ProbeOutcome } from '../../core/probe/types.js';
import type { Dialer } from './dialer.js';

export async function tcpProbe(dialer: Dialer, host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  try {
    const s = await dialer.dial(host, port, timeoutMs);
    s.destroy();
    return { result: 'success', output: '' };
  } catch (err) {
    return { result: 'failure', output: err instanceof Error ? err.message : String(err) };
  }
}
