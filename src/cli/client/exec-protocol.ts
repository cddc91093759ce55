// The client side of v5.channel.k8s.io (kubectl-wire-protocol.md section 5): every binary message starts with its
// channel byte; the server ends the session with a Status on channel 3; the client's stdin EOF is "close channel 0".

export const EXEC_SUBPROTOCOL = 'v5.channel.k8s.io';

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const STATUS = 3;
export const RESIZE = 4;
export const CLOSE = 255;

export function stdinFrame(data: Buffer): Buffer {
  return Buffer.concat([Buffer.of(STDIN), data]);
}

/** v5's half-close of stdin: [255, 0]. */
export function stdinEofFrame(): Buffer {
  return Buffer.of(CLOSE, STDIN);
}

export function resizeFrame(width: number, height: number): Buffer {
  return Buffer.concat([Buffer.of(RESIZE), Buffer.from(`${JSON.stringify({ Width: width, Height: height })}\n`)]);
}

export function decodeFrame(msg: Buffer): { channel: number; data: Buffer } | undefined {
  if (msg.length === 0) return undefined;
  return { channel: msg[0] ?? 0, data: msg.subarray(1) };
}

export interface ExecStatus {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

/**
 * How kubectl ends for the channel-3 Status: Success → 0; NonZeroExitCode → the ExitCode cause, with kubectl's
 * `command terminated with exit code N`; any other failure → 1 with the server's message.
 */
export function exitFromStatus(text: string): { code: number; message?: string } {
  let s: ExecStatus;
  try {
    s = JSON.parse(text) as ExecStatus;
  } catch {
    return { code: 1, message: `error: invalid status from the server: ${text}` };
  }
  if (s.status === 'Success') return { code: 0 };
  if (s.reason === 'NonZeroExitCode') {
    const cause = s.details?.causes?.find((c) => c.reason === 'ExitCode');
    const n = Number(cause?.message);
    if (Number.isInteger(n) && n > 0) return { code: n, message: `command terminated with exit code ${n}` };
  }
  return { code: 1, message: `error: ${s.message ?? 'the command failed'}` };
}

/** The exec URL's query: every argv element is its own `command=`; a tty carries stderr itself. */
export function execQuery(command: readonly string[], container: string, opts: { stdin: boolean; tty: boolean }): URLSearchParams {
  const q = new URLSearchParams();
  for (const c of command) q.append('command', c);
  q.set('container', container);
  if (opts.stdin) q.set('stdin', 'true');
  q.set('stdout', 'true');
  if (!opts.tty) q.set('stderr', 'true');
  if (opts.tty) q.set('tty', 'true');
  return q;
}
