// Flag parsing shared by the client verbs: node:util parseArgs plus what kubectl users type that parseArgs does
// not take (`--wait=false`), and the connection flags every verb has (--kubeconfig, --context, -n).

import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { ApiClient } from './api.js';
import { kubeconfigPath, loadKubeconfig } from './kubeconfig.js';
import { UsageError } from './errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

const CONNECTION: Options = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  help: { type: 'boolean', short: 'h' },
};

export interface Parsed {
  values: Values;
  positionals: string[];
}

/** Parses `args` against `options` plus the connection flags; `--flag=true|false` works for boolean flags. */
export function parseFlags(args: readonly string[], options: Options): Parsed {
  const all: Options = { ...CONNECTION, ...options };
  const falses: string[] = [];
  const rewritten: string[] = [];
  let rest = false;
  for (const a of args) {
    const m = rest ? null : /^--([^=]+)=(true|false)$/.exec(a);
    if (a === '--') rest = true;
    if (m !== null && all[m[1] ?? '']?.type === 'boolean') {
      if (m[2] === 'true') rewritten.push(`--${m[1] ?? ''}`);
      else falses.push(m[1] ?? '');
      continue;
    }
    rewritten.push(a);
  }
  const { values, positionals } = parseArgs({ args: rewritten, options: all, allowPositionals: true, strict: true });
  const out: Values = { ...values };
  for (const f of falses) out[f] = false;
  return { values: out, positionals };
}

export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function bool(values: Values, name: string, fallback = false): boolean {
  const v = values[name];
  return typeof v === 'boolean' ? v : fallback;
}

/** A non-negative integer flag, or undefined when absent. */
export function int(values: Values, name: string): number | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new UsageError(`invalid argument "${v}" for "--${name}" flag: must be an integer`);
  return Number(v);
}

export interface Session {
  client: ApiClient;
  /** -n, else the kubeconfig context's namespace, else `default`. */
  namespace: string;
  /** Whether -n was given (apply and delete -f refuse a manifest namespace that contradicts it). */
  namespaceFlag: boolean;
}

export function connect(values: Values): Session {
  const conn = loadKubeconfig(kubeconfigPath(str(values, 'kubeconfig')), str(values, 'context'));
  const ns = str(values, 'namespace');
  return { client: new ApiClient(conn), namespace: ns ?? conn.namespace, namespaceFlag: ns !== undefined };
}
