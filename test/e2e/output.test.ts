// `podd run -o yaml|json`: stdout carries only the final Pod object, status included; everything else is on stderr.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { parse } from 'yaml';
import type { Pod } from '../../src/api/types.js';
import { leftovers, poddBin, writeManifest } from './harness.js';

const POD = `
apiVersion: v1
kind: Pod
metadata: {name: output-pod, labels: {app: out}}
spec:
  restartPolicy: Never
  initContainers: [{name: init, image: busybox, command: ["echo", "init says hi"]}]
  containers: [{name: app, image: busybox, command: ["echo", "app says hi"]}]
`;

for (const format of ['yaml', 'json'] as const) {
  test(`-o ${format}: stdout is exactly the final Pod; events, output and the timeline go to stderr`, () => {
    const r = spawnSync(process.execPath, [poddBin, 'run', '-f', writeManifest(POD), '-o', format], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const pod = (format === 'yaml' ? parse(r.stdout) : JSON.parse(r.stdout)) as Pod;
    assert.equal(pod.kind, 'Pod');
    assert.equal(pod.metadata.name, 'output-pod');
    assert.deepEqual(pod.metadata.labels, { app: 'out' });
    assert.match(pod.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(pod.spec.restartPolicy, 'Never');
    assert.equal(pod.status?.phase, 'Succeeded');
    assert.equal(pod.status?.initContainerStatuses?.[0]?.state.terminated?.reason, 'Completed');
    assert.equal(pod.status?.containerStatuses?.[0]?.state.terminated?.exitCode, 0);
    assert.doesNotMatch(r.stdout, /^(EVENT|STATUS|\[init\]|\[app\]|timeline)/m);
    assert.match(r.stderr, /\[init\] init says hi/);
    assert.match(r.stderr, /\[app\] app says hi/);
    assert.match(r.stderr, /timeline/);
    // Instant containers exit before `runc start` returns; still, none may end before it started.
    const spans = [...r.stderr.matchAll(/\| (\d+\.\d+)s → (\d+\.\d+)s /g)].map((m) => [Number(m[1]), Number(m[2])]);
    assert.equal(spans.length, 3, r.stderr);
    for (const [start = 0, end = 0] of spans) assert.ok(end >= start, `a timeline row ends before it starts:\n${r.stderr}`);
    assert.ok((pod.status?.containerStatuses ?? []).every((c) => Date.parse(c.state.terminated?.startedAt ?? '') <= Date.parse(c.state.terminated?.finishedAt ?? '')));
    assert.deepEqual(leftovers(), []);
  });
}

test('without -o, stdout stays empty', () => {
  const r = spawnSync(process.execPath, [poddBin, 'run', '-f', writeManifest(POD), '--quiet', '--no-timeline'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, '');
  assert.deepEqual(leftovers(), []);
});
