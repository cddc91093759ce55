// The issue's kubectl command list, each proven by the real kubectl 1.32 against a real `podd serve` running real pods:
// version, api-resources, get (-o wide/yaml/json, -w, -A, -l, --show-labels, --sort-by, nodes, namespaces),
// describe (with events), create, replace, apply (client-side twice, --server-side), delete (--wait, --grace-period,
// --force), wait --for=delete, logs (-f, --previous, --since), get events (with a field selector).
// Other engineers' pods may run on this host at the same time: the leak check looks only at this file's pods.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ServeFixture, instancesOf, runcStatus, until } from './serve-harness.js';

const serve = new ServeFixture();
const env = { ...process.env, KUBECONFIG: serve.kubeconfig, HOME: serve.dir, KUBECACHEDIR: join(serve.dir, 'cache') };
/** uids of every pod this file created: none of their containers may remain at the end. */
const uids = new Set<string>();
/** kubectl processes started in the background, killed (by pid) if a test fails before it ends them. */
const background = new Set<ChildProcess>();
const NS = 'podd-cov';
/** Names of every pod this file makes, deleted (if still there) after the tests. */
const allNames: string[] = [];

before(async () => {
  await serve.start();
});
after(async () => {
  for (const child of background) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  try {
    cleanup('default', ...allNames);
    cleanup(NS, 'cov-get-a');
  } catch {
    // the last test reports what remains
  } finally {
    await serve.dispose();
  }
});

function file(name: string, text: string): string {
  const path = join(serve.dir, name);
  writeFileSync(path, text);
  return path;
}

