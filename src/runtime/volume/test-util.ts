// Temp dirs for volume tests that are always left unmounted and removed, whatever the test did.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod, Secret, ConfigMap, Volume, Container } from '../../api/types.js';
import { encodeBase64String } from '../../api/base64.js';
import { mountsUnder, unmountAllUnder } from './mounts.js';

export async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'podd-volume-'));
  try {
    await fn(dir);
  } finally {
    await unmountAllUnder(dir).catch(() => undefined);
    if ((await mountsUnder(dir)).length === 0) await rm(dir, { recursive: true, force: true });
  }
}

export function pod(volumes: Volume[], containers: Container[] = [{ name: 'app', image: 'busybox' }], extra: Partial<Pod['spec']> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers, volumes, ...extra } };
}

export function secret(name: string, data: Record<string, string>): Secret {
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, encodeBase64String(v)]));
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'ns' }, data: encoded };
}

export function configMap(name: string, data: Record<string, string>, binaryData?: Record<string, string>): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, data, ...(binaryData === undefined ? {} : { binaryData }) };
}
