// The kubelet's EnsureImageExists: pull policy, ErrImagePull → ImagePullBackOff with back-off, and its events.
// Registry pulls are a later step: for now an image is either in the local store or it cannot be pulled.
import type { Container } from '../api/types.js';
import { isInBackOffSince, nextBackoff } from '../core/plan/backoff.js';
import type { BackoffConfig, BackoffEntry } from '../core/plan/types.js';
import { parseImageRef } from '../core/image/ref.js';
import type { ImageRecord, ImageStore } from '../runtime/image/types.js';
import type { EventType } from './events.js';

export type EnsureImageResult =
  | { ok: true; image: ImageRecord }
  | { ok: false; reason: string; message: string; retryInMs?: number };

type Emit = (type: EventType, reason: string, message: string) => void;

export class ImageEnsurer {
  private readonly backoff = new Map<string, BackoffEntry>();
  /** Images already marked used for a pod: one index write per image, not per container start. */
  private readonly marked = new Set<string>();

  constructor(private readonly store: ImageStore, private readonly cfg: BackoffConfig) {}

  async ensure(podUid: string, container: Container, now: number, emit: Emit): Promise<EnsureImageResult> {
    const ref = container.image ?? '';
    try {
      parseImageRef(ref);
    } catch (err) {
      const message = `Failed to apply default image tag "${ref}": ${err instanceof Error ? err.message : String(err)}`;
      emit('Warning', 'InspectFailed', message);
      emit('Warning', 'Failed', 'Error: InvalidImageName');
      return { ok: false, reason: 'InvalidImageName', message };
    }
    const image = await this.store.resolve(ref);
    const policy = container.imagePullPolicy ?? 'IfNotPresent';
    if (image) {
      // Without a registry client yet, Always uses what the store has (registry pulls are issue 5).
      emit('Normal', 'Pulled', `Container image "${ref}" already present on machine`);
      if (!this.marked.has(image.id)) {
        this.marked.add(image.id);
        await this.store.markUsed(ref).catch(() => undefined);
      }
      return { ok: true, image };
    }
    if (policy === 'Never') {
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
    const message = `failed to pull and unpack image "${ref}": not found in podd's image store (import it with \`podd image import\`)`;
    emit('Warning', 'Failed', `Failed to pull image "${ref}": ${message}`);
    emit('Warning', 'Failed', 'Error: ErrImagePull');
    const next = nextBackoff(this.backoff, key, now, this.cfg);
    this.backoff.set(key, next);
    // The kubelet's pod worker re-syncs on its own clock, so a sync lands inside the back-off and reports
    // ImagePullBackOff before the next pull; waking half-way through gives the same sequence.
    return { ok: false, reason: 'ErrImagePull', message, retryInMs: next.backoffMs / 2 };
  }
}