/** A small pod: one busybox container (and an optional init container) that ends at once on SIGTERM. */
function podYaml(name: string, opts: { ns?: string; labels?: Record<string, string>; init?: string; cmd?: string; extra?: string } = {}): string {
  allNames.push(name);
  const labels = Object.entries(opts.labels ?? {}).map(([k, v]) => `${k}: "${v}"`).join(', ');
  const init = opts.init === undefined ? '' : `  initContainers:\n  - {name: init, image: busybox, command: [sh, -c, '${opts.init}']}\n`;
  const cmd = opts.cmd ?? 'trap "exit 0" TERM; sleep 3600 & wait';
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
${opts.ns === undefined ? '' : `  namespace: ${opts.ns}\n`}  labels: {${labels}}
spec:
  terminationGracePeriodSeconds: 1
${opts.extra ?? ''}${init}  containers:
  - {name: main, image: busybox, command: [sh, -c, '${cmd}']}
`;
}

function kubectl(...args: string[]): string {
  return serve.kubectl(...args);
}

/** Runs kubectl expecting it to fail; returns its stderr. */
function kubectlFails(...args: string[]): string {
  try {
    serve.kubectl(...args);
  } catch (err) {
    return String((err as { stderr?: unknown }).stderr ?? '');
  }
  throw new Error(`kubectl ${args.join(' ')} succeeded`);
}

interface Background {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
}

function kubectlBackground(...args: string[]): Background {
  const child = spawn('kubectl', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  background.add(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => {
    background.delete(child);
    resolve(code);
  }));
  return { child, out: () => out, err: () => err, exit };
}

/** Records the pod's uid for the final leak check. */
function track(name: string, ns = 'default'): string {
  const uid = kubectl('get', 'pod', name, '-n', ns, '-o', 'jsonpath={.metadata.uid}');
  assert.match(uid, /^[0-9a-f-]{36}$/);
  uids.add(uid);
  return uid;
}

function ready(ns: string, ...names: string[]): void {
  kubectl('wait', '-n', ns, '--for=condition=Ready', '--timeout=30s', ...names.map((n) => `pod/${n}`));
}

/** Deletes pods without waiting (the final test checks their containers are gone). */
function cleanup(ns: string, ...names: string[]): void {
  if (names.length === 0) return;
  kubectl('delete', 'pod', '-n', ns, '--grace-period=1', '--ignore-not-found', '--wait=false', ...names);
}

function nodeName(): string {
  return kubectl('get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}');
}

test('kubectl version reports server v1.32.0; api-resources lists the core resources with their short names', () => {
  const version = kubectl('version');
  assert.match(version, /^Server Version: v1\.32\.0$/m);
  const json = JSON.parse(kubectl('version', '-o', 'json')) as { serverVersion?: { major?: string; minor?: string; gitVersion?: string } };
  assert.equal(json.serverVersion?.major, '1');
  assert.match(json.serverVersion?.minor ?? '', /^32\+?$/);
  assert.equal(json.serverVersion?.gitVersion, 'v1.32.0');

  const resources = kubectl('api-resources');
  assert.match(resources.split('\n')[0] ?? '', /^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/);
  assert.match(resources, /^pods\s+po\s+v1\s+true\s+Pod$/m);
  assert.match(resources, /^events\s+ev\s+v1\s+true\s+Event$/m);
  assert.match(resources, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
  assert.match(resources, /^nodes\s+no\s+v1\s+false\s+Node$/m);
  assert.match(resources, /^configmaps\s+cm\s+v1\s+true\s+ConfigMap$/m);
  // secrets has no short name in Kubernetes either
  assert.match(resources, /^secrets\s+v1\s+true\s+Secret$/m);
  // the short names work
  assert.match(kubectl('get', 'no'), /^NAME\s+STATUS/);
  assert.match(kubectl('get', 'ns'), /^default\s+Active/m);
});

test('get nodes: one Ready node with its Lease; get namespaces: the four a cluster starts with, and one made by kubectl create namespace', () => {
  const nodes = kubectl('get', 'nodes').trim().split('\n');
  assert.match(nodes[0] ?? '', /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
  assert.equal(nodes.length, 2, 'one node');
  assert.match(nodes[1] ?? '', /^\S+\s+Ready\s+\S+\s+\d+[smhd]\S*\s+v1\.32\.0$/);
  assert.match(kubectl('get', 'nodes', '-o', 'wide'), /INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME/);
  const ready = JSON.parse(kubectl('get', 'nodes', '-o', 'json')) as { items: { status?: { conditions?: { type: string; status: string }[] } }[] };
  assert.equal(ready.items[0]?.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');

  assert.match(kubectl('create', 'namespace', NS), new RegExp(`^namespace/${NS} created$`, 'm'));
  const namespaces = kubectl('get', 'namespaces');
  assert.match(namespaces, /^default\s+Active\s/m);
  assert.match(namespaces, /^kube-system\s+Active\s/m);
  assert.match(namespaces, new RegExp(`^${NS}\\s+Active\\s`, 'm'));
  assert.match(kubectl('get', 'namespace', 'kube-system', '-o', 'jsonpath={.status.phase}'), /^Active$/);
  for (const ns of ['kube-node-lease', 'kube-public']) assert.match(namespaces, new RegExp(`^${ns}\\s+Active\\s`, 'm'));
  // The node's heartbeat Lease, as kubectl describe node shows it.
  const node = (nodes[1] ?? '').split(/\s+/)[0] ?? '';
  const leases = kubectl('get', 'leases', '-n', 'kube-node-lease').trim().split('\n');
  assert.match(leases[0] ?? '', /^NAME\s+HOLDER\s+AGE$/);
  assert.match(leases[1] ?? '', new RegExp(`^${node}\\s+${node}\\s+\\d+[smhd]`));
  assert.match(kubectl('describe', 'node', node), new RegExp(`\\nLease:\\n\\s+HolderIdentity:\\s+${node}\\n\\s+AcquireTime:\\s+<unset>\\n\\s+RenewTime:\\s+\\w{3}, \\d+ \\w{3} \\d{4} `));
  assert.match(kubectlFails('create', 'namespace', NS), /AlreadyExists/);
});

test('get pods: -o wide, -o yaml, -o json, -A, -l, --show-labels, --sort-by', () => {
  const names = ['cov-get-b', 'cov-get-c'];
  try {
    // Listing order (default/…, then podd-cov/…) differs from name order (a, b, c): --sort-by must reorder.
    kubectl('apply', '-f', file('get-b.yaml', podYaml('cov-get-b', { labels: { app: 'x', rank: '2' } })));
    kubectl('apply', '-f', file('get-c.yaml', podYaml('cov-get-c', { labels: { app: 'other', rank: '1' } })));
    kubectl('apply', '-f', file('get-a.yaml', podYaml('cov-get-a', { ns: NS, labels: { app: 'x', rank: '3' } })));
    ready('default', ...names);
    ready(NS, 'cov-get-a');
    for (const n of names) track(n);
    track('cov-get-a', NS);
    const node = nodeName();

    // -o wide: the priority-1 columns, with the node the pod runs on
    const wide = kubectl('get', 'pods', '-o', 'wide').trim().split('\n');
    assert.match(wide[0] ?? '', /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    const row = (wide.find((l) => l.startsWith('cov-get-b ')) ?? '').split(/\s+/);
    assert.deepEqual(row.slice(1, 4), ['1/1', 'Running', '0']);
    assert.equal(row[6], node, 'NODE column');
    // podd gives a pod no network but its loopback (no CNI): an IP when it has one, else <none>
    assert.match(row[5] ?? '', /^(<none>|\d+\.\d+\.\d+\.\d+)$/, 'IP column');

    // -o yaml and -o json: the real objects
    const y = parseYaml(kubectl('get', 'pod', 'cov-get-b', '-o', 'yaml')) as { kind: string; metadata: { name: string; labels: Record<string, string> }; spec: { nodeName: string }; status: { phase: string } };
    assert.equal(y.kind, 'Pod');
    assert.equal(y.metadata.name, 'cov-get-b');
    assert.deepEqual(y.metadata.labels, { app: 'x', rank: '2' });
    assert.equal(y.spec.nodeName, node);
    assert.equal(y.status.phase, 'Running');
    const j = JSON.parse(kubectl('get', 'pods', '-o', 'json')) as { kind: string; items: { kind?: string; metadata: { name: string; namespace: string } }[] };
    assert.equal(j.kind, 'List');
    assert.deepEqual(j.items.map((i) => i.metadata.name).sort(), names);
    assert.ok(j.items.every((i) => i.kind === 'Pod' && i.metadata.namespace === 'default'));
    const one = JSON.parse(kubectl('get', 'pod', 'cov-get-c', '-o', 'json')) as { kind: string; status: { containerStatuses: { name: string; ready: boolean }[] } };
    assert.equal(one.kind, 'Pod');
    assert.deepEqual(one.status.containerStatuses.map((c) => [c.name, c.ready]), [['main', true]]);

    // -A: every namespace, with a NAMESPACE column
    const all = kubectl('get', 'pods', '-A');
    assert.match(all.split('\n')[0] ?? '', /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    assert.match(all, new RegExp(`^${NS}\\s+cov-get-a\\s+1/1\\s+Running\\s+0\\s`, 'm'));
    assert.match(all, /^default\s+cov-get-b\s+1\/1\s+Running\s+0\s/m);
    assert.match(all, /^default\s+cov-get-c\s+1\/1\s+Running\s+0\s/m);
    // without -A only the default namespace; with -n only that one
    assert.doesNotMatch(kubectl('get', 'pods'), /cov-get-a/);
    assert.match(kubectl('get', 'pods', '-n', NS), /^cov-get-a\s+1\/1\s+Running/m);

    // -l: label selectors, in one namespace and across all
    const x = kubectl('get', 'pods', '-l', 'app=x');
    assert.match(x, /^cov-get-b\s/m);
    assert.doesNotMatch(x, /cov-get-c/);
    const xAll = kubectl('get', 'pods', '-A', '-l', 'app=x', '-o', 'name');
    assert.deepEqual(xAll.trim().split('\n').sort(), ['pod/cov-get-a', 'pod/cov-get-b']);
    assert.equal(kubectl('get', 'pods', '-l', 'app!=x', '-o', 'name').trim(), 'pod/cov-get-c');
    assert.equal(kubectl('get', 'pods', '-l', 'app=nothing', '-o', 'name'), '');

    // --show-labels: a LABELS column from the rows' objects
    const labels = kubectl('get', 'pods', '--show-labels');
    assert.match(labels.split('\n')[0] ?? '', /\sLABELS$/);
    assert.match(labels, /^cov-get-b\s.*\sapp=x,rank=2$/m);
    assert.match(labels, /^cov-get-c\s.*\sapp=other,rank=1$/m);

    // --sort-by: name order across namespaces, and a label that orders the other way round
    const byName = kubectl('get', 'pods', '-A', '--sort-by=.metadata.name').trim().split('\n').slice(1).map((l) => l.split(/\s+/)[1]);
    assert.deepEqual(byName, ['cov-get-a', 'cov-get-b', 'cov-get-c']);
    const byRank = kubectl('get', 'pods', '-A', '--sort-by=.metadata.labels.rank', '-o', 'name').trim().split('\n');
    assert.deepEqual(byRank, ['pod/cov-get-c', 'pod/cov-get-b', 'pod/cov-get-a']);
  } finally {
    cleanup('default', ...names);
    cleanup(NS, 'cov-get-a');
  }
});

/** The STATUS column of a watch's rows for one pod, with repeats folded. */
function statuses(out: string, pod: string, statusIndex: number): string[] {
  const seen: string[] = [];
  for (const line of out.split('\n')) {
    const cells = line.trim().split(/\s+/);
    if (cells[statusIndex - 2] !== pod) continue;
    const status = cells[statusIndex] ?? '';
    if (seen.at(-1) !== status) seen.push(status);
  }
  return seen;
}

test('get pods -w prints each STATUS change (Pending/Init → Running → Terminating), --output-watch-events the event types', async () => {
  const watch = kubectlBackground('get', 'pods', '-w');
  const events = kubectlBackground('get', 'pods', '-w', '--output-watch-events');
  try {
    // both watches are listening before the pod is made (the initial list is empty)
    await new Promise((r) => setTimeout(r, 1500));
    kubectl('apply', '-f', file('watch.yaml', podYaml('cov-watch', { init: 'sleep 1' })));
    track('cov-watch');
    await until('the watch to show Running', () => statuses(watch.out(), 'cov-watch', 2).includes('Running'), 30_000);
    await until('the event watch to show Running', () => statuses(events.out(), 'cov-watch', 3).includes('Running'), 10_000);
    kubectl('delete', 'pod', 'cov-watch', '--wait=false');
    await until('the DELETED event', () => /^DELETED\s+cov-watch\s/m.test(events.out()), 20_000);

    const out = watch.out();
    assert.equal(out.match(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/gm)?.length, 1, `one header:\n${out}`);
    const seen = statuses(out, 'cov-watch', 2);
    assert.ok(['Pending', 'Init:0/1'].includes(seen[0] ?? ''), `first status: ${seen.join(' → ')}`);
    assert.ok(seen.includes('Init:0/1'), `Init:0/1 was shown: ${seen.join(' → ')}`);
    assert.ok(seen.indexOf('Init:0/1') < seen.indexOf('Running'), `Init before Running: ${seen.join(' → ')}`);
    assert.ok(seen.includes('Terminating'), `Terminating after the delete: ${seen.join(' → ')}`);
    assert.match(out, /^cov-watch\s+1\/1\s+Running\s+0\s+\d+s$/m);

    const ev = events.out();
    assert.match(ev, /^EVENT\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
    assert.match(ev, /^ADDED\s+cov-watch\s+0\/1\s+(Pending|Init:0\/1)\s/m);
    assert.match(ev, /^MODIFIED\s+cov-watch\s+1\/1\s+Running\s/m);
    const types = ev.split('\n').filter((l) => /^\S+\s+cov-watch\s/.test(l)).map((l) => l.split(/\s+/)[0]);
    assert.equal(types[0], 'ADDED');
    assert.equal(types.at(-1), 'DELETED');
    assert.equal(types.filter((t) => t === 'ADDED' || t === 'DELETED').length, 2, types.join(' '));
    // the watches stay open until they are ended
    assert.equal(watch.child.exitCode, null);
  } finally {
    watch.child.kill('SIGTERM');
    events.child.kill('SIGTERM');
    await Promise.all([watch.exit, events.exit]);
    cleanup('default', 'cov-watch');
  }
});

test('describe pod shows Init Containers, Containers, their State, Conditions and Events', () => {
  try {
    kubectl('apply', '-f', file('describe.yaml', podYaml('cov-desc', { labels: { app: 'desc' }, init: 'echo init done' })));
    ready('default', 'cov-desc');
    track('cov-desc');
    const out = kubectl('describe', 'pod', 'cov-desc');
    assert.match(out, /^Name:\s+cov-desc$/m);
    assert.match(out, /^Namespace:\s+default$/m);
    assert.match(out, new RegExp(`^Node:\\s+${nodeName()}/`, 'm'));
    assert.match(out, /^Labels:\s+app=desc$/m);
    assert.match(out, /^Status:\s+Running$/m);
    const init = out.slice(out.indexOf('\nInit Containers:\n'), out.indexOf('\nContainers:\n'));
    assert.match(init, /^\s+init:$/m);
    assert.match(init, /^\s+Container ID:\s+\S+:\/\/[0-9a-f]+$/m);
    assert.match(init, /^\s+Image:\s+busybox$/m);
    assert.match(init, /^\s+State:\s+Terminated\n\s+Reason:\s+Completed\n\s+Exit Code:\s+0$/m);
    assert.match(init, /^\s+Ready:\s+True$/m);
    const containers = out.slice(out.indexOf('\nContainers:\n'), out.indexOf('\nConditions:\n'));
    assert.match(containers, /^\s+main:$/m);
    assert.match(containers, /^\s+State:\s+Running\n\s+Started:\s+\w{3}, \d\d \w{3} \d{4} [\d:]+ \+0000$/m);
    assert.match(containers, /^\s+Ready:\s+True$/m);
    assert.match(containers, /^\s+Restart Count:\s+0$/m);
    const conditions = out.slice(out.indexOf('\nConditions:\n'), out.indexOf('\nVolumes:'));
    for (const c of ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled']) assert.match(conditions, new RegExp(`^\\s+${c}\\s+True\\s*$`, 'm'));
    const events = out.slice(out.indexOf('\nEvents:\n'));
    assert.match(events, /^\s+Type\s+Reason\s+Age\s+From\s+Message$/m);
    assert.match(events, /^\s+Normal\s+Pulled\s+\S+\s+\S+\s+Container image "busybox" already present on machine$/m);
    assert.match(events, /^\s+Normal\s+Created\s+\S+\s+\S+\s+Created container: init$/m);
    assert.match(events, /^\s+Normal\s+Started\s+\S+\s+\S+\s+Started container init$/m);
    assert.match(events, /^\s+Normal\s+Created\s+\S+\s+\S+\s+Created container: main$/m);
    assert.match(events, /^\s+Normal\s+Started\s+\S+\s+\S+\s+Started container main$/m);
    assert.match(kubectlFails('describe', 'pod', 'cov-nope'), /NotFound.*pods "cov-nope" not found/);
  } finally {
    cleanup('default', 'cov-desc');
  }
});

test('a pod gets a Scheduled event (default-scheduler), first in describe and in get events', () => {
  try {
    kubectl('apply', '-f', file('sched.yaml', podYaml('cov-sched')));
    ready('default', 'cov-sched');
    track('cov-sched');
    const node = nodeName();
    const described = kubectl('describe', 'pod', 'cov-sched');
    const rows = described.slice(described.indexOf('\nEvents:\n')).split('\n').filter((l) => /^\s+(Normal|Warning)\s/.test(l));
    assert.match(rows[0] ?? '', new RegExp(`^\\s+Normal\\s+Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned default/cov-sched to ${node}$`),
      `describe's events:\n${rows.join('\n')}`);
    assert.match(kubectl('get', 'events', '--field-selector', 'involvedObject.name=cov-sched'), /\sScheduled\s+pod\/cov-sched\s+Successfully assigned default\/cov-sched to /);
  } finally {
    cleanup('default', 'cov-sched');
  }
});

