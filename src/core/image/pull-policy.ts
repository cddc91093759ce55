// The kubelet's shouldPullImage, with one podd rule: an image that never came from a registry
// (imported with `podd image import`, like podd's own busybox base) has nowhere to be pulled
// from, so Always uses the local copy instead of failing on a registry that does not have it.

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

export type PullDecision =
  /** Use the image in the store. */
  | 'use-local'
  | 'pull'
  /** Never, and the image is missing: ErrImageNeverPull. */
  | 'never-pull';

export interface LocalImage {
  /** Whether the store knows a registry digest for it (it was pulled). */
  fromRegistry: boolean;
}

export function decidePull(policy: PullPolicy, local: LocalImage | undefined): PullDecision {
  switch (policy) {
    case 'Never':
      return local === undefined ? 'never-pull' : 'use-local';
    case 'IfNotPresent':
      return local === undefined ? 'pull' : 'use-local';
    case 'Always':
      return local !== undefined && !local.fromRegistry ? 'use-local' : 'pull';
  }
}

/** The API's default when a container sets none: Always for `:latest` or no tag, else IfNotPresent. */
export function defaultPullPolicy(ref: { tag?: string; digest?: string }): PullPolicy {
  if (ref.digest !== undefined && ref.tag === undefined) return 'IfNotPresent';
  return ref.tag === undefined || ref.tag === 'latest' ? 'Always' : 'IfNotPresent';
}
