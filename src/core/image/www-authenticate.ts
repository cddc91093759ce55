// Parses a WWW-Authenticate header (RFC 7235) into its challenges: a registry answers 401 with
// `Bearer realm="https://auth.example/token",service="registry",scope="repository:x:pull"` or
// `Basic realm="Registry Realm"`, and one header may carry several challenges separated by commas.

export interface AuthChallenge {
  /** Lowercased: "bearer", "basic", ... */
  scheme: string;
  /** Parameter names lowercased, values unquoted. */
  params: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

class Cursor {
  constructor(private readonly text: string, public pos = 0) {}

  skipSpace(): void {
    while (this.pos < this.text.length && /[ \t]/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  done(): boolean {
    return this.pos >= this.text.length;
  }

  token(): string | undefined {
    const m = TOKEN.exec(this.text.slice(this.pos));
    if (m === null) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  bare(): string | undefined {
    const m = /^[^,\s"]+/.exec(this.text.slice(this.pos));
    if (m === null) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  quoted(): string | undefined {
    if (this.peek() !== '"') return undefined;
    let out = '';
    for (let i = this.pos + 1; i < this.text.length; i++) {
      const c = this.text[i] ?? '';
      if (c === '\\') {
        out += this.text[++i] ?? '';
      } else if (c === '"') {
        this.pos = i + 1;
        return out;
      } else {
        out += c;
      }
    }
    return undefined; // unterminated
  }

  /** Whether `name =` (an auth-param) starts here, as opposed to the next challenge's scheme. */
  atParam(): boolean {
    // "token68" values end in '=' padding ("abc=="), which a value never starts with.
    return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+[ \t]*=(?!=)/.test(this.text.slice(this.pos));
  }
}

/** The challenges in `header`, in order; malformed tails are dropped rather than failing the whole header. */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  const c = new Cursor(header);
  while (!c.done()) {
    c.skipSpace();
    if (c.peek() === ',') {
      c.pos++;
      continue;
    }
    const scheme = c.token();
    if (scheme === undefined) break;
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    c.skipSpace();
    // token68 form (e.g. `Negotiate abc==`): kept under "token68".
    const token68 = /^[A-Za-z0-9\-._~+/]+=*(?=[ \t]*(,|$))/.exec(header.slice(c.pos));
    if (token68 !== null && !c.atParam()) {
      challenge.params['token68'] = token68[0];
      c.pos += token68[0].length;
      continue;
    }
    while (!c.done()) {
      c.skipSpace();
      if (!c.atParam()) break;
      const name = c.token() ?? '';
      c.skipSpace();
      c.pos++; // '='
      c.skipSpace();
      // Unquoted values should be tokens; registries send unquoted URLs too, so take all up to a comma.
      const value = c.peek() === '"' ? c.quoted() : c.bare();
      if (value === undefined) return out;
      challenge.params[name.toLowerCase()] = value;
      c.skipSpace();
      if (c.peek() !== ',') break;
      c.pos++;
      c.skipSpace();
      // After a comma: another param of this challenge, or the next challenge's scheme.
      if (!c.atParam()) break;
    }
  }
  return out;
}
