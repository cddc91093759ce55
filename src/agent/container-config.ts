// Turns a container of the pod spec into runc's config.json, the way the kubelet's generateContainerConfig and the
// CRI runtime together do. Failures here are CreateContainerConfigError for the pod status.
import type { Service } from '../api/service-types.js';
import type { ConfigMap, Container, Pod, Secret } from '../api/types.js';
import { decodeBase64 } from '../api/base64.js';
import { containerArgs, mergeEnv, resolveEnv } from '../core/env/resolve-env.js';
import { PoddError } from '../core/errors.js';
import { serviceEnvVars } from '../core/service/env-vars.js';
import { containerSpec, type ContainerLimits } from '../core/oci/spec.js';
import type { OciSpec, SandboxNamespaces } from '../core/oci/types.js';
import { containerLimits, containerRequests } from '../core/resources/effective.js';
import { type PodEtcFiles, containerMounts, podEtcMounts } from '../core/volume/container-mounts.js';
import type { PreparedVolume } from '../core/volume/types.js';
import { resolveImageUser } from '../runtime/image/image-user.js';
import type { ImageRecord } from '../runtime/image/types.js';
import { prepareContainerSubPaths } from '../runtime/volume/subpath.js';

export interface ContainerConfigInput {
  pod: Pod;
  container: Container;
  image: ImageRecord;
  layers: string[];
  namespaces: SandboxNamespaces;
  hostname: string;
  volumes: ReadonlyMap<string, PreparedVolume>;
  etcFiles: PodEtcFiles;
  /** The pod's /dev/shm on the host. */
  shmDir: string;
  hostCapabilities: readonly string[];
  secrets: ReadonlyMap<string, Secret>;
  configMaps: ReadonlyMap<string, ConfigMap>;
  /** The node's Services now: the container's Service variables. */
  services: readonly Service[];
  nodeName: string;
  podIP?: string;
  hostIP?: string;
  cgroupsPath: string;
  pidsLimit: number;
  annotations: Record<string, string>;
  podDir: string;
}

export async function buildContainerSpec(input: ContainerConfigInput): Promise<OciSpec> {
  const { pod, container, image } = input;
  const sources = {
    secrets: input.secrets,
    configMaps: input.configMaps,
    nodeName: input.nodeName,
    decodeBase64: (v: string): string => new TextDecoder().decode(decodeBase64(v) ?? new Uint8Array()),
    serviceEnv: serviceEnvVars(input.services, pod.metadata.namespace ?? 'default', pod.spec.enableServiceLinks !== false),
    ...(input.podIP === undefined ? {} : { podIP: input.podIP }),
    ...(input.hostIP === undefined ? {} : { hostIP: input.hostIP }),
  };
  const env = resolveEnv(pod, container, sources);
  if (!env.ok) throw new PoddError('FailedPrecondition', env.message);

  const args = containerArgs(container, image.config, env.env);
  if (args.length === 0) throw new PoddError('FailedPrecondition', 'no command specified');

  const podSc = pod.spec.securityContext ?? {};
  const sc = { ...container.securityContext };
  const runAsUser = sc.runAsUser ?? podSc.runAsUser;
  const runAsGroup = sc.runAsGroup ?? podSc.runAsGroup;
  const user = await resolveImageUser(image.config.User, input.layers, runAsUser, runAsGroup);
  const supplemental = [...(podSc.supplementalGroups ?? []), ...(podSc.fsGroup === undefined ? [] : [podSc.fsGroup])];
  user.additionalGids = [...new Set([...user.additionalGids, ...supplemental])];
  if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) === true && user.uid === 0) {
    // The kubelet's verifyRunAsNonRoot messages.
    const where = `(pod: "${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? 'default'}(${pod.metadata.uid ?? ''})", container: ${container.name})`;
    throw new PoddError('FailedPrecondition', runAsUser === undefined
      ? `container has runAsNonRoot and image will run as root ${where}`
      : `container's runAsUser breaks non-root policy ${where}`);
  }

  const volumeMounts = containerMounts(container, input.volumes, { podDir: input.podDir, env: env.env });
  await prepareContainerSubPaths(container, input.volumes, { podDir: input.podDir, env: env.env });
  const userDestinations = new Set(volumeMounts.map((m) => m.destination));
  const mounts = [
    ...(userDestinations.has('/dev/shm') ? [] : [{ destination: '/dev/shm', type: 'bind', source: input.shmDir, options: ['rbind', 'rprivate', 'rw'] }]),
    ...podEtcMounts(input.etcFiles, { readOnlyRootFilesystem: sc.readOnlyRootFilesystem === true, userMounts: volumeMounts }),
    ...volumeMounts,
  ];

  const limits = containerLimits(container);
  const requests = containerRequests(container);
  const resolved: ContainerLimits = { pids: input.pidsLimit };
  if (limits.memory !== undefined) resolved.memory = limits.memory;
  if (limits.cpu !== undefined) resolved.cpuLimit = limits.cpu;
  if (requests.cpu !== undefined) resolved.cpuRequest = requests.cpu;

  return containerSpec({
    rootfs: '',
    args,
    env: mergeEnv(image.config.Env, input.hostname, env.env),
    cwd: container.workingDir ?? (image.config.WorkingDir || '/'),
    user,
    namespaces: input.namespaces,
    mounts,
    securityContext: sc,
    limits: resolved,
    cgroupsPath: input.cgroupsPath,
    annotations: input.annotations,
    tty: container.tty === true,
    hostCapabilities: input.hostCapabilities,
  });
}
