// The kubelet's EnsureImageExists: pull policy, pulls with the pod's imagePullSecrets, ErrImagePull →
// ImagePullBackOff with back-off, and its events.
import type { Container, Secret } from '../api/types.js';
import { formatDuration } from '../core/plan/duration.js';
import { isInBackOffSince, nextBackoff } from '../core/plan/backoff.js';
import type { BackoffConfig, BackoffEntry } from '../core/plan/types.js';
import { dockerConfigFromSecret, type DockerConfig } from '../core/image/docker-config.js';
import { decidePull, defaultPullPolicy } from '../core/image/pull-policy.js';
import { parseImageRef, type ImageRef } from '../core/image/ref.js';
import type { ImageRecord, ImageStore } from '../runtime/image/types.js';
import type { EventType } from './events.js';

export type EnsureImageResult =
  | { ok: true; image: ImageRecord }
  | { ok: false; reason: string; message: string; retryInMs?: number };

type Emit = (type: EventType, reason: string, message: string) => void;

/** What a pull needs of the pod: its imagePullSecrets and the Secrets they name. */
export interface PodPullContext {
  imagePullSecrets?: ReadonlyArray<{ name?: string }>;
  secrets: ReadonlyMap<string, Secret>;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Go's Duration.String truncated to milliseconds, as the kubelet prints pull times. */
function pullTime(ms: number): string {
  return formatDuration(Math.trunc(ms));
}

export class ImageEnsurer {
  private readonly backoff = new Map<string, BackoffEntry>();
  /** Images already marked used for a pod: one index write per image, not per container start. */
  private readonly marked = new Set<string>();

  constructor(private readonly store: ImageStore, private readonly cfg: BackoffConfig) {}

  /** `pod` carries the pull secrets; without it, only the node's own credentials are used. */
  async ensure(podUid: string, container: Container, now: number, emit: Emit, pod?: PodPullContext): Promise<EnsureImageResult> {
    const ref = container.image ?? '';
    let parsed: ImageRef;
    try {
      parsed = parseImageRef(ref);
    } catch (err) {
      const message = `Failed to apply default image tag "${ref}": ${messageOf(err)}`;
      emit('Warning', 'InspectFailed', message);
      emit('Warning', 'Failed', 'Error: InvalidImageName');
      return { ok: false, reason: 'InvalidImageName', message };
    }
    const image = await this.store.resolve(ref);
    const policy = container.imagePullPolicy ?? defaultPullPolicy(parsed);
    const decision = decidePull(policy, image === undefined ? undefined : { fromRegistry: (image.repoDigests?.length ?? 0) > 0 });
    if (decision === 'use-local' && image !== undefined) {
      emit('Normal', 'Pulled', `Container image "${ref}" already present on machine`);
      if (!this.marked.has(image.id)) {
        this.marked.add(image.id);
        await this.store.markUsed(ref).catch(() => undefined);
      }
      return { ok: true, image };
    }
    if (decision === 'never-pull') {
      const message = `Container image "${ref}" is not present with pull policy of Never`;
      emit('Warning', 'ErrImageNeverPull', message);
      emit('Warning', 'Failed', 'Error: ErrImageNeverPull');
      return { ok: false, reason: 'ErrImageNeverPull', message };
    }
    const key = `${podUid}/${ref}`;
    const entry = this.backoff.get(key);
    if (entry && isInBackOffSince(this.backoff, key, entry.lastUpdate, now, this.cfg)) {
      const message = `Back-off pulling image "${ref}"`;
      emit('Normal', 'BackOff', message);
      emit('Warning', 'Failed', 'Error: ImagePullBackOff');
      return { ok: false, reason: 'ImagePullBackOff', message, retryInMs: entry.lastUpdate + entry.backoffMs - now + 1 };
    }
    emit('Normal', 'Pulling', `Pulling image "${ref}"`);
    let message: string;
    if (this.store.pull === undefined) {
      message = `failed to pull and unpack image "${ref}": not found in podd's image store (import it with \`podd image import\`)`;
    } else {
      try {
        const pullSecrets = this.pullSecrets(pod, emit);
        const result = await this.store.pull(ref, { pullSecrets });
        this.backoff.delete(key);
        this.marked.add(result.image.id); // the pull itself set lastUsed
        emit('Normal', 'Pulled', `Successfully pulled image "${ref}" in ${pullTime(result.pullMs)} (${pullTime(result.totalMs)} including waiting). Image size: ${result.image.size} bytes.`);
        return { ok: true, image: result.image };
      } catch (err) {
        message = `failed to pull and unpack image "${parsed.normalized}": ${messageOf(err)}`;
      }
    }
    emit('Warning', 'Failed', `Failed to pull image "${ref}": ${message}`);
    emit('Warning', 'Failed', 'Error: ErrImagePull');
    const next = nextBackoff(this.backoff, key, now, this.cfg);
    this.backoff.set(key, next);
    // The kubelet's pod worker re-syncs on its own clock, so a sync lands inside the back-off and reports
    // ImagePullBackOff before the next pull; waking half-way through gives the same sequence.
    return { ok: false, reason: 'ErrImagePull', message, retryInMs: next.backoffMs / 2 };
  }

  /** The docker configs of the pod's pull secrets; missing ones are reported as the kubelet does, then skipped. */
  private pullSecrets(pod: PodPullContext | undefined, emit: Emit): DockerConfig[] {
    const configs: DockerConfig[] = [];
    const missing: string[] = [];
    for (const { name = '' } of pod?.imagePullSecrets ?? []) {
      const secret = pod?.secrets.get(name);
      if (secret === undefined) {
        missing.push(name);
        continue;
      }
      const config = dockerConfigFromSecret(secret);
      if (config !== undefined) configs.push(config);
    }
    if (missing.length > 0) {
      emit('Warning', 'FailedToRetrieveImagePullSecret',
        `Unable to retrieve some image pull secrets (${missing.join(', ')}); attempting to pull the image may not succeed.`);
    }
    return configs;
  }
}
