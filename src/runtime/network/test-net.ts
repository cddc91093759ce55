// A throw-away pod network for tests: its own conflist, cache and namespace directories, bridge and host-local
// range, and a cleanup that removes whatever a failed test left (namespaces, veths, the bridge, NAT rules, IPs).
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mountsUnder, unmountAllUnder } from '../volume/mounts.js';
import { CniPodNetwork } from './pod-network.js';
import type { CniPodNetworkOptions } from './types.js';

const exec = promisify(execFile);

export const TEST_BRIDGE = 'poddtest0';
export const TEST_CIDR = '10.244.250.0/24';

export async function sh(file: string, args: string[], timeout = 20_000): Promise<string> {
  return (await exec(file, args, { timeout })).stdout;
}

export async function shOk(file: string, args: string[]): Promise<boolean> {
  return exec(file, args, { timeout: 20_000 }).then(() => true, () => false);
}

export interface TestNet {
  root: string;
  confDir: string;
  cacheDir: string;
  netnsDir: string;
  binDir: string;
  networkName: string;
  /** host-local's reservations for the test network. */
  ipamDir: string;
  network(opts?: Partial<CniPodNetworkOptions>): CniPodNetwork;
  /** Writes an executable fake plugin into binDir (searched before /usr/lib/cni). */
  fakePlugin(name: string, script: string): Promise<void>;
  reservedIps(): Promise<string[]>;
  cleanup(): Promise<void>;
}

let counter = 0;

type Family = 'ip' | 'ip6';

async function natTable(family: Family): Promise<string> {
  return exec('nft', ['-a', 'list', 'table', family, 'nat'], { timeout: 20_000 }).then((r) => r.stdout, () => '');
}

interface NatBefore {
  hadTable: boolean;
  hadHostportChains: boolean;
}

async function natBefore(family: Family): Promise<NatBefore> {
  const text = await natTable(family);
  return { hadTable: text !== '', hadHostportChains: text.includes('chain CNI-HOSTPORT-DNAT') };
}

/** iptables-save quotes arguments with spaces (--comment "name: \"x\""): a rule line back into argv. */
export function splitRule(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] ?? '';
    if (quoted) {
      if (ch === '\\' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') {
      quoted = true;
      started = true;
    } else if (ch === ' ') {
      if (started || cur !== '') out.push(cur);
      cur = '';
      started = false;
    } else cur += ch;
  }
  if (started || cur !== '') out.push(cur);
  return out;
}

/**
 * Deletes nat rules carrying the network's comment (nft does not show iptables comments, so this goes through
 * iptables-save) and the chains they jump to; the global hostport chains too when the test made them.
 */
