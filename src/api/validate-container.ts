// Regular and init containers (validateContainers, validateInitContainers, validateContainerCommon).
import { duplicate, forbidden, invalid, notFound, notSupported, required } from './field-errors.js';
import type { FieldError } from './field-errors.js';
import { isDNS1123Label, isValidGroupID, isValidPortName, isValidPortNum, isValidUserID } from './formats.js';
import { validateEnv, validateEnvFrom } from './validate-env.js';
import { validateLifecycle, validateLivenessOrStartupProbe, validateReadinessProbe } from './validate-handlers.js';
import { validateResourceRequirements } from './validate-resources.js';
import { validateLocalDescendingPath, validateSeccompProfile } from './validate-paths.js';
import type { Container, ContainerPort, SecurityContext, Volume, VolumeMount } from './types.js';

export interface PodContext {
  /** Volumes that passed validation, by name: mounts may only refer to these. */
  readonly volumes: ReadonlyMap<string, Volume>;
  readonly gracePeriod: number | undefined;
}

const INIT_ONLY_ALWAYS = 'may not be set for init containers without restartPolicy=Always';

export function validateContainers(containers: readonly Container[], ctx: PodContext, path: string): FieldError[] {
  if (containers.length === 0) return [required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateContainerCommon(c, ctx, p));
    const name = c.name ?? '';
    if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
    else names.add(name);
    if (c.lifecycle !== undefined) errs.push(...validateLifecycle(c.lifecycle, ctx.gracePeriod, `${p}.lifecycle`));
    errs.push(...validateLivenessOrStartupProbe(c.livenessProbe, ctx.gracePeriod, `${p}.livenessProbe`));
    errs.push(...validateReadinessProbe(c.readinessProbe, ctx.gracePeriod, `${p}.readinessProbe`));
    errs.push(...validateLivenessOrStartupProbe(c.startupProbe, ctx.gracePeriod, `${p}.startupProbe`));
    if (c.restartPolicy !== undefined) errs.push(forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
  });
  errs.push(...hostPortConflicts(containers, path));
  return errs;
}

export function validateInitContainers(
  inits: readonly Container[], regular: readonly Container[], ctx: PodContext, path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  // Names are unique across both lists: regular names first, so the init container gets the error.
  const names = new Set(regular.map((c) => c.name ?? ''));
  inits.forEach((c, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateContainerCommon(c, ctx, p));
    let restartAlways = false;
    if (c.restartPolicy !== undefined) {
      if (c.restartPolicy !== 'Always') errs.push(notSupported(`${p}.restartPolicy`, c.restartPolicy, ['Always']));
      restartAlways = c.restartPolicy === 'Always';
    }
    const name = c.name ?? '';
    if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
    else if (name !== '') names.add(name);
    // Init containers run one at a time, so host ports only conflict within one of them. Upstream
    // checks a one-element list, so the reported index is always [0]; kept for identical output.
    errs.push(...hostPortConflicts([c], path));
    if (restartAlways) {
      if (c.lifecycle !== undefined) errs.push(...validateLifecycle(c.lifecycle, ctx.gracePeriod, `${p}.lifecycle`));
      errs.push(...validateLivenessOrStartupProbe(c.livenessProbe, ctx.gracePeriod, `${p}.livenessProbe`));
      errs.push(...validateReadinessProbe(c.readinessProbe, ctx.gracePeriod, `${p}.readinessProbe`));
      errs.push(...validateLivenessOrStartupProbe(c.startupProbe, ctx.gracePeriod, `${p}.startupProbe`));
    } else {
      if (c.lifecycle !== undefined) errs.push(forbidden(`${p}.lifecycle`, INIT_ONLY_ALWAYS));
      if (c.livenessProbe !== undefined) errs.push(forbidden(`${p}.livenessProbe`, INIT_ONLY_ALWAYS));
      if (c.readinessProbe !== undefined) errs.push(forbidden(`${p}.readinessProbe`, INIT_ONLY_ALWAYS));
      if (c.startupProbe !== undefined) errs.push(forbidden(`${p}.startupProbe`, INIT_ONLY_ALWAYS));
    }
  });
  return errs;
}

/** validateContainerOnlyForPod: checks that apply to pods but not to pod templates. */
export function validateContainersOnlyForPod(containers: readonly Container[], path: string): FieldError[] {
  return containers.flatMap((c, i) => {
    const image = c.image ?? '';
    return image !== image.trim() ? [invalid(`${path}[${i}].image`, image, 'must not have leading or trailing whitespace')] : [];
  });
}

