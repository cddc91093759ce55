// The v1 defaulting the apiserver applies before validation (pkg/apis/core/v1/defaults.go), plus the
// request namespace. Every function returns a new object; the input is never mutated.
import { encodeBase64String } from './base64.js';
import { formatQuantity, parseQuantityExact, roundUpToMilli } from './quantity.js';
import type {
  ConfigMap, Container, HTTPGetAction, Lifecycle, ObjectMeta, Pod, Probe, Quantity, ResourceList, Secret, Volume,
} from './types.js';

export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
export const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';
/** 0644, the default mode of files projected from Secrets and ConfigMaps. */
export const DEFAULT_VOLUME_FILE_MODE = 0o644;

function defaultMeta(meta: ObjectMeta | undefined): ObjectMeta {
  const m = { ...(meta ?? {}) };
  if (m.namespace === undefined || m.namespace === '') m.namespace = DEFAULT_NAMESPACE;
  return m;
}

export function defaultPod(input: Pod): Pod {
  const pod = structuredClone(input);
  pod.metadata = defaultMeta(pod.metadata);
  const spec = pod.spec ?? { containers: [] };
  pod.spec = spec;
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (spec.securityContext === undefined) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined) spec.terminationGracePeriodSeconds = DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  if (!spec.schedulerName) spec.schedulerName = DEFAULT_SCHEDULER_NAME;
  if (spec.enableServiceLinks === undefined) spec.enableServiceLinks = true;
  const hostNetwork = spec.hostNetwork === true;
  spec.containers = (spec.containers ?? []).map((c) => defaultContainer(c, hostNetwork));
  if (spec.initContainers !== undefined) spec.initContainers = spec.initContainers.map((c) => defaultContainer(c, hostNetwork));
  if (spec.volumes !== undefined) spec.volumes = spec.volumes.map(defaultVolume);
  return pod;
}

function defaultContainer(c: Container, hostNetwork: boolean): Container {
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(c.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  if (!c.terminationMessagePath) c.terminationMessagePath = DEFAULT_TERMINATION_MESSAGE_PATH;
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  for (const p of c.ports ?? []) {
    if (!p.protocol) p.protocol = 'TCP';
    if (hostNetwork && !p.hostPort) p.hostPort = p.containerPort;
  }
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
    if (probe !== undefined) defaultProbe(probe);
  }
  if (c.lifecycle !== undefined) defaultLifecycle(c.lifecycle);
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.fieldRef;
    if (ref !== undefined && !ref.apiVersion) ref.apiVersion = 'v1';
    const res = e.valueFrom?.resourceFieldRef;
    if (res?.divisor !== undefined) res.divisor = canonical(res.divisor, false);
  }
  if (c.resources !== undefined) {
    const { limits, requests } = c.resources;
    // A limit without a request means request == limit (SetDefaults_Pod).
    if (limits !== undefined) {
      const merged: ResourceList = { ...(requests ?? {}) };
      for (const [name, q] of Object.entries(limits)) if (!(name in merged)) merged[name] = q;
      c.resources.requests = merged;
      c.resources.limits = canonicalList(limits);
    }
    if (c.resources.requests !== undefined) c.resources.requests = canonicalList(c.resources.requests);
  }
  return c;
}

function defaultProbe(p: Probe): void {
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
  if (p.httpGet !== undefined) defaultHTTPGet(p.httpGet);
}

function defaultLifecycle(l: Lifecycle): void {
  for (const h of [l.postStart, l.preStop]) {
    if (h?.httpGet !== undefined) defaultHTTPGet(h.httpGet);
  }
}

function defaultHTTPGet(h: HTTPGetAction): void {
  if (!h.path) h.path = '/';
  if (!h.scheme) h.scheme = 'HTTP';
}

function defaultVolume(v: Volume): Volume {
  if (!v.emptyDir && !v.hostPath && !v.secret && !v.configMap) v.emptyDir = {};
  if (v.secret && v.secret.defaultMode === undefined) v.secret.defaultMode = DEFAULT_VOLUME_FILE_MODE;
  if (v.configMap && v.configMap.defaultMode === undefined) v.configMap.defaultMode = DEFAULT_VOLUME_FILE_MODE;
  if (v.hostPath && v.hostPath.type === undefined) v.hostPath.type = '';
  if (v.emptyDir?.sizeLimit !== undefined) v.emptyDir.sizeLimit = canonical(v.emptyDir.sizeLimit, false);
  return v;
}

// Quantities come back from the apiserver in canonical form, resource lists rounded up to 1m.
function canonical(q: Quantity, toMilli: boolean): Quantity {
  const parsed = parseQuantityExact(q);
  if (!parsed.ok) return q;
  return formatQuantity(toMilli ? roundUpToMilli(parsed.value) : parsed.value);
}

function canonicalList(list: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [name, q] of Object.entries(list)) out[name] = canonical(q, true);
  return out;
}

/**
 * The tag parsers.ParseImageName reports: "latest" when the reference has neither tag nor digest,
 * "" when it has only a digest or is not a valid reference.
 */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at === -1 ? image : image.slice(0, at);
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const repo = colon > lastSlash ? name.slice(0, colon) : name;
  const tag = colon > lastSlash ? name.slice(colon + 1) : '';
  const slash = repo.indexOf('/');
  const first = slash === -1 ? '' : repo.slice(0, slash);
  const hasDomain = slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  const path = hasDomain ? repo.slice(slash + 1) : repo;
  if (!REPOSITORY_PATH.test(path)) return '';
  if (tag !== '') return TAG.test(tag) ? tag : '';
  return at === -1 ? 'latest' : '';
}

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY_PATH = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^\w[\w.-]{0,127}$/;

export function defaultSecret(input: Secret): Secret {
  const secret = structuredClone(input);
  secret.metadata = defaultMeta(secret.metadata);
  if (!secret.type) secret.type = 'Opaque';
  if (secret.stringData !== undefined) {
    // stringData is write-only: merged over data, never stored.
    const data = { ...(secret.data ?? {}) };
    for (const [k, v] of Object.entries(secret.stringData)) data[k] = encodeBase64String(v);
    secret.data = data;
    delete secret.stringData;
  }
  return secret;
}

export function defaultConfigMap(input: ConfigMap): ConfigMap {
  const cm = structuredClone(input);
  cm.metadata = defaultMeta(cm.metadata);
  if (cm.data === undefined) cm.data = {};
  return cm;
}