async function removeNatRules(family: Family, networkName: string, { hadTable, hadHostportChains }: NatBefore): Promise<void> {
  const tool = family === 'ip' ? 'iptables' : 'ip6tables';
  const dump = await exec(`${tool}-save`, ['-t', 'nat']).then((r) => r.stdout, () => '');
  const marker = `name: \\"${networkName}\\"`;
  const chains = new Set<string>();
  for (const line of dump.split('\n')) {
    if (!line.startsWith('-A ')) continue;
    if (!line.includes(marker) && (hadHostportChains || !/ -j CNI-HOSTPORT-/.test(line))) continue;
    const argv = splitRule(line);
    const target = argv[argv.indexOf('-j') + 1];
    if (target?.startsWith('CNI-')) chains.add(target);
    await exec(tool, ['-t', 'nat', '-D', ...argv.slice(1)]).catch(() => undefined);
  }
  if (!hadHostportChains) for (const n of ['CNI-HOSTPORT-DNAT', 'CNI-HOSTPORT-SETMARK', 'CNI-HOSTPORT-MASQ']) chains.add(n);
  for (const chain of chains) {
    if (hadHostportChains && chain.startsWith('CNI-HOSTPORT-')) continue;
    await exec(tool, ['-t', 'nat', '-F', chain]).catch(() => undefined);
    await exec(tool, ['-t', 'nat', '-X', chain]).catch(() => undefined);
  }
  // the table itself, when the test created it and nothing else has put a rule in it since
  const left = await natTable(family);
  if (!hadTable && left !== '' && !left.split('\n').some((l) => /# handle \d+$/.test(l) && !/^\s*(table|chain) /.test(l))) {
    await exec('nft', ['delete', 'table', family, 'nat']).catch(() => undefined);
  }
}

export async function testNet(): Promise<TestNet> {
  const root = await mkdtemp(join(tmpdir(), 'podd-net-'));
  const networkName = `podd-test-${process.pid}-${counter++}`;
  const dirs = { confDir: join(root, 'net.d'), cacheDir: join(root, 'cache'), netnsDir: join(root, 'netns'), binDir: join(root, 'bin') };
  await mkdir(dirs.binDir);
  await mkdir(dirs.confDir);
  const ipamDir = join('/var/lib/cni/networks', networkName);
  const nat = { ip: await natBefore('ip'), ip6: await natBefore('ip6') };
  const hadCniDirs = { lib: await shOk('test', ['-d', '/var/lib/cni']), networks: await shOk('test', ['-d', '/var/lib/cni/networks']) };
  const forward = (await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim();
  // a bridge left by an earlier, killed run would carry someone else's gateway address
  await exec('ip', ['link', 'delete', TEST_BRIDGE]).catch(() => undefined);
  const made: CniPodNetwork[] = [];

  return {
    root,
    ...dirs,
    networkName,
    ipamDir,
    network(opts = {}) {
      const net = new CniPodNetwork({
        ...dirs,
        binDirs: [dirs.binDir, '/usr/lib/cni', '/opt/cni/bin'],
        defaultNetwork: { podCidr: TEST_CIDR, bridge: TEST_BRIDGE, networkName },
        pluginTimeoutMs: 20_000,
        ...opts,
      });
      made.push(net);
      return net;
    },
    async fakePlugin(name, script) {
      const path = join(dirs.binDir, name);
      await writeFile(path, `#!/bin/sh\n${script}\n`);
      await chmod(path, 0o755);
    },
    async reservedIps() {
      const names = await readdir(ipamDir).catch(() => [] as string[]);
      return names.filter((n) => /^\d+\.\d+\.\d+\.\d+$/.test(n)).sort();
    },
    async cleanup() {
      for (const net of made) {
        for (const r of await net.list().catch(() => [])) await net.tearDown(r.sandboxId).catch(() => undefined);
      }
      // veths of the test bridge go with it
      await exec('ip', ['link', 'delete', TEST_BRIDGE]).catch(() => undefined);
      await removeNatRules('ip', networkName, nat.ip);
      await removeNatRules('ip6', networkName, nat.ip6);
      await rm(ipamDir, { recursive: true, force: true });
      // rmdir, not rm -r: only when empty, i.e. nobody else keeps reservations there
      if (!hadCniDirs.networks) await rmdir('/var/lib/cni/networks').catch(() => undefined);
      if (!hadCniDirs.lib) await rmdir('/var/lib/cni').catch(() => undefined);
      if (forward === '0') await writeFile('/proc/sys/net/ipv4/ip_forward', '0').catch(() => undefined);
      await unmountAllUnder(root).catch(() => undefined);
      if ((await mountsUnder(root)).length === 0) await rm(root, { recursive: true, force: true });
    },
  };
}

export async function withTestNet(fn: (t: TestNet) => Promise<void>): Promise<void> {
  const t = await testNet();
  try {
    await fn(t);
  } finally {
    await t.cleanup();
  }
}

/** `ip netns exec` for a pinned namespace outside /run/netns. */
export function inNetns(netnsPath: string, file: string, args: string[]): Promise<string> {
  return sh('nsenter', [`--net=${netnsPath}`, file, ...args]);
}

export function ping(ip: string, fromNetns?: string): Promise<boolean> {
  const args = ['ping', '-c1', '-W1', ip];
  return fromNetns === undefined ? shOk('busybox', args) : shOk('nsenter', [`--net=${fromNetns}`, 'busybox', ...args]);
}

export async function linkNames(): Promise<string[]> {
  return (await sh('ip', ['-o', 'link', 'show']))
    .split('\n')
    .map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1] ?? '')
    .filter((n) => n !== '')
    .sort();
}
