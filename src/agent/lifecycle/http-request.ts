// The request an httpGet lifecycle handler makes, as the kubelet builds it (pkg/probe/http/request.go
// NewRequestForHTTPGetAction with the "lifecycle" user agent, GetProbeUrl, formatURL; ports resolved as for probes).
// Pure: the caller sends it.
import type { Container, HTTPGetAction } from '../../api/types.js';
import { canonicalHeaderKey, joinHostPort, resolveContainerPort } from '../../core/probe/action.js';
import type { HttpGetTarget } from '../../runtime/hooks/http-get.js';

/** kube-lifecycle/<major>.<minor> for the Kubernetes version podd serves (kubectl version says v1.32.0). */
export const LIFECYCLE_USER_AGENT = 'kube-lifecycle/1.32';

/**
 * The GET a handler sends to `podIP` (or its own httpGet.host): the scheme lower-cased, the path as written (a `/`
 * put in front when missing), the handler's headers under their canonical names, `User-Agent: kube-lifecycle/1.32`
 * and `Accept: *\/*` unless the handler set them (an empty Accept removes it), and the handler's Host header if any.
 */
export function lifecycleHttpRequest(action: HTTPGetAction, container: Container, podIP: string): HttpGetTarget | { error: string } {
  const scheme = (action.scheme ?? 'HTTP').toLowerCase() === 'https' ? 'https' : 'http';
  const host = action.host !== undefined && action.host !== '' ? action.host : podIP;
  const port = resolveContainerPort(action.port, container);
  if (typeof port !== 'number') return port;
  const raw = action.path ?? '';
  const path = raw.startsWith('/') ? raw : `/${raw}`;
  const given = new Map<string, string[]>();
  for (const h of action.httpHeaders ?? []) {
    const key = canonicalHeaderKey(h.name);
    given.set(key, [...(given.get(key) ?? []), h.value]);
  }
  // Go sends req.Host (the Host header's first value, else the URL's host) and never the Host entry itself.
  const hostHeader = given.get('Host')?.[0];
  given.delete('Host');
  const headers: [string, string][] = [['Host', hostHeader !== undefined && hostHeader !== '' ? hostHeader : joinHostPort(host, port)]];
  if (!given.has('User-Agent')) headers.push(['User-Agent', LIFECYCLE_USER_AGENT]);
  const accept = given.get('Accept');
  if (accept === undefined) headers.push(['Accept', '*/*']);
  else if (accept[0] === '') given.delete('Accept');
  for (const [key, values] of given) for (const v of values) headers.push([key, v]);
  return { scheme, host, port, path, headers, url: `${scheme}://${joinHostPort(host, port)}${path}` };
}
