// Node's socket errors in the words of Go's net package, which is what the kubelet's probe events quote
// (`dial tcp 10.86.0.5:8080: connect: connection refused`, `dial tcp 10.86.0.5:8080: i/o timeout`).
import { joinHostPort } from '../../core/probe/action.js';

/** The errno text Go's syscall package prints. */
const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ECONNRESET: 'connection reset by peer',
  EPIPE: 'broken pipe',
  ETIMEDOUT: 'connection timed out',
};

export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The error a failed dial of host:port reports; `timedOut` is the dialer's own deadline (Go's i/o timeout). */
export function dialErrorMessage(host: string, port: number, err: unknown, timedOut = false): string {
  const addr = joinHostPort(host, port);
  if (timedOut) return `dial tcp ${addr}: i/o timeout`;
  const code = errnoCode(err);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return `dial tcp: lookup ${host}: no such host`;
  const text = code === undefined ? undefined : ERRNO_TEXT[code];
  if (text !== undefined) return `dial tcp ${addr}: connect: ${text}`;
  return `dial tcp ${addr}: ${err instanceof Error ? err.message : String(err)}`;
}

/** An error on an established connection (reading the response), as Go's net and net/http word it. */
export function connErrorMessage(err: unknown): string {
  const code = errnoCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (message === 'socket hang up') return 'EOF';
  if (code === 'ECONNRESET') return 'read: connection reset by peer';
  if (code === 'EPIPE') return 'write: broken pipe';
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(message)) return 'http: server gave HTTP response to HTTPS client';
  if (code !== undefined && code.startsWith('ERR_SSL')) return `tls: ${message}`;
  const text = code === undefined ? undefined : ERRNO_TEXT[code];
  return text ?? message;
}

/** A dial that failed, carrying Go's message for it. */
export class DialError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'DialError';
  }
}
