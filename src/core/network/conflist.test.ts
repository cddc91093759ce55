import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confFilesInOrder, confListToObject, parseConfFile, parseConfListObject } from './conflist.js';
import { isNetworkError } from './errors.js';

const good = { cniVersion: '1.0.0', name: 'podd', plugins: [{ type: 'bridge', bridge: 'podd0' }, { type: 'portmap', capabilities: { portMappings: true } }] };

test('configuration files are the .conf, .conflist and .json names, in byte order', () => {
  assert.deepEqual(
    confFilesInOrder(['99-z.conflist', '10-a.conf', 'README', '.conflist', '50-b.json', 'x.conflist.bak', '10-A.conflist', '87-podman.conflist']),
    ['10-A.conflist', '10-a.conf', '50-b.json', '87-podman.conflist', '99-z.conflist'],
  );
});

test('a conflist keeps each plugin raw and collects declared capabilities', () => {
  const list = parseConfFile('/etc/cni/net.d/10-podd.conflist', JSON.stringify(good));
  assert.equal(list.cniVersion, '1.0.0');
  assert.equal(list.name, 'podd');
  assert.equal(list.disableCheck, false);
  assert.deepEqual(list.plugins.map((p) => p.type), ['bridge', 'portmap']);
  assert.deepEqual(list.plugins[1]?.capabilities, { portMappings: true });
  assert.deepEqual(list.plugins[0]?.raw, { type: 'bridge', bridge: 'podd0' });
  assert.deepEqual(confListToObject(list), good);
});

test('a single network (.conf/.json) becomes a one-plugin list', () => {
  const text = JSON.stringify({ cniVersion: '0.4.0', name: 'one', type: 'bridge', bridge: 'b0', ipam: { type: 'host-local' } });
  for (const name of ['10-one.conf', '10-one.json']) {
    const list = parseConfFile(name, text);
    assert.equal(list.name, 'one');
    assert.equal(list.cniVersion, '0.4.0');
    assert.deepEqual(list.plugins.map((p) => p.raw), [{ type: 'bridge', bridge: 'b0', ipam: { type: 'host-local' } }]);
  }
});

test('disableCheck accepts the boolean and the string the spec text shows', () => {
  for (const [value, want] of [[true, true], ['true', true], [false, false], ['false', false], [undefined, false]] as const) {
    assert.equal(parseConfListObject({ ...good, disableCheck: value }, 's').disableCheck, want, String(value));
  }
});

test('CNI 1.1 cniVersions picks the newest version podd supports', () => {
  assert.equal(parseConfListObject({ ...good, cniVersions: ['0.4.0', '1.0.0', '9.9.9'] }, 's').cniVersion, '1.0.0');
  // none usable: cniVersion decides
  assert.equal(parseConfListObject({ ...good, cniVersions: ['9.9.9'] }, 's').cniVersion, '1.0.0');
});

const invalid: { name: string; file?: string; text: string; want: RegExp }[] = [
  { name: 'not JSON', text: '{', want: /^f\.conflist: not valid JSON/ },
  { name: 'an array', text: '[]', want: /must be a JSON object/ },
  { name: 'no cniVersion', text: JSON.stringify({ ...good, cniVersion: undefined }), want: /cniVersion is required/ },
  { name: 'cniVersion not a version', text: JSON.stringify({ ...good, cniVersion: 'v1' }), want: /"v1" is not a version/ },
  { name: 'cniVersion too old for chaining', text: JSON.stringify({ ...good, cniVersion: '0.2.0' }), want: /"0.2.0" is not supported \(podd supports 0.3.0/ },
  { name: 'cniVersion unknown', text: JSON.stringify({ ...good, cniVersion: '2.0.0' }), want: /not supported/ },
  { name: 'cniVersions not strings', text: JSON.stringify({ ...good, cniVersions: [1] }), want: /cniVersions must be a list of strings/ },
  { name: 'no name', text: JSON.stringify({ ...good, name: '' }), want: /name is required/ },
  { name: 'bad name', text: JSON.stringify({ ...good, name: '-x y' }), want: /name "-x y" must be letters/ },
  { name: 'no plugins', text: JSON.stringify({ ...good, plugins: [] }), want: /plugins must be a non-empty list/ },
  { name: 'plugins not a list', text: JSON.stringify({ ...good, plugins: {} }), want: /plugins must be a non-empty list/ },
  { name: 'plugin not an object', text: JSON.stringify({ ...good, plugins: ['bridge'] }), want: /plugins\[0\]: must be an object/ },
  { name: 'plugin without type', text: JSON.stringify({ ...good, plugins: [{ bridge: 'x' }] }), want: /plugins\[0\]: type is required/ },
  { name: 'plugin type is a path', text: JSON.stringify({ ...good, plugins: [{ type: '../../bin/sh' }] }), want: /type "..\/..\/bin\/sh" is not a plugin file name/ },
  { name: 'capabilities not an object', text: JSON.stringify({ ...good, plugins: [{ type: 'portmap', capabilities: true }] }), want: /capabilities must be an object/ },
  { name: 'capability not boolean', text: JSON.stringify({ ...good, plugins: [{ type: 'portmap', capabilities: { portMappings: 'yes' } }] }), want: /capabilities.portMappings must be true or false/ },
  { name: 'disableCheck odd', text: JSON.stringify({ ...good, disableCheck: 'maybe' }), want: /disableCheck must be true or false/ },
  { name: 'a .conf with plugins', file: 'f.conf', text: JSON.stringify(good), want: /has "plugins": name the file .conflist/ },
  { name: 'a .conf without type', file: 'f.conf', text: JSON.stringify({ cniVersion: '1.0.0', name: 'n' }), want: /plugins\[0\]: type is required/ },
];

for (const c of invalid) {
  test(`invalid configuration: ${c.name}`, () => {
    assert.throws(
      () => parseConfFile(c.file ?? 'f.conflist', c.text),
      (err: unknown) => isNetworkError(err, 'InvalidConfig') && err.code === 'Invalid' && c.want.test(err.message),
    );
  });
}