function validateContainerCommon(c: Container, ctx: PodContext, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = c.name ?? '';
  if (name === '') errs.push(required(`${path}.name`));
  else errs.push(...isDNS1123Label(name).map((m) => invalid(`${path}.name`, name, m)));
  if ((c.image ?? '') === '') errs.push(required(`${path}.image`));
  const tmp = c.terminationMessagePolicy ?? '';
  if (tmp === '') errs.push(required(`${path}.terminationMessagePolicy`));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    errs.push(notSupported(`${path}.terminationMessagePolicy`, tmp, ['File', 'FallbackToLogsOnError']));
  }
  errs.push(...validatePorts(c.ports ?? [], `${path}.ports`));
  errs.push(...validateEnv(c.env ?? [], `${path}.env`));
  errs.push(...validateEnvFrom(c.envFrom ?? [], `${path}.envFrom`));
  errs.push(...validateVolumeMounts(c.volumeMounts ?? [], ctx.volumes, c, `${path}.volumeMounts`));
  const pull = c.imagePullPolicy ?? '';
  if (pull === '') errs.push(required(`${path}.imagePullPolicy`));
  else if (!['Always', 'IfNotPresent', 'Never'].includes(pull)) {
    errs.push(notSupported(`${path}.imagePullPolicy`, pull, ['Always', 'IfNotPresent', 'Never']));
  }
  errs.push(...validateResourceRequirements(c.resources, `${path}.resources`));
  if (c.securityContext !== undefined) errs.push(...validateSecurityContext(c.securityContext, `${path}.securityContext`));
  return errs;
}

function validatePorts(ports: readonly ContainerPort[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `${path}[${i}]`;
    const name = port.name ?? '';
    if (name !== '') {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) errs.push(...msgs.map((m) => invalid(`${p}.name`, name, m)));
      else if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
      else names.add(name);
    }
    const containerPort = port.containerPort ?? 0;
    if (containerPort === 0) errs.push(required(`${p}.containerPort`));
    else errs.push(...isValidPortNum(containerPort).map((m) => invalid(`${p}.containerPort`, containerPort, m)));
    const hostPort = port.hostPort ?? 0;
    if (hostPort !== 0) errs.push(...isValidPortNum(hostPort).map((m) => invalid(`${p}.hostPort`, hostPort, m)));
    const protocol = port.protocol ?? '';
    if (protocol === '') errs.push(required(`${p}.protocol`));
    else if (!['SCTP', 'TCP', 'UDP'].includes(protocol)) errs.push(notSupported(`${p}.protocol`, protocol, ['SCTP', 'TCP', 'UDP']));
  });
  return errs;
}

function hostPortConflicts(containers: readonly Container[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    (c.ports ?? []).forEach((port, pi) => {
      if (!port.hostPort) return;
      const key = `${port.protocol ?? ''}/${port.hostIP ?? ''}/${port.hostPort}`;
      if (seen.has(key)) errs.push(duplicate(`${path}[${ci}].ports[${pi}].hostPort`, key));
      else seen.add(key);
    });
  });
  return errs;
}

function validateVolumeMounts(
  mounts: readonly VolumeMount[], volumes: ReadonlyMap<string, Volume>, c: Container, path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const mountPoints = new Set<string>();
  mounts.forEach((m, i) => {
    const p = `${path}[${i}]`;
    const name = m.name ?? '';
    const mountPath = m.mountPath ?? '';
    if (name === '') errs.push(required(`${p}.name`));
    if (!volumes.has(name)) errs.push(notFound(`${p}.name`, name));
    if (mountPath === '') errs.push(required(`${p}.mountPath`));
    if (mountPoints.has(mountPath)) errs.push(invalid(`${p}.mountPath`, mountPath, 'must be unique'));
    mountPoints.add(mountPath);
    // Upstream reports subPath and propagation errors on the list path, without the index.
    const subPath = m.subPath ?? '';
    if (subPath !== '') errs.push(...validateLocalDescendingPath(subPath, `${path}.subPath`));
    const subPathExpr = m.subPathExpr ?? '';
    if (subPathExpr !== '') {
      if (subPath !== '') errs.push(invalid(`${p}.subPathExpr`, subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(subPathExpr, `${path}.subPathExpr`));
    }
    if (m.mountPropagation !== undefined) {
      const mp = m.mountPropagation;
      const at = `${path}.mountPropagation`;
      if (!['Bidirectional', 'HostToContainer', 'None'].includes(mp)) errs.push(notSupported(at, mp, ['Bidirectional', 'HostToContainer', 'None']));
      if (mp === 'Bidirectional' && c.securityContext?.privileged !== true) {
        errs.push(forbidden(at, 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
  });
  return errs;
}

function validateSecurityContext(sc: SecurityContext, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (sc.runAsUser !== undefined) {
    const v = sc.runAsUser;
    errs.push(...isValidUserID(v).map((m) => invalid(`${path}.runAsUser`, v, m)));
  }
  if (sc.runAsGroup !== undefined) {
    const v = sc.runAsGroup;
    errs.push(...isValidGroupID(v).map((m) => invalid(`${path}.runAsGroup`, v, m)));
  }
  if (sc.procMount !== undefined) {
    if (sc.procMount !== 'Default' && sc.procMount !== 'Unmasked') {
      errs.push(notSupported(`${path}.procMount`, sc.procMount, ['Default', 'Unmasked']));
    }
    // podd pods always share the host user namespace (no spec.hostUsers).
    if (sc.procMount === 'Unmasked') errs.push(forbidden(`${path}.procMount`, '`hostUsers` must be false to use `Unmasked`'));
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, `${path}.seccompProfile`));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) {
      errs.push(invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    }
    if ((sc.capabilities?.add ?? []).includes('CAP_SYS_ADMIN')) {
      errs.push(invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
    }
  }
  return errs;
}
