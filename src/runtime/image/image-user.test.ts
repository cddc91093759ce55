import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveImageUser } from './image-user.js';

const root = mkdtempSync(join(tmpdir(), 'podd-user-'));
after(() => rmSync(root, { recursive: true, force: true }));

function layer(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'etc'), { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

const lower = layer('lower', { 'etc/passwd': 'root:x:0:0::/root:/bin/sh\n', 'etc/group': 'root:x:0:\n' });
const upper = layer('upper', {
  'etc/passwd': 'root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n',
  'etc/group': 'root:x:0:\napp:x:1000:\nstaff:x:50:app\n',
});
const layers = [lower, upper];

const cases: { name: string; spec: string; uid?: number; gid?: number; want: { uid: number; gid: number; additionalGids: number[] } | RegExp }[] = [
  { name: 'empty means root', spec: '', want: { uid: 0, gid: 0, additionalGids: [] } },
  { name: 'a name from the topmost passwd, with its groups', spec: 'app', want: { uid: 1000, gid: 1000, additionalGids: [50] } },
  { name: 'numeric uid known to passwd takes its gid', spec: '1000', want: { uid: 1000, gid: 1000, additionalGids: [50] } },
  { name: 'numeric uid unknown to passwd: gid 0', spec: '4242', want: { uid: 4242, gid: 0, additionalGids: [] } },
  { name: 'uid:gid numeric', spec: '1000:7', want: { uid: 1000, gid: 7, additionalGids: [50] } },
  { name: 'user:group by name', spec: 'app:staff', want: { uid: 1000, gid: 50, additionalGids: [] } },
  { name: 'runAsUser overrides the image', spec: 'app', uid: 0, want: { uid: 0, gid: 0, additionalGids: [] } },
  { name: 'runAsGroup overrides the gid', spec: 'app', gid: 3000, want: { uid: 1000, gid: 3000, additionalGids: [50] } },
  { name: 'unknown user name', spec: 'nobody-here', want: /unable to find user nobody-here/ },
  { name: 'unknown group name', spec: 'app:nogroup', want: /unable to find group nogroup/ },
];

for (const c of cases) {
  test(`image user: ${c.name}`, async () => {
    const got = resolveImageUser(c.spec, layers, c.uid, c.gid);
    if (c.want instanceof RegExp) await assert.rejects(got, c.want);
    else assert.deepEqual(await got, c.want);
  });
}
