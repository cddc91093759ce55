// Container environment and command line as the kubelet builds them (makeEnvironmentVariables, ExpandContainerCommandAndArgs).
import type { ConfigMap, Container, Pod, Secret } from '../../api/types.js';

export interface EnvSources {
  secrets: ReadonlyMap<string, Secret>;
  configMaps: ReadonlyMap<string, ConfigMap>;
  podIP?: string;
  hostIP?: string;
  nodeName: string;
  /** Decodes a Secret's base64 data value. */
  decodeBase64: (value: string) => string;
  /** The Services' variables (core/service/env-vars.ts): under the container's own, and usable in $(VAR). */
  serviceEnv?: ReadonlyMap<string, string>;
}

export type EnvResult = { ok: true; env: [string, string][] } | { ok: false; message: string };

/** Expands $(VAR) from `lookup`; $$ escapes a dollar; unknown references are left as written. */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close > 0) {
        const name = input.slice(i + 2, close);
        const value = lookup(name);
        out += value ?? `$(${name})`;
        i = close;
        continue;
      }
    }
    out += ch;
  }
  return out;
}

function fieldRefValue(pod: Pod, path: string, sources: EnvSources): string | undefined {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) {
    const map = m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations;
    return map?.[m[2] ?? ''] ?? '';
  }
  switch (path) {
    case 'metadata.name': return pod.metadata.name ?? '';
    case 'metadata.namespace': return pod.metadata.namespace ?? 'default';
    case 'metadata.uid': return pod.metadata.uid ?? '';
    case 'spec.nodeName': return pod.spec.nodeName ?? sources.nodeName;
    case 'spec.serviceAccountName': return pod.spec.serviceAccountName ?? 'default';
    case 'status.hostIP': case 'status.hostIPs': return sources.hostIP ?? '';
    case 'status.podIP': case 'status.podIPs': return sources.podIP ?? '';
    default: return undefined;
  }
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * Resolves envFrom then env, in order, with $(VAR) expansion against what came before and the Services' variables;
 * those come last, for the names the container does not set itself.
 */
export function resolveEnv(pod: Pod, container: Container, sources: EnvSources): EnvResult {
  const ns = pod.metadata.namespace ?? 'default';
  const vars = new Map<string, string>();
  const serviceEnv = sources.serviceEnv ?? new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const name = from.configMapRef.name ?? '';
      const cm = sources.configMaps.get(name);
      if (!cm) {
        if (from.configMapRef.optional === true) continue;
        return { ok: false, message: `configmap "${name}" not found` };
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) if (ENV_NAME.test(prefix + k)) vars.set(prefix + k, v);
    }
    if (from.secretRef) {
      const name = from.secretRef.name ?? '';
      const secret = sources.secrets.get(name);
      if (!secret) {
        if (from.secretRef.optional === true) continue;
        return { ok: false, message: `secret "${name}" not found` };
      }
      for (const [k, v] of Object.entries(secret.data ?? {})) if (ENV_NAME.test(prefix + k)) vars.set(prefix + k, sources.decodeBase64(v));
    }
  }
  for (const e of container.env ?? []) {
    let value: string | undefined;
    if (e.valueFrom === undefined) {
      value = expandVars(e.value ?? '', (n) => vars.get(n) ?? serviceEnv.get(n));
    } else if (e.valueFrom.fieldRef) {
      value = fieldRefValue(pod, e.valueFrom.fieldRef.fieldPath, sources) ?? '';
    } else if (e.valueFrom.configMapKeyRef) {
      const ref = e.valueFrom.configMapKeyRef;
      const cm = sources.configMaps.get(ref.name ?? '');
      if (!cm) {
        if (ref.optional === true) continue;
        return { ok: false, message: `configmap "${ref.name ?? ''}" not found` };
      }
      value = cm.data?.[ref.key];
      if (value === undefined) {
        if (ref.optional === true) continue;
        return { ok: false, message: `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name ?? ''}` };
      }
    } else if (e.valueFrom.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const secret = sources.secrets.get(ref.name ?? '');
      if (!secret) {
        if (ref.optional === true) continue;
        return { ok: false, message: `secret "${ref.name ?? ''}" not found` };
      }
      const raw = secret.data?.[ref.key];
      if (raw === undefined) {
        if (ref.optional === true) continue;
        return { ok: false, message: `couldn't find key ${ref.key} in Secret ${ns}/${ref.name ?? ''}` };
      }
      value = sources.decodeBase64(raw);
    } else {
      value = '';
    }
    vars.set(e.name, value);
  }
  const services = [...serviceEnv].filter(([name]) => !vars.has(name));
  return { ok: true, env: [...vars.entries(), ...services] };
}

export interface ImageProcessConfig {
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  User?: string;
}

/** Image env first, container env over it by name, HOSTNAME as the CRI runtimes add it. */
export function mergeEnv(imageEnv: readonly string[], hostname: string, containerEnv: readonly [string, string][]): string[] {
  const merged = new Map<string, string>();
  for (const kv of imageEnv) {
    const eq = kv.indexOf('=');
    if (eq > 0) merged.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  if (!merged.has('PATH')) merged.set('PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  merged.set('HOSTNAME', hostname);
  for (const [k, v] of containerEnv) merged.set(k, v);
  return [...merged.entries()].map(([k, v]) => `${k}=${v}`);
}

/**
 * Kubernetes' command/args over the image's Entrypoint/Cmd: command replaces Entrypoint and drops Cmd;
 * args replaces Cmd. $(VAR) references are expanded from the container's env.
 */
export function containerArgs(container: Container, image: ImageProcessConfig, env: readonly [string, string][]): string[] {
  const vars = new Map(env);
  const lookup = (n: string): string | undefined => vars.get(n);
  const command = container.command?.map((c) => expandVars(c, lookup));
  const args = container.args?.map((a) => expandVars(a, lookup));
  if (command && command.length > 0) return [...command, ...(args ?? [])];
  const entrypoint = image.Entrypoint ?? [];
  return [...entrypoint, ...(args ?? image.Cmd ?? [])];
}
