// Images on real containers: the store's listing, a docker-save archive built here (two layers, Env, Entrypoint, Cmd,
// WorkingDir, User) run with Kubernetes' command/args rules, `podd rmi`, pull failures, and a private writable layer
// per container instance.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTar, busyboxEntries } from '../../src/runtime/image/test-tar.js';
import { containerStatus, events, leftovers, poddBin, runPod, statuses, tempDir, type RunResult } from './harness.js';

/** runPod with a safety --timeout, so that a regression ends as a failed test, not a hung suite. */

const IMAGES_DIR = join(process.env['PODD_ROOT'] ?? '/var/lib/podd', 'images');
const TAG = `e2e-${process.pid}-${randomBytes(3).toString('hex')}`;
const IMAGE = `podd-e2e/imgtest:${TAG}`;

function podd(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [poddBin, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** STATUS values printed before podd's --timeout stopped the pod. */
function statusesBeforeTimeout(r: RunResult): string[] {
  const cut = r.stderr.search(/^podd: --timeout \S+ reached/m);
  assert.ok(cut > 0, r.stderr);
  return statuses({ ...r, stderr: r.stderr.slice(0, cut) });
}

/** Nothing ran; stopped by --timeout, the pod ends Failed (the status manager's TerminatePod). */
function assertNeverStarted(r: RunResult): void {
  assert.ok(r.pod, r.stderr);
  assert.deepEqual(r.output('app'), []);
  const started = statusesBeforeTimeout(r).filter((s) => ['Running', 'NotReady', 'Completed', 'Error', 'CrashLoopBackOff'].includes(s));
  assert.deepEqual(started, [], r.stderr);
  assert.equal(r.pod.status?.phase, 'Failed');
  assert.equal(r.code, 1);
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

// What the image's entrypoint prints: its arguments, where and as whom it runs, its env, and files of both layers.
const ENTRYPOINT_SCRIPT = [
  'echo "argv=$*"',
  'echo "cwd=$(pwd)"',
  'echo "ids=$(id -u):$(id -g)"',
  'echo "env=$GREETING/$OVERRIDE"',
  'cat hello.txt',
  'cat /etc/motd',
  'ls /etc/gone.txt 2>&1',
  'true',
].join('; ');

/** A `docker save` archive: layer 1 is a minimal busybox root, layer 2 adds /app, replaces a file and whites one out. */
function buildDockerSave(repoTag: string): { archive: Buffer; diffIDs: string[] } {
  const applets = ['sh', 'echo', 'id', 'cat', 'ls', 'touch', 'env'];
  const layer1 = buildTar([
    ...busyboxEntries(applets),
    { path: 'etc/', type: 'Directory' },
    { path: 'etc/passwd', body: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/app:/bin/sh\n' },
    { path: 'etc/group', body: 'root:x:0:\napp:x:1000:\n' },
    { path: 'etc/motd', body: 'motd from layer 1\n' },
    { path: 'etc/gone.txt', body: 'deleted by layer 2\n' },
    { path: 'tmp/', type: 'Directory', mode: 0o1777 },
  ]);
  const layer2 = buildTar([
    { path: 'app/', type: 'Directory', uid: 1000, gid: 1000 },
    { path: 'app/hello.txt', body: 'hello from layer 2\n', uid: 1000, gid: 1000 },
    { path: 'etc/', type: 'Directory' },
    { path: 'etc/motd', body: 'motd from layer 2\n' },
    { path: 'etc/.wh.gone.txt' },
  ]);
  const diffIDs = [`sha256:${sha256(layer1)}`, `sha256:${sha256(layer2)}`];
  const config = Buffer.from(JSON.stringify({
    architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    os: 'linux',
    config: {
      Env: ['PATH=/bin', 'GREETING=hello-from-image-env', 'OVERRIDE=image'],
      Entrypoint: ['/bin/sh', '-c', ENTRYPOINT_SCRIPT, 'entrypoint'],
      Cmd: ['cmd-a', 'cmd-b'],
      WorkingDir: '/app',
      User: '1000:1000',
    },
    rootfs: { type: 'layers', diff_ids: diffIDs },
  }));
  const configName = `${sha256(config)}.json`;
  const manifest = JSON.stringify([{ Config: configName, RepoTags: [repoTag], Layers: ['l1/layer.tar', 'l2/layer.tar'] }]);
  const archive = buildTar([
    { path: 'l1/', type: 'Directory' },
    { path: 'l1/layer.tar', body: layer1 },
    { path: 'l2/', type: 'Directory' },
    { path: 'l2/layer.tar', body: layer2 },
    { path: configName, body: config },
    { path: 'manifest.json', body: manifest },
  ]);
  return { archive, diffIDs };
}

function layerDir(diffID: string): string {
  return join(IMAGES_DIR, 'layers', diffID.replace(/^sha256:/, ''));
}

function listed(name: string, tag: string): boolean {
  const out = podd('images').stdout;
  return out.split('\n').some((l) => {
    const cols = l.trim().split(/\s+/);
    return cols[0] === name && cols[1] === tag;
  });
}

let imported: { diffIDs: string[] } | undefined;

after(() => {
  // the test image goes in any case
  if (listed(`docker.io/podd-e2e/imgtest`, TAG)) podd('rmi', IMAGE);
});

test('podd images lists the busybox base image', () => {
  const r = podd('images');
  assert.equal(r.code, 0, r.stderr);
  const [header, ...rows] = r.stdout.trim().split('\n');
  assert.deepEqual(header?.trim().split(/\s{2,}/), ['IMAGE', 'TAG', 'IMAGE ID', 'SIZE']);
  const busybox = rows.map((l) => l.trim().split(/\s+/)).find((c) => c[0] === 'docker.io/library/busybox' && c[1] === 'latest');
  assert.ok(busybox, r.stdout);
  assert.match(busybox[2] ?? '', /^[0-9a-f]{12}$/);
  assert.deepEqual(leftovers(), []);
});

test('a docker-save image runs with its Entrypoint+Cmd, WorkingDir, User and Env; command/args override per Kubernetes', async () => {
  const { archive, diffIDs } = buildDockerSave(IMAGE);
  const file = join(tempDir('podd-e2e-image-'), 'image.tar');
  writeFileSync(file, archive);
  const imp = podd('image', 'import', file, IMAGE);
  assert.equal(imp.code, 0, imp.stderr);
  assert.match(imp.stdout, new RegExp(`^docker\\.io/podd-e2e/imgtest:${TAG} sha256:[0-9a-f]{64}\\n$`));
  imported = { diffIDs };
  assert.ok(listed('docker.io/podd-e2e/imgtest', TAG), podd('images').stdout);
  for (const d of diffIDs) assert.ok(existsSync(layerDir(d)), `layer ${d} unpacked`);

  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: img-config}
spec:
  restartPolicy: Never
  containers:
    - name: image-defaults
      image: ${IMAGE}
      env: [{name: OVERRIDE, value: from-pod}]
    - name: args-only
      image: ${IMAGE}
      args: ["x", "y"]
    - name: command-only
      image: ${IMAGE}
      command: ["/bin/echo", "command-only"]
    - name: command-and-args
      image: ${IMAGE}
      command: ["/bin/echo"]
      args: ["from-args"]
    - name: overrides
      image: ${IMAGE}
      command: ["sh", "-c", "echo \\"cwd=$(pwd) ids=$(id -u):$(id -g) env=$GREETING\\""]
      workingDir: /tmp
      securityContext: {runAsUser: 0, runAsGroup: 0}
`);
  assert.equal(r.code, 0, r.stderr);
  const fromImage = (argv: string, override: string): string[] => [
    `argv=${argv}`, 'cwd=/app', 'ids=1000:1000', `env=hello-from-image-env/${override}`, 'hello from layer 2', 'motd from layer 2',
    'ls: /etc/gone.txt: No such file or directory',
  ];
  // no command, no args: Entrypoint + Cmd
  assert.deepEqual(r.output('image-defaults'), fromImage('cmd-a cmd-b', 'from-pod'));
  // args alone replace Cmd and keep Entrypoint
  assert.deepEqual(r.output('args-only'), fromImage('x y', 'image'));
  // command replaces Entrypoint and drops Cmd
  assert.deepEqual(r.output('command-only'), ['command-only']);
  assert.deepEqual(r.output('command-and-args'), ['from-args']);
  // workingDir and runAsUser/runAsGroup win over the image's WorkingDir and User
  assert.deepEqual(r.output('overrides'), ['cwd=/tmp ids=0:0 env=hello-from-image-env']);
  for (const name of ['image-defaults', 'args-only', 'command-only', 'command-and-args', 'overrides']) {
    const st = containerStatus(r.pod, name);
    assert.equal(st?.state?.terminated?.exitCode, 0, name);
    assert.match(st?.imageID ?? '', /sha256:[0-9a-f]{64}$/, name);
  }
  assert.deepEqual(leftovers(), []);
});

test('podd rmi removes the image and the layers only it used, and leaves busybox alone', () => {
  assert.ok(imported, 'needs the image of the previous test');
  const r = podd('rmi', IMAGE);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(listed('docker.io/podd-e2e/imgtest', TAG), false);
  assert.ok(listed('docker.io/library/busybox', 'latest'));
  for (const d of imported.diffIDs) assert.equal(existsSync(layerDir(d)), false, `layer ${d} removed`);
  const again = podd('rmi', IMAGE);
  assert.notEqual(again.code, 0, 'a second rmi must fail');
  assert.match(again.stderr, /not found/);
  assert.deepEqual(leftovers(), []);
});

const missingImage = `podd-e2e/not-there:${TAG}`;

function missingImagePod(name: string, policy: string): string {
  return `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
    - name: app
      image: ${missingImage}
      imagePullPolicy: ${policy}
      command: ["sh", "-c", "echo must-not-run"]
`;
}

test('an image not in the store: ErrImagePull, then ImagePullBackOff with Pulling/Failed/BackOff events; the pod never starts', async () => {
  const pull = await runPod(missingImagePod('img-pull-fails', 'IfNotPresent'), { args: ['--timeout', '4s', '--backoff-base', '500ms'] });
  assertNeverStarted(pull);
  const ev = events(pull);
  const has = (type: string, reason: string, text: string): boolean =>
    ev.some((e) => e.type === type && e.reason === reason && e.text.endsWith(`pod/img-pull-fails spec.containers{app}: ${text}`));
  assert.ok(has('Normal', 'Pulling', `Pulling image "${missingImage}"`), pull.stderr);
  assert.ok(ev.some((e) => e.type === 'Warning' && e.reason === 'Failed' && e.text.includes(`: Failed to pull image "${missingImage}": `)), pull.stderr);
  assert.ok(has('Warning', 'Failed', 'Error: ErrImagePull'), pull.stderr);
  // the back-off grows: several pulls in 4 s with a 500 ms base, but not one per sync
  const pulls = ev.filter((e) => e.reason === 'Pulling').length;
  assert.ok(pulls >= 2 && pulls <= 5, `pull attempts: ${pulls}`);
  const seen = statusesBeforeTimeout(pull);
  const firstPull = seen.indexOf('ErrImagePull');
  assert.ok(firstPull >= 0, pull.stderr);
  // between two pulls the kubelet syncs the pod inside the back-off window, which shows ImagePullBackOff
  assert.ok(seen.indexOf('ImagePullBackOff', firstPull) > firstPull, `want STATUS ErrImagePull then ImagePullBackOff:\n${pull.stderr}`);
  assert.ok(has('Normal', 'BackOff', `Back-off pulling image "${missingImage}"`), pull.stderr);
  assert.ok(has('Warning', 'Failed', 'Error: ImagePullBackOff'), pull.stderr);
  assert.deepEqual(leftovers(), []);
});

test('imagePullPolicy Never with an image not in the store: ErrImageNeverPull, no pull, the pod never starts', async () => {
  const never = await runPod(missingImagePod('img-never-pull', 'Never'), { args: ['--timeout', '3s'] });
  assertNeverStarted(never);
  assert.equal(statusesBeforeTimeout(never).at(-1), 'ErrImageNeverPull', never.stderr);
  assert.ok(!statuses(never).includes('ErrImagePull'), never.stderr);
  const nev = events(never);
  assert.ok(!nev.some((e) => e.reason === 'Pulling'), 'pull policy Never must not pull');
  assert.ok(nev.some((e) => e.type === 'Warning' && e.reason === 'ErrImageNeverPull' &&
    e.text.endsWith(`pod/img-never-pull spec.containers{app}: Container image "${missingImage}" is not present with pull policy of Never`)), never.stderr);
  // startContainer's own event for any EnsureImageExists error: Warning Failed "Error: <reason>"
  assert.ok(nev.some((e) => e.type === 'Warning' && e.reason === 'Failed' && e.text.endsWith(': Error: ErrImageNeverPull')),
    `want Warning Failed "Error: ErrImageNeverPull":\n${never.stderr}`);
  assert.deepEqual(leftovers(), []);
});

test('every container instance gets its own writable layer: nothing carries over between containers or restarts', async () => {
  const image = JSON.parse(readFileSync(join(IMAGES_DIR, 'index.json'), 'utf8')) as { images: Record<string, { layers: string[] }> };
  const busyboxLayers = image.images['docker.io/library/busybox:latest']?.layers ?? [];
  assert.ok(busyboxLayers.length > 0);
  const r = await runPod(`
apiVersion: v1
kind: Pod
metadata: {name: img-upper}
spec:
  restartPolicy: OnFailure
  volumes: [{name: state, emptyDir: {}}]
  initContainers:
    - name: init
      image: busybox
      command: ["sh", "-c", "echo init > /marker-init; echo init > /etc/marker-etc; ls /marker-init"]
  containers:
    - name: app
      image: busybox
      command:
        - sh
        - -c
        - |
          n=$(cat /state/n 2>/dev/null || echo 0)
          seen=""
          for f in /marker-init /etc/marker-etc /marker-app /bin/marker-app; do [ -e $f ] && seen="$seen $f"; done
          echo "run $n saw:[$seen]"
          echo app > /marker-app; echo app > /bin/marker-app
          echo $((n+1)) > /state/n
          [ "$n" -ge 1 ] && exit 0
          exit 1
      volumeMounts: [{name: state, mountPath: /state}]
    - name: sibling
      image: busybox
      command: ["sh", "-c", "sleep 0.3; ls /marker-init /marker-app /bin/marker-app 2>&1 | sed 's/^ls: //'; true"]
`, { args: ['--backoff-base', '200ms'] });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.output('init'), ['/marker-init']);
  assert.deepEqual(r.output('app'), ['run 0 saw:[]', 'run 1 saw:[]']);
  assert.deepEqual(r.output('sibling'), [
    '/marker-init: No such file or directory', '/marker-app: No such file or directory', '/bin/marker-app: No such file or directory',
  ]);
  assert.equal(containerStatus(r.pod, 'app')?.restartCount, 1);
  // and the image itself is untouched
  for (const d of busyboxLayers) {
    for (const f of ['marker-init', 'marker-app', 'bin/marker-app', 'etc/marker-etc']) assert.equal(existsSync(join(layerDir(d), f)), false, f);
  }
  assert.deepEqual(leftovers(), []);
});
