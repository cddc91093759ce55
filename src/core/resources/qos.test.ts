import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, PodSpec, ResourceRequirements } from '../../api/types.js';
import { podQOSClass } from './qos.js';
import type { QOSClass } from './qos.js';

function c(name: string, resources?: ResourceRequirements, sidecar = false): Container {
  return { name, image: 'busybox', ...(resources ? { resources } : {}), ...(sidecar ? { restartPolicy: 'Always' } : {}) };
}

const full = { cpu: '500m', memory: '128Mi' };

const cases: { name: string; spec: PodSpec; want: QOSClass }[] = [
  { name: 'nothing set', spec: { containers: [c('a')] }, want: 'BestEffort' },
  { name: 'zero requests count as unset', spec: { containers: [c('a', { requests: { cpu: '0', memory: '0' } })] }, want: 'BestEffort' },
  { name: 'only extended resources count as unset', spec: { containers: [c('a', { requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '1' } })] }, want: 'BestEffort' },
  { name: 'requests == limits for cpu and memory', spec: { containers: [c('a', { requests: full, limits: full })] }, want: 'Guaranteed' },
  { name: 'limits only (requests default to them)', spec: { containers: [c('a', { limits: full })] }, want: 'Guaranteed' },
  { name: 'limits equal, requests lower', spec: { containers: [c('a', { requests: { cpu: '100m', memory: '128Mi' }, limits: full })] }, want: 'Burstable' },
  { name: 'cpu limit missing', spec: { containers: [c('a', { limits: { memory: '128Mi' } })] }, want: 'Burstable' },
  { name: 'requests only', spec: { containers: [c('a', { requests: { cpu: '100m' } })] }, want: 'Burstable' },
  { name: 'one guaranteed, one best-effort container', spec: { containers: [c('a', { limits: full }), c('b')] }, want: 'Burstable' },
  { name: 'two guaranteed containers', spec: { containers: [c('a', { limits: full }), c('b', { limits: { cpu: '1', memory: '1Gi' } })] }, want: 'Guaranteed' },
  { name: 'equal quantities in different notations', spec: { containers: [c('a', { requests: { cpu: '0.5', memory: '134217728' }, limits: full })] }, want: 'Guaranteed' },
  { name: 'init container without limits breaks Guaranteed', spec: { containers: [c('a', { limits: full })], initContainers: [c('i')] }, want: 'Burstable' },
  { name: 'guaranteed init and sidecar keep Guaranteed', spec: { containers: [c('a', { limits: full })], initContainers: [c('i', { limits: full }), c('s', { limits: full }, true)] }, want: 'Guaranteed' },
  { name: 'best-effort apps with a resourced init container', spec: { containers: [c('a')], initContainers: [c('i', { requests: { memory: '1Mi' } })] }, want: 'Burstable' },
];

for (const k of cases) {
  test(`podQOSClass: ${k.name}`, () => {
    assert.equal(podQOSClass(k.spec), k.want);
  });
}
