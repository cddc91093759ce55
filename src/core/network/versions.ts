// CNI spec versions podd can drive. Below 0.3.0 there is no plugin chaining (no prevResult), so such configs are
// refused instead of half-supported; 0.4.0 brought CHECK and prevResult on DEL.

export const SUPPORTED_CNI_VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;

function parts(version: string): number[] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function isSemver(version: string): boolean {
  return parts(version) !== undefined;
}

/** Negative, zero or positive as `a` is older than, equal to or newer than `b`; both must be x.y.z. */
export function compareVersions(a: string, b: string): number {
  const pa = parts(a) ?? [0, 0, 0];
  const pb = parts(b) ?? [0, 0, 0];
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function isSupportedVersion(version: string): boolean {
  return (SUPPORTED_CNI_VERSIONS as readonly string[]).includes(version);
}

/** CHECK exists from 0.4.0 on; a runtime must not send it to older configurations. */
export function supportsCheck(version: string): boolean {
  return compareVersions(version, '0.4.0') >= 0;
}

/** DEL carries the cached prevResult from 0.4.0 on (libcni omits it for older versions). */
export function delTakesPrevResult(version: string): boolean {
  return compareVersions(version, '0.4.0') >= 0;
}
