// kubectl's describePod (k8s.io/kubectl/pkg/describe), line for line for the fields podd's Pod has: the same labels,
// the same order, the same tab stops (Go's tabwriter, padding 2, through the same 2-space indentation levels).

import type { Container, ContainerState, ContainerStatus, EnvVar, Pod, Probe, Volume } from '../../api/types.js';
import { podQOSClass } from '../../core/resources/qos.js';
import { parseRfc3339 } from '../../core/time.js';
import { eventInterval, since, sortEvents } from './events.js';
import type { Event } from './events.js';
import { DESCRIBE_TABWRITER, tabwrite } from './tabwriter.js';

const LEVEL = ['', '  ', '    ', '      '] as const;
const MAX_ANNOTATION_LEN = 140;

/** Go's time.RFC1123Z in the local zone, as metav1.Time prints: `Mon, 02 Jan 2006 15:04:05 -0700`. */
export function rfc1123z(text: string | undefined): string {
  const ms = text === undefined ? undefined : parseRfc3339(text);
  // Go prints the zero time for an unset metav1.Time.
  if (ms === undefined) return 'Mon, 01 Jan 0001 00:00:00 +0000';
  const d = new Date(ms);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const off = -d.getTimezoneOffset();
  const zone = `${off < 0 ? '-' : '+'}${p2(Math.trunc(Math.abs(off) / 60))}${p2(Math.abs(off) % 60)}`;
  return `${days[d.getDay()] ?? ''}, ${p2(d.getDate())} ${months[d.getMonth()] ?? ''} ${d.getFullYear()} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${zone}`;
}

class PrefixWriter {
  text = '';

  write(level: 0 | 1 | 2 | 3, line: string): void {
    this.text += LEVEL[level] + line;
  }
}

