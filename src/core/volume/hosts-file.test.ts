import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostAliasesEntries, managedHostsFileContent } from './hosts-file.js';

test('with a host domain every pod IP names the FQDN and the short name', () => {
  const text = managedHostsFileContent(['10.0.0.5', 'fd00::5'], 'db-0', 'db.prod.svc.cluster.local', undefined);
  assert.ok(text.endsWith('fe00::2\tip6-allrouters\n10.0.0.5\tdb-0.db.prod.svc.cluster.local\tdb-0\nfd00::5\tdb-0.db.prod.svc.cluster.local\tdb-0\n'));
});

test('no aliases adds nothing, not even the section header', () => {
  assert.equal(hostAliasesEntries([]), '');
  assert.equal(hostAliasesEntries(undefined), '');
  assert.equal(hostAliasesEntries([{ ip: '1.2.3.4' }]), '\n# Entries added by HostAliases.\n1.2.3.4\t\n');
});
