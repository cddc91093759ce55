// Network failures keep the project-wide `code` (what callers branch on) and add a `reason` naming what went wrong
// in CNI terms, stable enough for events and tests; the plugin's own CNI error code rides along when there is one.
import { type ErrorCode, PoddError } from '../errors.js';

export type NetworkErrorReason =
  | 'InvalidConfig' // a conflist, a default-network option or a request field is malformed
  | 'PluginNotFound' // a plugin `type` has no executable in the CNI bin dirs
  | 'PluginFailed' // a plugin exited non-zero (its {code,msg,details} are in the message)
  | 'PluginTimeout' // a plugin ran past its deadline and was killed
  | 'InvalidResult' // a plugin's stdout is not a usable CNI result
  | 'NetnsFailed' // creating, pinning or removing a network namespace failed
  | 'NotFound'; // no network state is known for the sandbox

const codeOf: Record<NetworkErrorReason, ErrorCode> = {
  InvalidConfig: 'Invalid',
  PluginNotFound: 'FailedPrecondition',
  PluginFailed: 'Unavailable',
  PluginTimeout: 'Unavailable',
  InvalidResult: 'Internal',
  NetnsFailed: 'Internal',
  NotFound: 'NotFound',
};

export interface PluginErrorInfo {
  /** The CNI error code from the plugin's stdout (1-99 well-known, 100+ plugin specific). */
  cniCode?: number;
  plugin?: string;
  command?: string;
}

export class NetworkError extends PoddError {
  readonly reason: NetworkErrorReason;
  readonly cniCode: number | undefined;
  readonly plugin: string | undefined;

  constructor(reason: NetworkErrorReason, message: string, info: PluginErrorInfo & { cause?: unknown } = {}) {
    super(codeOf[reason], message, info.cause === undefined ? undefined : { cause: info.cause });
    this.name = 'NetworkError';
    this.reason = reason;
    this.cniCode = info.cniCode;
    this.plugin = info.plugin;
  }
}

export function isNetworkError(err: unknown, reason?: NetworkErrorReason): err is NetworkError {
  return err instanceof NetworkError && (reason === undefined || err.reason === reason);
}
