import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decidePull, defaultPullPolicy, type PullDecision, type PullPolicy } from './pull-policy.js';
import { parseImageRef } from './ref.js';
import { defaultPod } from '../../api/defaults.js';

const pulled = { fromRegistry: true };
const imported = { fromRegistry: false };

const cases: Array<[PullPolicy, typeof pulled | undefined, PullDecision]> = [
  ['Never', undefined, 'never-pull'],
  ['Never', pulled, 'use-local'],
  ['Never', imported, 'use-local'],
  ['IfNotPresent', undefined, 'pull'],
  ['IfNotPresent', pulled, 'use-local'],
  ['IfNotPresent', imported, 'use-local'],
  ['Always', undefined, 'pull'],
  ['Always', pulled, 'pull'],
  // podd's rule: an imported image has no registry to be pulled from again
  ['Always', imported, 'use-local'],
];

for (const [policy, local, want] of cases) {
  test(`decidePull(${policy}, ${local === undefined ? 'missing' : local.fromRegistry ? 'pulled' : 'imported'}) = ${want}`, () => {
    assert.equal(decidePull(policy, local), want);
  });
}

const sha = `sha256:${'a'.repeat(64)}`;
const defaults: Array<[string, PullPolicy]> = [
  ['busybox', 'Always'],
  ['busybox:latest', 'Always'],
  ['busybox:1.36', 'IfNotPresent'],
  [`busybox@${sha}`, 'IfNotPresent'],
  [`busybox:latest@${sha}`, 'Always'],
  ['localhost:5000/app', 'Always'],
  ['localhost:5000/app:v1', 'IfNotPresent'],
];
for (const [image, want] of defaults) {
  test(`defaultPullPolicy(${image.slice(0, 30)}) = ${want}`, () => {
    assert.equal(defaultPullPolicy(parseImageRef(image)), want);
  });
}

test('the API defaulting (src/api/defaults.ts) agrees with defaultPullPolicy', () => {
  for (const [image, want] of defaults) {
    const pod = defaultPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image }] } });
    assert.equal(pod.spec.containers[0]?.imagePullPolicy, want, image);
  }
});