function multiline(w: PrefixWriter, title: string, map: Record<string, string> | undefined): void {
  w.write(0, `${title}:\t`);
  const keys = Object.keys(map ?? {}).sort();
  if (keys.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  keys.forEach((k, i) => w.write(0, `${i === 0 ? '' : '\t'}${k}=${map?.[k] ?? ''}\n`));
}

function annotations(w: PrefixWriter, map: Record<string, string> | undefined): void {
  w.write(0, 'Annotations:\t');
  const keys = Object.keys(map ?? {}).sort();
  if (keys.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  keys.forEach((k, i) => {
    if (i > 0) w.write(0, '\t');
    const value = (map?.[k] ?? '').replace(/\n$/, '');
    if (value.length + k.length + 2 > MAX_ANNOTATION_LEN || value.includes('\n')) {
      w.write(0, `${k}:\n`);
      for (const s of value.split('\n')) {
        const cut = MAX_ANNOTATION_LEN - 2;
        w.write(0, `\t  ${s.length > cut ? `${s.slice(0, cut)}...` : s}\n`);
      }
    } else {
      w.write(0, `${k}: ${value}\n`);
    }
  });
}

function tolerations(w: PrefixWriter, list: unknown[] | undefined): void {
  w.write(0, 'Tolerations:\t');
  type T = { key?: string; value?: string; effect?: string; operator?: string; tolerationSeconds?: number };
  const ts = [...((list ?? []) as T[])].sort((a, b) => (a.key ?? '').localeCompare(b.key ?? ''));
  if (ts.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  ts.forEach((t, i) => {
    let s = i === 0 ? '' : '\t';
    s += t.key ?? '';
    if (t.value) s += `=${t.value}`;
    if (t.effect) s += `:${t.effect}`;
    if (t.operator === 'Exists' && !t.value) s += t.key || t.effect ? ' op=Exists' : 'op=Exists';
    if (t.tolerationSeconds !== undefined) s += ` for ${t.tolerationSeconds}s`;
    w.write(0, `${s}\n`);
  });
}

function describeState(w: PrefixWriter, title: string, state: ContainerState | undefined): void {
  if (state?.running !== undefined) {
    w.write(2, `${title}:\tRunning\n`);
    w.write(3, `Started:\t${rfc1123z(state.running.startedAt)}\n`);
  } else if (state?.waiting !== undefined) {
    w.write(2, `${title}:\tWaiting\n`);
    if (state.waiting.reason) w.write(3, `Reason:\t${state.waiting.reason}\n`);
  } else if (state?.terminated !== undefined) {
    const t = state.terminated;
    w.write(2, `${title}:\tTerminated\n`);
    if (t.reason) w.write(3, `Reason:\t${t.reason}\n`);
    if (t.message) w.write(3, `Message:\t${t.message}\n`);
    w.write(3, `Exit Code:\t${t.exitCode}\n`);
    if ((t.signal ?? 0) > 0) w.write(3, `Signal:\t${t.signal ?? 0}\n`);
    w.write(3, `Started:\t${rfc1123z(t.startedAt)}\n`);
    w.write(3, `Finished:\t${rfc1123z(t.finishedAt)}\n`);
  } else {
    w.write(2, `${title}:\tWaiting\n`);
  }
}

/** kubectl's DescribeProbe. */
export function describeProbe(p: Probe): string {
  const attrs = `delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 1}s period=${p.periodSeconds ?? 10}s #success=${p.successThreshold ?? 1} #failure=${p.failureThreshold ?? 3}`;
  if (p.exec !== undefined) return `exec [${(p.exec.command ?? []).join(' ')}] ${attrs}`;
  if (p.httpGet !== undefined) {
    const g = p.httpGet;
    const host = g.host ?? '';
    const port = String(g.port);
    const hostPort = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    return `http-get ${(g.scheme ?? 'HTTP').toLowerCase()}://${hostPort}${g.path ?? ''} ${attrs}`;
  }
  if (p.tcpSocket !== undefined) return `tcp-socket ${p.tcpSocket.host ?? ''}:${String(p.tcpSocket.port)} ${attrs}`;
  if (p.grpc !== undefined) return `grpc <pod>:${p.grpc.port} ${p.grpc.service ?? ''} ${attrs}`;
  return `unknown ${attrs}`;
}

/** What a fieldRef resolves to, as kubectl's EnvValueRetriever does for the pod's own fields. */
function fieldValue(pod: Pod, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2] ?? ''] ?? '';
  const simple: Record<string, string | undefined> = {
    'metadata.name': pod.metadata.name, 'metadata.namespace': pod.metadata.namespace, 'metadata.uid': pod.metadata.uid,
    'spec.nodeName': pod.spec.nodeName, 'spec.serviceAccountName': pod.spec.serviceAccountName,
    'status.hostIP': pod.status?.hostIP, 'status.podIP': pod.status?.podIP,
    'status.podIPs': pod.status?.podIPs?.map((i) => i.ip).join(','), 'status.hostIPs': pod.status?.hostIPs?.map((i) => i.ip).join(','),
  };
  return simple[path] ?? '';
}

function describeEnv(w: PrefixWriter, pod: Pod, c: Container, e: EnvVar): void {
  const from = e.valueFrom;
  if (from === undefined) {
    (e.value ?? '').split('\n').forEach((s, i) => w.write(3, i === 0 ? `${e.name}:\t${s}\n` : `\t${s}\n`));
  } else if (from.fieldRef !== undefined) {
    w.write(3, `${e.name}:\t${fieldValue(pod, from.fieldRef.fieldPath)} (${from.fieldRef.apiVersion ?? 'v1'}:${from.fieldRef.fieldPath})\n`);
  } else if (from.resourceFieldRef !== undefined) {
    const res = from.resourceFieldRef.resource;
    const [kind, name = ''] = res.split('.');
    const q = (kind === 'limits' ? c.resources?.limits : c.resources?.requests)?.[name];
    let value = q === undefined ? '0' : String(q);
    if (value === '0' && (res === 'limits.cpu' || res === 'limits.memory')) value = 'node allocatable';
    w.write(3, `${e.name}:\t${value} (${res})\n`);
  } else if (from.secretKeyRef !== undefined) {
    const r = from.secretKeyRef;
    w.write(3, `${e.name}:\t<set to the key '${r.key}' in secret '${r.name ?? ''}'>\tOptional: ${String(r.optional === true)}\n`);
  } else if (from.configMapKeyRef !== undefined) {
    const r = from.configMapKeyRef;
    w.write(3, `${e.name}:\t<set to the key '${r.key}' of config map '${r.name ?? ''}'>\tOptional: ${String(r.optional === true)}\n`);
  }
}

function describeContainer(w: PrefixWriter, pod: Pod, c: Container, status: ContainerStatus | undefined): void {
  w.write(1, `${c.name}:\n`);
  if (status !== undefined) w.write(2, `Container ID:\t${status.containerID ?? ''}\n`);
  w.write(2, `Image:\t${c.image ?? ''}\n`);
  if (status !== undefined) w.write(2, `Image ID:\t${status.imageID}\n`);
  const ports = (c.ports ?? []).map((p) => `${p.containerPort}/${p.protocol ?? ''}`).join(', ');
  const hostPorts = (c.ports ?? []).map((p) => `${p.hostPort ?? 0}/${p.protocol ?? ''}`).join(', ');
  w.write(2, ports.includes(',') ? `Ports:\t${ports}\n` : `Port:\t${ports || '<none>'}\n`);
  w.write(2, hostPorts.includes(',') ? `Host Ports:\t${hostPorts}\n` : `Host Port:\t${hostPorts || '<none>'}\n`);
  if (c.restartPolicy !== undefined) w.write(2, `Restart Policy:\t${c.restartPolicy}\n`);
  for (const [title, list] of [['Command', c.command], ['Args', c.args]] as const) {
    if (list === undefined || list.length === 0) continue;
    w.write(2, `${title}:\n`);
    for (const arg of list) for (const s of arg.split('\n')) w.write(3, `${s}\n`);
  }
  if (status !== undefined) {
    describeState(w, 'State', status.state);
    if (status.lastState?.terminated !== undefined) describeState(w, 'Last State', status.lastState);
    w.write(2, `Ready:\t${status.ready ? 'True' : 'False'}\n`);
    w.write(2, `Restart Count:\t${status.restartCount}\n`);
  }
  for (const [title, list] of [['Limits', c.resources?.limits], ['Requests', c.resources?.requests]] as const) {
    const names = Object.keys(list ?? {}).sort();
    if (names.length > 0) w.write(2, `${title}:\n`);
    for (const n of names) w.write(3, `${n}:\t${String(list?.[n] ?? '')}\n`);
  }
  if (c.livenessProbe) w.write(2, `Liveness:\t${describeProbe(c.livenessProbe)}\n`);
  if (c.readinessProbe) w.write(2, `Readiness:\t${describeProbe(c.readinessProbe)}\n`);
  if (c.startupProbe) w.write(2, `Startup:\t${describeProbe(c.startupProbe)}\n`);
  if ((c.envFrom ?? []).length > 0) {
    w.write(2, 'Environment Variables from:\n');
    for (const e of c.envFrom ?? []) {
      const [from, ref] = e.configMapRef !== undefined ? ['ConfigMap', e.configMapRef] : ['Secret', e.secretRef];
      const prefix = e.prefix ? ` with prefix '${e.prefix}'` : '';
      w.write(3, `${ref?.name ?? ''}\t${from}${prefix}\tOptional: ${String(ref?.optional === true)}\n`);
    }
  }
  w.write(2, `Environment:${(c.env ?? []).length === 0 ? '\t<none>' : ''}\n`);
  for (const e of c.env ?? []) describeEnv(w, pod, c, e);
  const mounts = [...(c.volumeMounts ?? [])].sort((a, b) => (a.mountPath < b.mountPath ? -1 : a.mountPath > b.mountPath ? 1 : 0));
  w.write(2, `Mounts:${mounts.length === 0 ? '\t<none>' : ''}\n`);
  for (const m of mounts) {
    const flags = [m.readOnly === true ? 'ro' : 'rw', ...(m.subPath ? [`path=${JSON.stringify(m.subPath)}`] : [])];
    w.write(3, `${m.mountPath} from ${m.name} (${flags.join(',')})\n`);
  }
}

function describeContainers(w: PrefixWriter, pod: Pod, title: string, containers: readonly Container[], statuses: readonly ContainerStatus[] | undefined): void {
  w.write(0, `${title}:${containers.length === 0 ? ' <none>' : ''}\n`);
  for (const c of containers) describeContainer(w, pod, c, statuses?.find((s) => s.name === c.name));
}

function describeVolume(w: PrefixWriter, v: Volume): void {
  w.write(1, `${v.name}:\n`);
  if (v.hostPath !== undefined) {
    w.write(2, `Type:\tHostPath (bare host directory volume)\n    Path:\t${v.hostPath.path}\n    HostPathType:\t${v.hostPath.type || '<none>'}\n`);
  } else if (v.emptyDir !== undefined) {
    const size = v.emptyDir.sizeLimit === undefined || String(v.emptyDir.sizeLimit) === '0' ? '<unset>' : String(v.emptyDir.sizeLimit);
    w.write(2, `Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t${v.emptyDir.medium ?? ''}\n    SizeLimit:\t${size}\n`);
  } else if (v.secret !== undefined) {
    w.write(2, `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${v.secret.secretName ?? ''}\n    Optional:\t${String(v.secret.optional === true)}\n`);
  } else if (v.configMap !== undefined) {
    w.write(2, `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${v.configMap.name ?? ''}\n    Optional:\t${String(v.configMap.optional === true)}\n`);
  } else {
    w.write(1, '<unknown>\n');
  }
}

function describeEvents(w: PrefixWriter, events: readonly Event[], now: number): void {
  if (events.length === 0) {
    w.write(0, 'Events:\t<none>\n');
    return;
  }
  w.write(0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(1, '----\t------\t----\t----\t-------\n');
  for (const e of sortEvents(events)) {
    const from = e.source?.component || e.reportingController || e.reportingComponent || '';
    w.write(1, `${e.type ?? ''}\t${e.reason ?? ''}\t${eventInterval(e, now)}\t${from}\t${(e.message ?? '').trim()}\n`);
  }
}

/** The text of `kubectl describe pod`; events undefined when they could not be read (the section is left out). */
export function describePod(pod: Pod, events: readonly Event[] | undefined, now: number): string {
  const w = new PrefixWriter();
  const { metadata: m, spec, status } = pod;
  w.write(0, `Name:\t${m.name ?? ''}\n`);
  w.write(0, `Namespace:\t${m.namespace ?? ''}\n`);
  if (spec.priority !== undefined) w.write(0, `Priority:\t${spec.priority}\n`);
  if (spec.serviceAccountName) w.write(0, `Service Account:\t${spec.serviceAccountName}\n`);
  w.write(0, spec.nodeName ? `Node:\t${spec.nodeName}/${status?.hostIP ?? ''}\n` : 'Node:\t<none>\n');
  if (status?.startTime) w.write(0, `Start Time:\t${rfc1123z(status.startTime)}\n`);
  multiline(w, 'Labels', m.labels);
  annotations(w, m.annotations);
  const phase = status?.phase ?? '';
  if (m.deletionTimestamp && phase !== 'Failed' && phase !== 'Succeeded') {
    w.write(0, `Status:\tTerminating (lasts ${since(m.deletionTimestamp, now)})\n`);
    w.write(0, `Termination Grace Period:\t${m.deletionGracePeriodSeconds ?? 0}s\n`);
  } else {
    w.write(0, `Status:\t${phase}\n`);
  }
  if (status?.reason) w.write(0, `Reason:\t${status.reason}\n`);
  if (status?.message) w.write(0, `Message:\t${status.message}\n`);
  const seccomp = spec.securityContext?.seccompProfile;
  if (seccomp !== undefined) {
    w.write(0, `SeccompProfile:\t${seccomp.type}\n`);
    if (seccomp.type === 'Localhost') w.write(0, `LocalhostProfile:\t${seccomp.localhostProfile ?? ''}\n`);
  }
  w.write(0, `IP:\t${status?.podIP ?? ''}\n`);
  const ips = status?.podIPs ?? [];
  if (ips.length === 0) w.write(0, 'IPs:\t<none>\n');
  else {
    w.write(0, 'IPs:\n');
    for (const ip of ips) w.write(1, `IP:\t${ip.ip}\n`);
  }
  if ((spec.initContainers ?? []).length > 0) describeContainers(w, pod, 'Init Containers', spec.initContainers ?? [], status?.initContainerStatuses);
  describeContainers(w, pod, 'Containers', spec.containers, status?.containerStatuses);
  const gates = spec.readinessGates ?? [];
  if (gates.length > 0) {
    w.write(0, 'Readiness Gates:\n  Type\tStatus\n');
    for (const g of gates) {
      const c = status?.conditions?.find((x) => x.type === g.conditionType);
      w.write(1, `${g.conditionType} \t${c?.status ?? '<none>'} \n`);
    }
  }
  const conditions = status?.conditions ?? [];
  if (conditions.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\n');
    for (const c of conditions) w.write(1, `${c.type} \t${c.status} \n`);
  }
  const volumes = spec.volumes ?? [];
  if (volumes.length === 0) w.write(0, 'Volumes:\t<none>\n');
  else {
    w.write(0, 'Volumes:\n');
    for (const v of volumes) describeVolume(w, v);
  }
  w.write(0, `QoS Class:\t${status?.qosClass ?? podQOSClass(spec)}\n`);
  multiline(w, 'Node-Selectors', spec.nodeSelector);
  tolerations(w, spec.tolerations);
  // kubectl flushes its tabwriter before a non-empty events table; the one-cell `Events:` line ends every column
  // block anyway, so formatting the whole text at once aligns exactly the same.
  if (events !== undefined) describeEvents(w, events, now);
  return tabwrite(w.text, DESCRIBE_TABWRITER);
}
