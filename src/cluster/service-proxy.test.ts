import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Service } from '../api/service-types.js';
import type { TableName } from '../core/proxy/restore.js';
import { tempStore } from '../store/store-fixtures.js';
import type { IptablesRunner } from './iptables.js';
import { ServiceProxy } from './service-proxy.js';

/**
 * iptables in memory: enough of iptables-restore --noflush (declare = create or flush, -A, -I n, -D, -X) and of
 * iptables-save to check what the proxy leaves, including foreign chains it must not touch.
 */
class FakeIptables implements IptablesRunner {
  readonly tables: Record<TableName, Map<string, string[]>> = {
    nat: new Map([['PREROUTING', []], ['OUTPUT', []], ['POSTROUTING', ['-s 10.86.0.5/32 -j CNI-abc']], ['CNI-abc', ['-d 10.86.0.0/24 -j ACCEPT']]]),
    filter: new Map([['INPUT', []], ['FORWARD', []], ['OUTPUT', []]]),
  };
  restores = 0;
  fail = false;

  save(table: TableName): Promise<string> {
    const lines = [`*${table}`];
    for (const c of this.tables[table].keys()) lines.push(`:${c} - [0:0]`);
    for (const [c, rules] of this.tables[table]) for (const r of rules) lines.push(`-A ${c} ${r}`);
    return Promise.resolve([...lines, 'COMMIT', ''].join('\n'));
  }

  restore(text: string): Promise<void> {
    if (this.fail) return Promise.reject(new Error('iptables-restore: exit 1'));
    this.restores++;
    // All or nothing, as the real one: work on a copy.
    const next = { nat: new Map(this.tables.nat), filter: new Map(this.tables.filter) };
    let t: Map<string, string[]> | undefined;
    for (const line of text.split('\n')) {
      if (line.startsWith('*')) t = next[line.slice(1) as TableName];
      else if (line === 'COMMIT' || line === '' || t === undefined) continue;
      else if (line.startsWith(':')) t.set(line.slice(1).split(' ')[0] ?? '', []);
      else {
        const [op = '', chain = '', ...rest] = line.split(' ');
        const rules = [...(t.get(chain) ?? [])];
        if (op === '-X') {
          for (const rs of t.values()) if (rs.some((r) => r.endsWith(`-j ${chain}`))) return Promise.reject(new Error(`chain ${chain} in use`));
          t.delete(chain);
          continue;
        }
        if (!t.has(chain)) return Promise.reject(new Error(`no chain ${chain}`));
        if (op === '-A') rules.push(rest.join(' '));
        else if (op === '-I') rules.unshift(rest.slice(1).join(' '));
        else if (op === '-D') {
          const i = rules.indexOf(rest.join(' '));
          if (i < 0) return Promise.reject(new Error(`no rule to delete in ${chain}`));
          rules.splice(i, 1);
        }
        t.set(chain, rules);
      }
    }
    this.tables.nat = next.nat;
    this.tables.filter = next.filter;
    return Promise.resolve();
  }

  text(): string {
    return [...Object.values(this.tables)].flatMap((m) => [...m].flatMap(([c, rs]) => [c, ...rs])).join('\n');
  }
}

function service(name: string, ip: string): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { clusterIP: ip, clusterIPs: [ip], type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }] } };
}

function slice(svc: string, ips: string[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name: `${svc}-abcde`, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })), ports: [{ name: '', port: 8080, protocol: 'TCP' }],
  };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 60));

function setup(t: TestContext): { store: ReturnType<typeof tempStore>['store']; ipt: FakeIptables; proxy: ServiceProxy } {
  const { store } = tempStore(t);
  const ipt = new FakeIptables();
  const proxy = new ServiceProxy(store, { iptables: ipt, nodeName: 'node-1', podCidr: '10.86.0.0/24', debounceMs: 5, resyncMs: 60_000 });
  t.after(() => proxy.stop().catch(() => undefined));
  return { store, ipt, proxy };
}

