// The redirect rules of the kubelet's HTTP prober (pkg/probe/http: followNonLocalRedirects=false, with Go's
// http.Client underneath): a redirect is followed only to the same host name, at most 10 times; one to another
// host ends the probe on the redirect response itself (a 3xx, which the prober reports as a warning).

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);
export const MAX_REDIRECTS = 10;

export type RedirectStep =
  /** Not a redirect (or one without Location, which Go returns as it is). */
  | { action: 'done' }
  | { action: 'follow'; url: string }
  /** A redirect to another host: the redirect response is the result (http.ErrUseLastResponse). */
  | { action: 'stop' }
  | { action: 'error'; error: string };

/**
 * What to do with a response of `status` and `location` to a request for `current`, when `requests` requests were
 * made so far for a probe that began at `first`.
 */
export function redirectStep(first: string, current: string, status: number, location: string | undefined, requests: number): RedirectStep {
  if (!REDIRECT_CODES.has(status) || location === undefined || location === '') return { action: 'done' };
  let next: URL;
  try {
    next = new URL(location, current);
  } catch {
    return { action: 'error', error: `Get ${JSON.stringify(current)}: failed to parse Location header ${JSON.stringify(location)}` };
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    return { action: 'error', error: `Get ${JSON.stringify(next.toString())}: unsupported protocol scheme ${JSON.stringify(next.protocol.replace(/:$/, ''))}` };
  }
  if (next.hostname !== new URL(first).hostname) return { action: 'stop' };
  if (requests >= MAX_REDIRECTS) return { action: 'error', error: `Get ${JSON.stringify(next.toString())}: stopped after ${MAX_REDIRECTS} redirects` };
  return { action: 'follow', url: next.toString() };
}

/** DoHTTPProbe's verdict on the final response: 2xx success, 3xx warning (redirects ended), else failure. */
export function httpVerdict(status: number, body: string): { result: 'success' | 'warning' | 'failure'; output: string } {
  if (status >= 200 && status < 400) {
    if (status >= 300) return { result: 'warning', output: `Probe terminated redirects, Response body: ${body}` };
    return { result: 'success', output: body };
  }
  // The kubelet leaves the body out of the message on purpose (kubernetes#99425).
  return { result: 'failure', output: `HTTP probe failed with statuscode: ${status}` };
}
