// The apiserver's list `continue` token (k8s.io/apiserver/pkg/storage/continue.go): unpadded base64url of
// {"v":"meta.k8s.io/v1","rv":<list resourceVersion>,"start":"<key after the last item>"}, the key relative to the
// list's prefix (`name` within a namespace, `namespace/name` across namespaces) with a NUL appended so the next
// page starts just after it. rv -1 means "the latest state" (what a 410 for a too-old token offers instead).

export interface ContinuePosition {
  namespace: string;
  name: string;
  /** undefined: continue at the latest state. */
  resourceVersion?: number;
}

export class ContinueTokenError extends Error {}

const VERSION = 'meta.k8s.io/v1';

function base64UrlEncode(text: string): string {
  const bin = Array.from(new TextEncoder().encode(text), (b) => String.fromCharCode(b)).join('');
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function base64UrlDecode(token: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(token) || token.length % 4 === 1) throw new ContinueTokenError(`continue key is not valid: illegal base64 data`);
  const bin = atob(token.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/** `acrossNamespaces`: the list named no namespace, so the key carries it. */
export function encodeContinue(p: ContinuePosition, acrossNamespaces: boolean): string {
  const key = acrossNamespaces && p.namespace !== '' ? `${p.namespace}/${p.name}` : p.name;
  return base64UrlEncode(JSON.stringify({ v: VERSION, rv: p.resourceVersion ?? -1, start: `${key}\u0000` }));
}

/** The position a token names; ContinueTokenError with the apiserver's wording when it is not one. */
export function decodeContinue(token: string, listNamespace: string | undefined): ContinuePosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(base64UrlDecode(token));
  } catch (err) {
    if (err instanceof ContinueTokenError) throw err;
    throw new ContinueTokenError(`continue key is not valid: ${err instanceof Error ? err.message : String(err)}`);
  }
  const c = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { v?: unknown; rv?: unknown; start?: unknown };
  if (c.v !== VERSION) throw new ContinueTokenError(`continue key is not valid: server does not recognize this encoded version ${String(c.v ?? '')}`);
  if (typeof c.rv !== 'number' || !Number.isInteger(c.rv) || c.rv === 0) {
    throw new ContinueTokenError('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (typeof c.start !== 'string' || c.start === '') throw new ContinueTokenError('continue key is not valid: encoded start key empty (version meta.k8s.io/v1)');
  // The apiserver's path.Clean check: a key may not climb out of the list's prefix.
  const start = c.start;
  if (start.split('/').some((seg, i, all) => seg === '.' || seg === '..' || (seg === '' && i < all.length - 1))) {
    throw new ContinueTokenError(`continue key is not valid: ${start}`);
  }
  const key = start.endsWith('\u0000') ? start.slice(0, -1) : start;
  const slash = key.indexOf('/');
  const out: ContinuePosition = listNamespace === undefined && slash >= 0
    ? { namespace: key.slice(0, slash), name: key.slice(slash + 1) }
    : { namespace: listNamespace ?? '', name: key };
  if (c.rv > 0) out.resourceVersion = c.rv;
  return out;
}
