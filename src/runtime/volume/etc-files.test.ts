import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writePodEtcFiles } from './etc-files.js';
import { withTempDir } from './test-util.js';

test('writes the kubelet-managed hosts file, the hostname and a copy of the host resolv.conf', async () => {
  await withTempDir(async (dir) => {
    const hostResolvConf = join(dir, 'host-resolv.conf');
    await writeFile(hostResolvConf, 'nameserver 10.0.0.53\nsearch example.org\n');
    const podDir = join(dir, 'pod');
    const files = await writePodEtcFiles(podDir, {
      hostname: 'web', podIP: '10.88.0.7', hostResolvConf,
      hostAliases: [{ ip: '127.0.0.1', hostnames: ['foo.local', 'bar.local'] }, { ip: '10.1.2.3', hostnames: ['foo.remote'] }],
    });
    assert.deepEqual(files, { hosts: join(podDir, 'etc-hosts'), hostname: join(podDir, 'etc-hostname'), resolvConf: join(podDir, 'etc-resolv.conf') });
    assert.equal(await readFile(files.hosts, 'utf8'), [
      '# Kubernetes-managed hosts file.',
      '127.0.0.1\tlocalhost',
      '::1\tlocalhost ip6-localhost ip6-loopback',
      'fe00::0\tip6-localnet',
      'fe00::0\tip6-mcastprefix',
      'fe00::1\tip6-allnodes',
      'fe00::2\tip6-allrouters',
      '10.88.0.7\tweb',
      '',
      '# Entries added by HostAliases.',
      '127.0.0.1\tfoo.local\tbar.local',
      '10.1.2.3\tfoo.remote',
      '',
    ].join('\n'));
    assert.equal(await readFile(files.hostname, 'utf8'), 'web\n');
    assert.equal(await readFile(files.resolvConf, 'utf8'), 'nameserver 10.0.0.53\nsearch example.org\n');
    for (const f of Object.values(files)) assert.equal((await stat(f)).mode & 0o777, 0o644);
  });
});

test('rewriting keeps the inode, so containers bind-mounting the files see the update', async () => {
  await withTempDir(async (dir) => {
    const hostResolvConf = join(dir, 'resolv.conf');
    await writeFile(hostResolvConf, 'nameserver 1.1.1.1\n');
    const first = await writePodEtcFiles(dir, { hostname: 'a', hostResolvConf });
    const inode = (await stat(first.hosts)).ino;
    assert.doesNotMatch(await readFile(first.hosts, 'utf8'), /\ta\n/, 'no pod IP yet: no hostname line');
    await writePodEtcFiles(dir, { hostname: 'a', podIP: '10.0.0.9', hostResolvConf });
    assert.equal((await stat(first.hosts)).ino, inode);
    assert.match(await readFile(first.hosts, 'utf8'), /\n10\.0\.0\.9\ta\n$/);
  });
});

test('a hostNetwork pod gets the node hosts file under its own header', async () => {
  await withTempDir(async (dir) => {
    const hostHostsFile = join(dir, 'hosts');
    await writeFile(hostHostsFile, '127.0.0.1 localhost\n192.168.1.5 node1\n');
    await writeFile(join(dir, 'resolv.conf'), '');
    const files = await writePodEtcFiles(join(dir, 'pod'), { hostname: 'node1', hostNetwork: true, hostHostsFile, hostResolvConf: join(dir, 'resolv.conf') });
    assert.equal(await readFile(files.hosts, 'utf8'), '# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n192.168.1.5 node1\n');
  });
});

test('resolv.conf follows the pod DNS policy: ClusterFirst, Default, None with dnsConfig; warnings for what was cut', async () => {
  await withTempDir(async (dir) => {
    const hostResolvConf = join(dir, 'host-resolv.conf');
    await writeFile(hostResolvConf, '# host\nnameserver 192.0.2.53\nsearch corp.example\noptions timeout:2\n');
    const cluster = { nameservers: ['10.86.0.1'], domain: 'cluster.local' };
    const write = async (name: string, pod: Record<string, unknown>, withCluster = true): Promise<string> => {
      const files = await writePodEtcFiles(join(dir, name), {
        hostname: name, hostResolvConf, dns: { pod: { namespace: 'team', ...pod }, ...(withCluster ? { cluster } : {}) },
      });
      return readFile(files.resolvConf, 'utf8');
    };
    assert.equal(await write('cf', { dnsPolicy: 'ClusterFirst' }),
      'search team.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.86.0.1\noptions ndots:5\n');
    assert.equal(await write('cf-run', { dnsPolicy: 'ClusterFirst' }, false), 'search corp.example\nnameserver 192.0.2.53\noptions timeout:2\n');
    assert.equal(await write('def', { dnsPolicy: 'Default' }), 'search corp.example\nnameserver 192.0.2.53\noptions timeout:2\n');
    assert.equal(await write('none', { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['x.example'], options: [{ name: 'ndots', value: '1' }] } }),
      'search x.example\nnameserver 1.1.1.1\noptions ndots:1\n');
    const warnings: string[] = [];
    const files = await writePodEtcFiles(join(dir, 'many'), {
      hostname: 'many', hostResolvConf, onDnsWarning: (w) => warnings.push(`${w.reason}: ${w.message}`),
      dns: { pod: { namespace: 'team', dnsPolicy: 'Default', dnsConfig: { nameservers: ['1.1.1.1', '1.0.0.1', '8.8.8.8'] } } },
    });
    assert.equal(await readFile(files.resolvConf, 'utf8'), 'search corp.example\nnameserver 192.0.2.53\nnameserver 1.1.1.1\nnameserver 1.0.0.1\noptions timeout:2\n');
    assert.deepEqual(warnings, ['DNSConfigForming: Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 192.0.2.53 1.1.1.1 1.0.0.1']);
  });
});

test('a pod with a subdomain has its FQDN in /etc/hosts', async () => {
  await withTempDir(async (dir) => {
    await writeFile(join(dir, 'resolv.conf'), '');
    const files = await writePodEtcFiles(join(dir, 'pod'), {
      hostname: 'db-0', podIPs: ['10.86.0.5'], hostDomain: 'db.team.svc.cluster.local', hostResolvConf: join(dir, 'resolv.conf'),
    });
    assert.match(await readFile(files.hosts, 'utf8'), /\n10\.86\.0\.5\tdb-0\.db\.team\.svc\.cluster\.local\tdb-0\n$/);
  });
});
