// A probe's handler resolved for one container and the pod's address, as the kubelet's prober.runProbe does it:
// ports by number or by containerPort name (probe.ResolveContainerPort), the httpGet URL (formatURL) and headers
// (NewRequestForHTTPGetAction: canonical names, User-Agent kube-probe/<major.minor>, Accept */*), exec commands
// with $(VAR) from the container's env (ExpandContainerCommandOnlyStatic).
import type { Container, HTTPHeader, Probe } from '../../api/types.js';
import { expandVars } from '../env/resolve-env.js';
import type { ProbeAction } from './types.js';

/** The Kubernetes version podd reports (kubectl version says v1.32.0): kube-probe/1.32. */
export const PROBE_USER_AGENT = 'kube-probe/1.32';

/** net.JoinHostPort: IPv6 literals in brackets. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** strconv.Atoi: an optional sign and decimal digits, or Go's error text. */
function atoi(s: string): number | string {
  if (!/^[+-]?\d+$/.test(s)) return `strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : `strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`;
}

/** probe.ResolveContainerPort: a number, or the containerPort named so (or a number written as a string). */
export function resolveContainerPort(port: number | string, container: Container): number | { error: string } {
  let n: number;
  if (typeof port === 'number') {
    n = port;
  } else {
    const named = (container.ports ?? []).find((p) => p.name === port);
    if (named !== undefined) {
      n = named.containerPort;
    } else {
      const parsed = atoi(port);
      if (typeof parsed === 'string') return { error: parsed };
      n = parsed;
    }
  }
  return n > 0 && n < 65536 ? n : { error: `invalid port number: ${n}` };
}

/** textproto.CanonicalMIMEHeaderKey: `x-probe` → `X-Probe`; a key with a character not allowed in tokens stays. */
export function canonicalHeaderKey(key: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(key)) return key;
  return key.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
}

/** http.Header from the probe's list (Add keeps every value), with the kubelet's User-Agent and Accept defaults. */
export function probeHeaders(list: readonly HTTPHeader[] | undefined): [string, string][] {
  const headers: [string, string][] = (list ?? []).map((h) => [canonicalHeaderKey(h.name), h.value]);
  const has = (name: string): boolean => headers.some(([k]) => k === name);
  if (!has('User-Agent')) headers.push(['User-Agent', PROBE_USER_AGENT]);
  if (!has('Accept')) {
    headers.push(['Accept', '*/*']);
  } else if ((headers.find(([k]) => k === 'Accept')?.[1] ?? '') === '') {
    // An Accept header given but empty removes it.
    return headers.filter(([k]) => k !== 'Accept');
  }
  return headers;
}

/**
 * formatURL: the probe's path (with any query) on scheme://host:port. The port is always written, as Go's
 * url.URL keeps it (`http://10.86.0.5:80/`); path and query are escaped as a URL parser would.
 */
export function probeURL(scheme: 'http' | 'https', host: string, port: number, path: string): string {
  const at = path.indexOf('?');
  const pathname = at >= 0 ? path.slice(0, at) : path;
  const escaped = new URL('http://host');
  escaped.pathname = pathname.startsWith('/') ? pathname : `/${pathname}`;
  if (at >= 0) escaped.search = path.slice(at + 1);
  const query = at >= 0 && escaped.search === '' ? '?' : escaped.search;
  return `${scheme}://${joinHostPort(host, port)}${escaped.pathname}${query}`;
}

/** EnvVarsToMap: every env entry by name, with its literal value ('' for valueFrom ones). */
function staticEnv(container: Container): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of container.env ?? []) m.set(e.name, e.value ?? '');
  return m;
}

/**
 * The handler of `probe` for `container`, against `podIP` (the sandbox's IP, the node's for hostNetwork). httpGet
 * and tcpSocket use their own `host` when set; gRPC always probes the pod.
 */
export function resolveProbeAction(probe: Probe, container: Container, podIP: string): ProbeAction {
  if (probe.exec !== undefined) {
    const env = staticEnv(container);
    return { kind: 'exec', command: (probe.exec.command ?? []).map((c) => expandVars(c, (n) => env.get(n))) };
  }
  if (probe.httpGet !== undefined) {
    const h = probe.httpGet;
    const port = resolveContainerPort(h.port, container);
    if (typeof port !== 'number') return { kind: 'invalid', error: port.error };
    const scheme = (h.scheme ?? 'HTTP').toLowerCase() === 'https' ? 'https' : 'http';
    const host = h.host || podIP;
    return { kind: 'http', url: probeURL(scheme, host, port, h.path ?? '/'), scheme, host, port, headers: probeHeaders(h.httpHeaders) };
  }
  if (probe.tcpSocket !== undefined) {
    const port = resolveContainerPort(probe.tcpSocket.port, container);
    if (typeof port !== 'number') return { kind: 'invalid', error: port.error };
    return { kind: 'tcp', host: probe.tcpSocket.host || podIP, port };
  }
  if (probe.grpc !== undefined) {
    return { kind: 'grpc', host: podIP, port: probe.grpc.port, service: probe.grpc.service ?? '' };
  }
  return { kind: 'invalid', error: `missing probe handler for ${container.name}` };
}
