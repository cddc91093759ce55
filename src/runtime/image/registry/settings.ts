// Node-wide registry settings: which registries may be reached over plain HTTP, and where the
// node's docker config (registry credentials) is looked for.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isIPv4 } from 'node:net';

export interface RegistrySettings {
  /** host or host:port entries (PODD_INSECURE_REGISTRIES): tried over HTTPS without verification, then HTTP. */
  insecureRegistries?: readonly string[];
  /** Files tried in order; the first that exists and parses is the node's credentials (kubelet: not merged). */
  dockerConfigFiles?: readonly string[];
}

/**
 * The kubelet's search order (credentialprovider.ReadDockerConfigFile): config.json in its root dir,
 * ~/.docker and /.docker, then the legacy .dockercfg in the root dir, ~ and /. The kubelet also
 * looks in its working directory; podd does not, since `podd` runs from any directory a user is in,
 * where a config.json is likely to be something else entirely.
 */
export function defaultDockerConfigFiles(dataDir: string, home = homedir()): string[] {
  return [
    join(dataDir, 'config.json'),
    join(home, '.docker', 'config.json'),
    '/.docker/config.json',
    join(dataDir, '.dockercfg'),
    join(home, '.dockercfg'),
    '/.dockercfg',
  ].filter((path, i, all) => all.indexOf(path) === i);
}

export function splitRegistryList(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim().replace(/^https?:\/\//, '').replace(/\/+$/, '')).filter((s) => s !== '');
}

export function registrySettingsFromEnv(env: NodeJS.ProcessEnv, dataDir: string): RegistrySettings {
  return {
    insecureRegistries: splitRegistryList(env['PODD_INSECURE_REGISTRIES']),
    dockerConfigFiles: defaultDockerConfigFiles(dataDir, env['HOME'] || homedir()),
  };
}

function hostOf(registry: string): string {
  const bracket = /^\[([^\]]+)\]/.exec(registry);
  if (bracket !== null) return bracket[1] ?? '';
  const colon = registry.lastIndexOf(':');
  return colon === -1 ? registry : registry.slice(0, colon);
}

/** Docker's rule: loopback registries are insecure by default (127.0.0.0/8, ::1, localhost). */
export function isLoopbackRegistry(registry: string): boolean {
  const host = hostOf(registry).toLowerCase();
  return host === 'localhost' || host === '::1' || (isIPv4(host) && host.startsWith('127.'));
}

/** Whether `registry` (host[:port]) may be reached over plain HTTP: loopback, or listed by host or host:port. */
export function isInsecureRegistry(registry: string, listed: readonly string[]): boolean {
  if (isLoopbackRegistry(registry)) return true;
  const host = hostOf(registry);
  return listed.some((entry) => entry === registry || entry === host);
}
