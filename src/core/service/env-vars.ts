// The environment variables the kubelet gives every container for the Services it can see (getServiceEnvVarMap and
// envvars.FromServices): `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT` (and `_<PORTNAME>`), and Docker-link style
// `<NAME>_PORT*`. The pod's own namespace when enableServiceLinks is on; the `kubernetes` Service of `default`
// always. Headless Services and those without an address give none.
import type { Service, ServicePort } from '../../api/service-types.js';

const MASTER_NAMESPACE = 'default';
const MASTER_SERVICES = new Set(['kubernetes']);

function hasClusterIP(service: Service): boolean {
  const ip = service.spec.clusterIP ?? '';
  return ip !== '' && ip !== 'None';
}

/** makeEnvVariableName: upper case, "-" to "_". */
function envName(name: string): string {
  return name.replace(/-/g, '_').toUpperCase();
}

function linkVariables(prefix: string, ip: string, ports: readonly ServicePort[]): [string, string][] {
  const vars: [string, string][] = [];
  ports.forEach((port, i) => {
    const protocol = port.protocol === undefined || port.protocol === '' ? 'TCP' : port.protocol;
    const url = `${protocol.toLowerCase()}://${ip}:${port.port}`;
    // Docker special-cases the first port.
    if (i === 0) vars.push([`${prefix}_PORT`, url]);
    const portPrefix = `${prefix}_PORT_${port.port}_${protocol.toUpperCase()}`;
    vars.push([portPrefix, url], [`${portPrefix}_PROTO`, protocol.toLowerCase()], [`${portPrefix}_PORT`, String(port.port)], [`${portPrefix}_ADDR`, ip]);
  });
  return vars;
}

function variablesOf(service: Service): [string, string][] {
  const prefix = envName(service.metadata.name ?? '');
  const ip = service.spec.clusterIP ?? '';
  const ports = service.spec.ports ?? [];
  const first = ports[0];
  if (first === undefined) return [[`${prefix}_SERVICE_HOST`, ip]];
  const portVar = `${prefix}_SERVICE_PORT`;
  return [
    [`${prefix}_SERVICE_HOST`, ip],
    [portVar, String(first.port)],
    ...ports.flatMap((p): [string, string][] => (p.name === undefined || p.name === '' ? [] : [[`${portVar}_${envName(p.name)}`, String(p.port)]])),
    ...linkVariables(prefix, ip, ports),
  ];
}

/** Every Service of the node (any namespace) in, the variables for a container of a pod in `namespace` out. */
export function serviceEnvVars(services: readonly Service[], namespace: string, enableServiceLinks: boolean): Map<string, string> {
  const visible = new Map<string, Service>();
  for (const service of services) {
    if (!hasClusterIP(service)) continue;
    const name = service.metadata.name ?? '';
    const ns = service.metadata.namespace ?? 'default';
    if (ns === MASTER_NAMESPACE && MASTER_SERVICES.has(name)) {
      if (!visible.has(name)) visible.set(name, service);
    } else if (ns === namespace && enableServiceLinks) {
      visible.set(name, service);
    }
  }
  const vars = new Map<string, string>();
  const byName = [...visible.values()].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const service of byName) for (const [name, value] of variablesOf(service)) vars.set(name, value);
  return vars;
}
