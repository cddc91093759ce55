import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, PodSpec } from '../../api/types.js';
import { emptyDirMemorySize, podMemoryLimit, quantityValue } from './memory-size.js';

const Mi = 1024 * 1024;
const c = (name: string, memory?: string): Container => ({ name, ...(memory === undefined ? {} : { resources: { limits: { memory } } }) });
const spec = (...containers: Container[]): PodSpec => ({ containers });

test('quantityValue rounds up to whole bytes', () => {
  assert.equal(quantityValue('64Mi'), 64 * Mi);
  assert.equal(quantityValue('1.5k'), 1500);
  assert.equal(quantityValue('100m'), 1);
  assert.equal(quantityValue('bogus'), undefined);
});

test('the pod has a memory limit only when every container declares one (sidecars included)', () => {
  assert.equal(podMemoryLimit(spec(c('a', '10Mi'), c('b', '20Mi'))), 30 * Mi);
  assert.equal(podMemoryLimit(spec(c('a', '10Mi'), c('b'))), undefined);
  assert.equal(podMemoryLimit({ containers: [c('a', '10Mi')], initContainers: [{ ...c('side'), restartPolicy: 'Always' }] }), undefined);
});

test('size is the smallest of node allocatable, pod limit and sizeLimit', () => {
  assert.equal(emptyDirMemorySize(undefined, spec(c('a')), 512 * Mi), 512 * Mi);
  assert.equal(emptyDirMemorySize(undefined, spec(c('a', '100Mi')), 512 * Mi), 100 * Mi);
  assert.equal(emptyDirMemorySize('50Mi', spec(c('a', '100Mi')), 512 * Mi), 50 * Mi);
  assert.equal(emptyDirMemorySize('200Mi', spec(c('a', '100Mi')), 512 * Mi), 100 * Mi);
  assert.equal(emptyDirMemorySize('0', spec(c('a')), 512 * Mi), 512 * Mi, 'a zero sizeLimit means none');
});