test('start removes a previous podd\'s chains and installs the rules; changes resync; stop leaves only the foreign chains', async (t) => {
  const { store, ipt, proxy } = setup(t);
  ipt.tables.nat.set('PODD-SVC-STALE', ['-j RETURN']);
  ipt.tables.nat.get('PREROUTING')?.push('-m comment --comment "old podd" -j PODD-SVC-STALE');
  store.create('services', service('web', '10.87.0.10'));
  store.create('endpointslices', slice('web', ['10.86.0.5']));
  await proxy.start();
  assert.doesNotMatch(ipt.text(), /STALE/);
  assert.deepEqual(ipt.tables.nat.get('PREROUTING'), ['-m comment --comment "podd service portals" -j PODD-SERVICES']);
  assert.equal(ipt.tables.nat.get('POSTROUTING')?.[0], '-m comment --comment "podd postrouting rules" -j PODD-POSTROUTING', 'before the bridge plugin\'s rules');
  assert.match(ipt.text(), /DNAT --to-destination 10\.86\.0\.5:8080/);

  store.update<EndpointSlice>('endpointslices', 'default', 'web-abcde', () => slice('web', ['10.86.0.5', '10.86.0.6']));
  await settle();
  assert.match(ipt.text(), /--to-destination 10\.86\.0\.6:8080/);

  store.create('services', service('empty', '10.87.0.11'));
  await settle();
  assert.match(ipt.tables.filter.get('PODD-SERVICES')?.join('\n') ?? '', /-d 10\.87\.0\.11\/32 --dport 80 -j REJECT/);

  store.delete('services', 'default', 'web');
  await settle();
  assert.doesNotMatch(ipt.text(), /10\.87\.0\.10|10\.86\.0\.5:8080/);
  assert.equal([...ipt.tables.nat.keys()].filter((c) => c.startsWith('PODD-SVC-') || c.startsWith('PODD-SEP-')).length, 0, 'its chains are deleted');

  const before = ipt.restores;
  await proxy.syncNow();
  assert.equal(ipt.restores, before, 'an unchanged ruleset is not rewritten');

  await proxy.stop();
  assert.doesNotMatch(ipt.text(), /PODD/);
  assert.deepEqual(ipt.tables.nat.get('CNI-abc'), ['-d 10.86.0.0/24 -j ACCEPT']);
  assert.deepEqual(ipt.tables.nat.get('POSTROUTING'), ['-s 10.86.0.5/32 -j CNI-abc']);
});

test('a failed restore is retried; starting twice is harmless', async (t) => {
  const { store, ipt, proxy } = setup(t);
  await proxy.start();
  ipt.fail = true;
  store.create('services', service('web', '10.87.0.10'));
  store.create('endpointslices', slice('web', ['10.86.0.5']));
  await settle();
  assert.doesNotMatch(ipt.text(), /10\.86\.0\.5:8080/);
  ipt.fail = false;
  await new Promise((r) => setTimeout(r, 2200));
  assert.match(ipt.text(), /10\.86\.0\.5:8080/, 'the retry installed it');
  const other = new ServiceProxy(store, { iptables: ipt, nodeName: 'node-1', debounceMs: 5 });
  await other.start();
  assert.equal(ipt.tables.nat.get('PREROUTING')?.filter((r) => r.includes('PODD-SERVICES')).length, 1, 'one jump, not two');
  await other.stop();
  assert.doesNotMatch(ipt.text(), /PODD/);
});

test('rules someone else removed (iptables -F, a firewall reload) are restored by the periodic check', async (t) => {
  const { store } = tempStore(t);
  const ipt = new FakeIptables();
  const proxy = new ServiceProxy(store, { iptables: ipt, nodeName: 'node-1', debounceMs: 5, checkMs: 20, resyncMs: 60_000 });
  t.after(() => proxy.stop().catch(() => undefined));
  store.create('services', service('web', '10.87.0.10'));
  store.create('endpointslices', slice('web', ['10.86.0.5']));
  await proxy.start();
  for (const table of Object.values(ipt.tables)) {
    for (const [chain, rules] of table) {
      if (chain.startsWith('PODD-')) table.delete(chain);
      else table.set(chain, rules.filter((r) => !r.includes('PODD-')));
    }
  }
  assert.doesNotMatch(ipt.text(), /PODD/);
  await new Promise((r) => setTimeout(r, 150));
  assert.match(ipt.text(), /DNAT --to-destination 10\.86\.0\.5:8080/);
  assert.deepEqual(ipt.tables.nat.get('PREROUTING'), ['-m comment --comment "podd service portals" -j PODD-SERVICES']);
});
