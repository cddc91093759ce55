// Issue 4 item 7: 200 pods created and deleted through podd serve leave the host's network as it was: no interfaces,
// addresses, routes, NAT rules, namespaces or IP reservations.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ServeFixture, until } from './serve-harness.js';

const serve = new ServeFixture();
const ROUNDS = 8;
const PODS_PER_ROUND = 25;

/** The host's network as text, with what changes on its own (counters, bridge state) left out. */
function snapshot(): Record<string, string> {
  const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' });
  const dir = (d: string): string => (existsSync(d) ? readdirSync(d).sort().join(' ') : '');
  return {
    links: run('ip', ['-o', 'link']).split('\n').map((l) => l.replace(/\\.*$/, '').replace(/state \S+ /, '').replace(/qlen \d+/, '')).filter((l) => !/ podd0:/.test(l)).join('\n'),
    addresses: run('ip', ['-o', 'addr']).split('\n').filter((l) => !/ podd0 /.test(l)).map((l) => l.replace(/\\.*$/, '')).join('\n'),
    routes: run('ip', ['route']).split('\n').filter((l) => !l.includes('podd0')).join('\n'),
    nat: run('iptables-save', ['-t', 'nat']).split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/, '')).join('\n'),
    filter: run('iptables-save', ['-t', 'filter']).split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/, '')).join('\n'),
    netns: dir('/run/podd/netns'),
    cniCache: dir('/var/lib/podd/cni/results'),
    ipam: dir('/var/lib/cni/networks/podd').split(' ').filter((f) => /^\d/.test(f)).join(' '),
  };
}

function manifest(round: number): string {
  const docs = Array.from({ length: PODS_PER_ROUND }, (_, i) => `apiVersion: v1
kind: Pod
metadata: {name: cycle-${round}-${i}}
spec:
  terminationGracePeriodSeconds: 0
  containers: [{name: c, image: busybox, command: [sleep, '3600']}]
`);
  const file = join(serve.dir, `round-${round}.yaml`);
  writeFileSync(file, docs.join('---\n'));
  return file;
}

before(async () => {
  await serve.start();
  // The first pod makes podd's bridge (and its NAT rule for the pod CIDR), which stays: the baseline has it.
  serve.kubectl('apply', '-f', manifest(-1));
  await until('the warm-up pods to run', () => !/Pending|ContainerCreating/.test(serve.kubectl('get', 'pods', '--no-headers')), 60_000);
  serve.kubectl('delete', 'pods', '--all', '--wait=true', '--timeout=60s');
});
after(() => serve.dispose());

/** No pod network on the host: no pinned namespace, no per-pod CNI chain (the baseline is taken from there). */
function settled(): boolean {
  const s = snapshot();
  return s.netns === '' && !/^:CNI-[0-9a-f]{24} /m.test(s.nat ?? '');
}

test(`${ROUNDS * PODS_PER_ROUND} pods created and deleted leave no interfaces, addresses, rules or namespaces`, async () => {
  // Pods of earlier tests may still be being removed (their cleanup runs after their objects are gone).
  await until('the host to have no pod network', settled, 30_000);
  const before = snapshot();
  for (let round = 0; round < ROUNDS; round++) {
    serve.kubectl('apply', '-f', manifest(round));
    await until(`round ${round} to run`, () => {
      const ips = serve.kubectl('get', 'pods', '-o', 'jsonpath={range .items[*]}{.status.podIP}{"\\n"}{end}').trim().split('\n').filter((l) => l !== '');
      return ips.length === PODS_PER_ROUND && new Set(ips).size === PODS_PER_ROUND;
    }, 90_000);
    serve.kubectl('delete', 'pods', '--all', '--wait=true', '--timeout=90s');
  }
  await until('the last pods to be cleaned up', () => readdirSync('/run/podd/netns').length === 0, 30_000);
  const afterCycles = snapshot();
  for (const key of Object.keys(before)) assert.equal(afterCycles[key], before[key], key);
});