test('get events, and get events --field-selector involvedObject.name=', () => {
  try {
    kubectl('apply', '-f', file('ev1.yaml', podYaml('cov-ev1', { init: 'true' })));
    kubectl('apply', '-f', file('ev2.yaml', podYaml('cov-ev2')));
    ready('default', 'cov-ev1', 'cov-ev2');
    track('cov-ev1');
    track('cov-ev2');
    const all = kubectl('get', 'events');
    assert.match(all.split('\n')[0] ?? '', /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    for (const pod of ['cov-ev1', 'cov-ev2']) {
      assert.match(all, new RegExp(`^\\d+s\\s+Normal\\s+Pulled\\s+pod/${pod}\\s+Container image "busybox" already present on machine$`, 'm'));
      assert.match(all, new RegExp(`^\\d+s\\s+Normal\\s+Created\\s+pod/${pod}\\s+Created container: main$`, 'm'));
      assert.match(all, new RegExp(`^\\d+s\\s+Normal\\s+Started\\s+pod/${pod}\\s+Started container main$`, 'm'));
    }
    const one = kubectl('get', 'events', '--field-selector', 'involvedObject.name=cov-ev1');
    assert.match(one, /\sStarted\s+pod\/cov-ev1\s+Started container init$/m);
    assert.match(one, /\sStarted\s+pod\/cov-ev1\s+Started container main$/m);
    assert.doesNotMatch(one, /cov-ev2/);
    const rows = one.trim().split('\n').slice(1);
    assert.ok(rows.length >= 6 && rows.every((r) => r.includes(' pod/cov-ev1 ')), one);
    // the selector's other forms, and an object that has no events
    assert.doesNotMatch(kubectl('get', 'events', '--field-selector', 'involvedObject.name!=cov-ev1'), /cov-ev1/);
    assert.match(kubectl('get', 'events', '--field-selector', 'involvedObject.kind=Pod,involvedObject.name=cov-ev2', '-o', 'name'), /^event\/cov-ev2\.\S+$/m);
    assert.equal(kubectl('get', 'events', '--field-selector', 'involvedObject.name=cov-none', '-o', 'name'), '');
    // -A: with the NAMESPACE column
    assert.match(kubectl('get', 'events', '-A'), /^default\s+\d+s\s+Normal\s+Started\s+pod\/cov-ev2\s+Started container main$/m);
  } finally {
    cleanup('default', 'cov-ev1', 'cov-ev2');
  }
});

test("a pod's events are listed in the order they happened (get events, describe)", () => {
  try {
    kubectl('apply', '-f', file('order.yaml', podYaml('cov-order', { init: 'true' })));
    ready('default', 'cov-order');
    track('cov-order');
    const expected = ['Created container: init', 'Started container init', 'Created container: main', 'Started container main'];
    const order = (text: string): string[] => text.split('\n').flatMap((l) => expected.filter((m) => l.endsWith(m)));
    assert.deepEqual(order(kubectl('get', 'events', '--field-selector', 'involvedObject.name=cov-order')), expected, 'get events');
    const described = kubectl('describe', 'pod', 'cov-order');
    assert.deepEqual(order(described.slice(described.indexOf('\nEvents:\n'))), expected, 'describe');
  } finally {
    cleanup('default', 'cov-order');
  }
});

test('a pod\'s node address: describe shows Node: NAME/IP, and a hostNetwork pod\'s IP (-o wide) is the node\'s', () => {
  try {
    kubectl('apply', '-f', file('hostnet.yaml', podYaml('cov-hostnet', { extra: '  hostNetwork: true\n' })));
    ready('default', 'cov-hostnet');
    track('cov-hostnet');
    const node = nodeName();
    const nodeIP = kubectl('get', 'node', node, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}');
    assert.match(nodeIP, /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(kubectl('get', 'pod', 'cov-hostnet', '-o', 'jsonpath={.status.hostIP}'), nodeIP, 'status.hostIP');
    assert.match(kubectl('describe', 'pod', 'cov-hostnet'), new RegExp(`^Node:\\s+${node}/${nodeIP.replaceAll('.', '\\.')}$`, 'm'));
    const row = kubectl('get', 'pod', 'cov-hostnet', '-o', 'wide').split('\n')[1]?.split(/\s+/) ?? [];
    assert.equal(row[5], nodeIP, 'IP column');
    assert.equal(row[6], node, 'NODE column');
  } finally {
    cleanup('default', 'cov-hostnet');
  }
});

test('create -f (AlreadyExists the second time), replace -f changes a label', () => {
  try {
    const manifest = podYaml('cov-create', { labels: { stage: 'one' } });
    assert.match(kubectl('create', '-f', file('create.yaml', manifest)), /^pod\/cov-create created$/m);
    track('cov-create');
    assert.match(kubectlFails('create', '-f', join(serve.dir, 'create.yaml')), /Error from server \(AlreadyExists\): error when creating ".*create\.yaml": pods "cov-create" already exists/);
    const created = JSON.parse(kubectl('get', 'pod', 'cov-create', '-o', 'json')) as { metadata: { uid: string; resourceVersion: string; annotations?: Record<string, string> } };
    assert.equal(created.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'], undefined, 'create does not record last-applied');

    assert.match(kubectl('replace', '-f', file('replace.yaml', manifest.replace('stage: "one"', 'stage: "two"'))), /^pod\/cov-create replaced$/m);
    const replaced = JSON.parse(kubectl('get', 'pod', 'cov-create', '-o', 'json')) as { metadata: { uid: string; resourceVersion: string; labels: Record<string, string> } };
    assert.deepEqual(replaced.metadata.labels, { stage: 'two' });
    assert.equal(replaced.metadata.uid, created.metadata.uid, 'the same pod');
    assert.notEqual(replaced.metadata.resourceVersion, created.metadata.resourceVersion);
    assert.match(kubectl('get', 'pod', 'cov-create', '--show-labels'), /\sstage=two$/m);
    // a replace of a missing object is NotFound; a stale resourceVersion is a Conflict
    assert.match(kubectlFails('replace', '-f', file('replace-missing.yaml', podYaml('cov-missing'))), /NotFound.*pods "cov-missing" not found/);
    const stale = kubectl('get', 'pod', 'cov-create', '-o', 'yaml').replace(`resourceVersion: "${replaced.metadata.resourceVersion}"`, `resourceVersion: "${created.metadata.resourceVersion}"`);
    assert.match(kubectlFails('replace', '-f', file('stale.yaml', stale)), /Conflict/);
    // replace on a running pod does not restart it
    assert.equal(kubectl('get', 'pod', 'cov-create', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'), '0');
  } finally {
    cleanup('default', 'cov-create');
  }
});

test('apply (client-side): created, unchanged the second time, configured on a change; apply --server-side creates and updates', () => {
  try {
    const csa = podYaml('cov-apply', { labels: { stage: 'one' } });
    assert.match(kubectl('apply', '-f', file('apply.yaml', csa)), /^pod\/cov-apply created$/m);
    track('cov-apply');
    assert.match(kubectl('apply', '-f', join(serve.dir, 'apply.yaml')), /^pod\/cov-apply unchanged$/m);
    assert.match(kubectl('apply', '-f', file('apply2.yaml', csa.replace('stage: "one"', 'stage: "two"'))), /^pod\/cov-apply configured$/m);
    assert.match(kubectl('get', 'pod', 'cov-apply', '--show-labels'), /\sstage=two$/m);
    const lastApplied = kubectl('get', 'pod', 'cov-apply', '-o', 'jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}');
    assert.equal((JSON.parse(lastApplied) as { metadata: { labels: Record<string, string> } }).metadata.labels.stage, 'two');
    assert.match(kubectl('apply', '-f', join(serve.dir, 'apply2.yaml')), /^pod\/cov-apply unchanged$/m);

    const ssa = podYaml('cov-ssa', { labels: { stage: 'one', keep: 'yes' } });
    assert.match(kubectl('apply', '--server-side', '-f', file('ssa.yaml', ssa)), /^pod\/cov-ssa serverside-applied$/m);
    track('cov-ssa');
    const before = JSON.parse(kubectl('get', 'pod', 'cov-ssa', '-o', 'json', '--show-managed-fields')) as { metadata: { uid: string; managedFields?: { manager: string; operation: string }[] } };
    assert.ok(before.metadata.managedFields?.some((f) => f.manager === 'kubectl' && f.operation === 'Apply'), 'an Apply entry for kubectl');
    // an update: a changed label, a dropped label
    assert.match(kubectl('apply', '--server-side', '-f', file('ssa2.yaml', podYaml('cov-ssa', { labels: { stage: 'two' } }))), /^pod\/cov-ssa serverside-applied$/m);
    const afterUpdate = JSON.parse(kubectl('get', 'pod', 'cov-ssa', '-o', 'json')) as { metadata: { uid: string; labels: Record<string, string> } };
    assert.equal(afterUpdate.metadata.uid, before.metadata.uid);
    assert.deepEqual(afterUpdate.metadata.labels, { stage: 'two' });
    ready('default', 'cov-apply', 'cov-ssa');
    assert.equal(kubectl('get', 'pod', 'cov-ssa', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'), '0');
  } finally {
    cleanup('default', 'cov-apply', 'cov-ssa');
  }
});

test('delete --wait returns once the pod is gone: get right after is NotFound and its containers are stopped', () => {
  kubectl('apply', '-f', file('del-wait.yaml', podYaml('cov-del')));
  ready('default', 'cov-del');
  const uid = track('cov-del');
  const containers = instancesOf(uid).map((m) => m.id);
  assert.ok(containers.length >= 2, 'a sandbox and a container');
  assert.match(kubectl('delete', 'pod', 'cov-del', '--wait'), /^pod "cov-del" deleted$/m);
  assert.match(kubectlFails('get', 'pod', 'cov-del'), /Error from server \(NotFound\): pods "cov-del" not found/);
  assert.deepEqual(containers.filter((id) => runcStatus(id) === 'running'), [], 'no container still running');
  assert.match(kubectlFails('delete', 'pod', 'cov-del'), /NotFound/);
  assert.equal(kubectl('delete', 'pod', 'cov-del', '--ignore-not-found'), '');
});

test('delete --grace-period=1 of a pod that ignores SIGTERM takes the grace period, then kills it', () => {
  kubectl('apply', '-f', file('del-grace.yaml', podYaml('cov-grace', { cmd: "trap \"\" TERM; sleep 3600 & wait" }).replace('terminationGracePeriodSeconds: 1', 'terminationGracePeriodSeconds: 30')));
  ready('default', 'cov-grace');
  track('cov-grace');
  const start = Date.now();
  assert.match(kubectl('delete', 'pod', 'cov-grace', '--grace-period=1'), /^pod "cov-grace" deleted$/m);
  const took = Date.now() - start;
  assert.ok(took >= 1000, `took ${took} ms: at least the 1 s grace period`);
  assert.ok(took < 10_000, `took ${took} ms: not the pod's 30 s`);
  assert.match(kubectlFails('get', 'pod', 'cov-grace'), /NotFound/);
});

test('delete --force --grace-period=0 returns at once; the pod is gone and its containers follow', async () => {
  kubectl('apply', '-f', file('del-force.yaml', podYaml('cov-force', { cmd: "trap \"\" TERM; sleep 3600 & wait" }).replace('terminationGracePeriodSeconds: 1', 'terminationGracePeriodSeconds: 30')));
  ready('default', 'cov-force');
  const uid = track('cov-force');
  const start = Date.now();
  const out = kubectl('delete', 'pod', 'cov-force', '--force', '--grace-period=0');
  assert.match(out, /^pod "cov-force" force deleted$/m);
  assert.ok(Date.now() - start < 3000, `took ${Date.now() - start} ms`);
  assert.match(kubectlFails('get', 'pod', 'cov-force'), /NotFound/);
  await until('the force-deleted pod\'s containers to be removed', () => instancesOf(uid).length === 0, 15_000);
});

test('wait --for=delete returns when the pod is gone (and at once for a missing pod)', async () => {
  kubectl('apply', '-f', file('wait-del.yaml', podYaml('cov-waitdel')));
  ready('default', 'cov-waitdel');
  track('cov-waitdel');
  const waiter = kubectlBackground('wait', '--for=delete', 'pod/cov-waitdel', '--timeout=30s');
  try {
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(waiter.child.exitCode, null, 'still waiting while the pod exists');
    kubectl('delete', 'pod', 'cov-waitdel', '--wait=false');
    assert.equal(await waiter.exit, 0, waiter.err());
    assert.match(waiter.out(), /^pod\/cov-waitdel condition met$/m);
    assert.match(kubectlFails('get', 'pod', 'cov-waitdel'), /NotFound/);
  } finally {
    if (waiter.child.exitCode === null) waiter.child.kill('SIGTERM');
  }
  // a pod that does not exist is already deleted
  kubectl('wait', '--for=delete', 'pod/cov-waitdel', '--timeout=5s');
});

test('logs -f follows a running container until the pod ends, and exits 0 at the end of a container that exits', async () => {
  try {
    kubectl('apply', '-f', file('follow.yaml', podYaml('cov-follow', { cmd: 'i=0; while true; do i=$((i+1)); echo line $i; sleep 0.2; done' })));
    kubectl('apply', '-f', file('follow-end.yaml', podYaml('cov-follow-end', {
      cmd: 'sleep 1; for i in 1 2 3 4 5 6 7 8; do echo tick $i; sleep 0.2; done',
      extra: '  restartPolicy: Never\n',
    })));
    ready('default', 'cov-follow', 'cov-follow-end');
    track('cov-follow');
    track('cov-follow-end');

    // a container that exits: logs -f prints all it wrote and exits 0 when it ends
    const ending = kubectlBackground('logs', '-f', 'cov-follow-end');
    const follow = kubectlBackground('logs', '-f', 'cov-follow');
    const code = await Promise.race([ending.exit, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
    assert.equal(code, 0, ending.err());
    assert.equal(ending.out(), [1, 2, 3, 4, 5, 6, 7, 8].map((i) => `tick ${i}\n`).join(''));

    // a running one: lines keep coming, in order, without gaps
    const linesNow = (): number => follow.out().split('\n').filter((l) => l !== '').length;
    const first = linesNow();
    await until('three more followed lines', () => linesNow() >= first + 3, 10_000);
    const lines = follow.out().split('\n').filter((l) => l !== '');
    assert.deepEqual(lines, lines.map((_, i) => `line ${i + 1}`));
    assert.equal(follow.child.exitCode, null, 'still following');
    // --tail with -f starts from the last lines
    const tail = kubectlBackground('logs', '-f', '--tail=1', 'cov-follow');
    await until('tail -f to print two lines', () => tail.out().split('\n').length >= 3, 10_000);
    const tailed = tail.out().split('\n').filter((l) => l !== '').map((l) => Number(l.split(' ')[1]));
    assert.ok((tailed[0] ?? 0) >= lines.length && tailed[1] === (tailed[0] ?? 0) + 1, tail.out());
    tail.child.kill('SIGTERM');
    await tail.exit;

    // the pod ends: the stream ends and kubectl exits 0
    kubectl('delete', 'pod', 'cov-follow', '--wait=false');
    const followCode = await Promise.race([follow.exit, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
    assert.equal(followCode, 0, `logs -f after the pod ended: ${follow.err()}`);
  } finally {
    cleanup('default', 'cov-follow', 'cov-follow-end');
  }
});

test('logs --previous shows the run before a restart', async () => {
  try {
    // restartPolicy Always (the default): run 1 exits 1, run 2 stays up
    const cmd = 'n=$(($(cat /d/n 2>/dev/null || echo 0)+1)); echo $n > /d/n; echo run $n; [ $n -ge 2 ] && exec sleep 3600; exit 1';
    kubectl('apply', '-f', file('previous.yaml', podYaml('cov-prev', {
      cmd, extra: '  volumes: [{name: d, emptyDir: {}}]\n',
    }).replace("command: [sh, -c, '", "volumeMounts: [{name: d, mountPath: /d}], command: [sh, -c, '")));
    track('cov-prev');
    await until('the restart', () => serve.pod('cov-prev').status?.containerStatuses?.[0]?.restartCount === 1, 30_000);
    ready('default', 'cov-prev');
    assert.equal(kubectl('logs', 'cov-prev', '--previous'), 'run 1\n');
    assert.equal(kubectl('logs', 'cov-prev', '-p', '-c', 'main'), 'run 1\n');
    assert.equal(kubectl('logs', 'cov-prev'), 'run 2\n');
    assert.match(kubectl('get', 'pod', 'cov-prev'), /^cov-prev\s+1\/1\s+Running\s+1 \(\d+s ago\)\s/m);
    const last = serve.pod('cov-prev').status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode;
    assert.equal(last, 1);

    // a container that never restarted has no previous log
    kubectl('apply', '-f', file('noprev.yaml', podYaml('cov-noprev')));
    ready('default', 'cov-noprev');
    track('cov-noprev');
    assert.match(kubectlFails('logs', 'cov-noprev', '--previous'), /previous terminated container "main" in pod "cov-noprev" not found/);
  } finally {
    cleanup('default', 'cov-prev', 'cov-noprev');
  }
});

test('logs --since=1h returns the lines, --since=1s after a pause returns none of the old ones', async () => {
  try {
    kubectl('apply', '-f', file('since.yaml', podYaml('cov-since', { cmd: 'echo old 1; echo old 2; echo old 3; trap "exit 0" TERM; sleep 3600 & wait' })));
    ready('default', 'cov-since');
    track('cov-since');
    await until('the three lines', () => kubectl('logs', 'cov-since') === 'old 1\nold 2\nold 3\n', 10_000);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(kubectl('logs', 'cov-since', '--since=1h'), 'old 1\nold 2\nold 3\n');
    assert.equal(kubectl('logs', 'cov-since', '--since=1h', '--tail=1'), 'old 3\n');
    assert.equal(kubectl('logs', 'cov-since', '--since=1s'), '', '--since=1s: the lines are older than 1 s');
    const future = new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    assert.equal(kubectl('logs', 'cov-since', `--since-time=${future}`), '', '--since-time in the future');
  } finally {
    cleanup('default', 'cov-since');
  }
});

test('none of these pods\' containers remain', async () => {
  assert.ok(uids.size > 0, 'pods were tracked');
  await until('every pod of this file to be removed', () => {
    try {
      return kubectl('get', 'pods', '-A', '-o', 'name') === '';
    } catch {
      return false;
    }
  }, 30_000).catch(() => undefined);
  assert.equal(kubectl('get', 'pods', '-A', '-o', 'name'), '');
  await until('no container of these pods', () => [...uids].every((uid) => instancesOf(uid).length === 0), 30_000).catch(() => undefined);
  assert.deepEqual([...uids].flatMap((uid) => instancesOf(uid).map((m) => `${m.name} (${m.role}, pod ${uid})`)), []);
});
