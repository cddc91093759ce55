// Probes and lifecycle hooks (validateProbe, validateHandler, validateLifecycle in
// pkg/apis/core/validation/validation.go).
import { forbidden, invalid, notSupported, required } from './field-errors.js';
import type { FieldError } from './field-errors.js';
import { IS_NEGATIVE_ERROR_MSG, isHTTPHeaderName, isValidPortName, isValidPortNum } from './formats.js';
import type { HTTPGetAction, Lifecycle, LifecycleHandler, Probe, ProbeHandler, SleepAction } from './types.js';

type CommonHandler = ProbeHandler & { sleep?: SleepAction | undefined };

export function validatePortNumOrName(port: number | string | undefined, path: string): FieldError[] {
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(path, port, m));
  const n = port ?? 0;
  return isValidPortNum(n).map((m) => invalid(path, n, m));
}

function validateHTTPGet(h: HTTPGetAction, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!h.path) errs.push(required(`${path}.path`));
  errs.push(...validatePortNumOrName(h.port, `${path}.port`));
  const scheme = h.scheme ?? '';
  if (scheme !== 'HTTP' && scheme !== 'HTTPS') errs.push(notSupported(`${path}.scheme`, scheme, ['HTTP', 'HTTPS']));
  for (const header of h.httpHeaders ?? []) {
    errs.push(...isHTTPHeaderName(header.name ?? '').map((m) => invalid(`${path}.httpHeaders`, header.name ?? '', m)));
  }
  return errs;
}

function validateHandler(h: CommonHandler, gracePeriod: number | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  const one = (name: string, check: () => FieldError[]): void => {
    if (count > 0) {
      errs.push(forbidden(`${path}.${name}`, 'may not specify more than 1 handler type'));
      return;
    }
    count++;
    errs.push(...check());
  };
  if (h.exec !== undefined) {
    const exec = h.exec;
    one('exec', () => ((exec.command ?? []).length === 0 ? [required(`${path}.exec.command`)] : []));
  }
  if (h.httpGet !== undefined) {
    const httpGet = h.httpGet;
    one('httpGet', () => validateHTTPGet(httpGet, `${path}.httpGet`));
  }
  if (h.tcpSocket !== undefined) {
    const tcp = h.tcpSocket;
    one('tcpSocket', () => validatePortNumOrName(tcp.port, `${path}.tcpSocket.port`));
  }
  if (h.grpc !== undefined) {
    const grpc = h.grpc;
    one('grpc', () => validatePortNumOrName(grpc.port ?? 0, `${path}.grpc.port`));
  }
  if (h.sleep !== undefined) {
    const seconds = h.sleep.seconds ?? 0;
    one('sleep', () =>
      // PodLifecycleSleepActionAllowZero is on by default: 0 is a valid sleep.
      gracePeriod !== undefined && (seconds < 0 || seconds > gracePeriod)
        ? [invalid(`${path}.sleep`, seconds, `must be non-negative and less than terminationGracePeriodSeconds (${gracePeriod})`)]
        : []);
  }
  if (count === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

function nonNegative(value: number | undefined, path: string): FieldError[] {
  const v = value ?? 0;
  return v < 0 ? [invalid(path, v, IS_NEGATIVE_ERROR_MSG)] : [];
}

function validateProbe(p: Probe, gracePeriod: number | undefined, path: string): FieldError[] {
  const handler: CommonHandler = { ...pick(p) };
  const errs = validateHandler(handler, gracePeriod, path);
  errs.push(...nonNegative(p.initialDelaySeconds, `${path}.initialDelaySeconds`));
  errs.push(...nonNegative(p.timeoutSeconds, `${path}.timeoutSeconds`));
  errs.push(...nonNegative(p.periodSeconds, `${path}.periodSeconds`));
  errs.push(...nonNegative(p.successThreshold, `${path}.successThreshold`));
  errs.push(...nonNegative(p.failureThreshold, `${path}.failureThreshold`));
  if (p.terminationGracePeriodSeconds !== undefined && p.terminationGracePeriodSeconds <= 0) {
    errs.push(invalid(`${path}.terminationGracePeriodSeconds`, p.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  return errs;
}

// Probe handlers never include sleep, even if a decoded object smuggled one in.
function pick(p: ProbeHandler): ProbeHandler {
  const h: ProbeHandler = {};
  if (p.exec !== undefined) h.exec = p.exec;
  if (p.httpGet !== undefined) h.httpGet = p.httpGet;
  if (p.tcpSocket !== undefined) h.tcpSocket = p.tcpSocket;
  if (p.grpc !== undefined) h.grpc = p.grpc;
  return h;
}

export function validateLivenessOrStartupProbe(p: Probe | undefined, gracePeriod: number | undefined, path: string): FieldError[] {
  if (p === undefined) return [];
  const errs = validateProbe(p, gracePeriod, path);
  const success = p.successThreshold ?? 0;
  if (success !== 1) errs.push(invalid(`${path}.successThreshold`, success, 'must be 1'));
  return errs;
}

export function validateReadinessProbe(p: Probe | undefined, gracePeriod: number | undefined, path: string): FieldError[] {
  if (p === undefined) return [];
  const errs = validateProbe(p, gracePeriod, path);
  if (p.terminationGracePeriodSeconds !== undefined) {
    errs.push(invalid(`${path}.terminationGracePeriodSeconds`, p.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  }
  return errs;
}

export function validateLifecycle(l: Lifecycle, gracePeriod: number | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const hooks: [string, LifecycleHandler | undefined][] = [['postStart', l.postStart], ['preStop', l.preStop]];
  for (const [name, h] of hooks) {
    if (h !== undefined) errs.push(...validateHandler(h, gracePeriod, `${path}.${name}`));
  }
  return errs;
}
