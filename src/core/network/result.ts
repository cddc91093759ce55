// Plugin output: a result on success, {code, msg, details} on failure (SPEC.md "Result", "Error"). The result's raw
// JSON is kept as written for chaining and caching; only the fields podd reads are checked.
import { stripPrefix } from './cidr.js';
import { isJsonObject } from './conflist.js';
import { NetworkError } from './errors.js';
import type { CniInterface, CniIp, CniResult, CniRoute, PodNetworkStatus } from './types.js';

function bad(source: string, message: string): NetworkError {
  return new NetworkError('InvalidResult', `${source}: ${message}`);
}

function optionalString(obj: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new Error(`${where}.${key} must be a string`);
  return v;
}

function list<T>(value: unknown, where: string, item: (v: Record<string, unknown>, at: string) => T): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${where} must be a list`);
  return value.map((v, i) => {
    const at = `${where}[${i}]`;
    if (!isJsonObject(v)) throw new Error(`${at} must be an object`);
    return item(v, at);
  });
}

function iface(v: Record<string, unknown>, at: string): CniInterface {
  const name = optionalString(v, 'name', at);
  if (name === undefined) throw new Error(`${at}.name is required`);
  const mac = optionalString(v, 'mac', at);
  const sandbox = optionalString(v, 'sandbox', at);
  return { name, ...(mac === undefined ? {} : { mac }), ...(sandbox === undefined ? {} : { sandbox }) };
}

function ip(v: Record<string, unknown>, at: string): CniIp {
  const address = optionalString(v, 'address', at);
  if (address === undefined || !address.includes('/')) throw new Error(`${at}.address must be an address with a prefix`);
  const gateway = optionalString(v, 'gateway', at);
  const index = v['interface'];
  if (index !== undefined && (typeof index !== 'number' || !Number.isInteger(index) || index < 0)) {
    throw new Error(`${at}.interface must be an index`);
  }
  return { address, ...(gateway === undefined ? {} : { gateway }), ...(index === undefined ? {} : { interface: index }) };
}

function route(v: Record<string, unknown>, at: string): CniRoute {
  const dst = optionalString(v, 'dst', at);
  if (dst === undefined) throw new Error(`${at}.dst is required`);
  const gw = optionalString(v, 'gw', at);
  return { dst, ...(gw === undefined ? {} : { gw }) };
}

/** Validates a decoded result (0.3.0 and later: the 0.2.0 ip4/ip6 shape cannot appear, such configs are refused). */
export function parseResult(value: unknown, source: string): CniResult {
  if (!isJsonObject(value)) throw bad(source, 'the result is not a JSON object');
  try {
    const cniVersion = optionalString(value, 'cniVersion', 'result') ?? '';
    const interfaces = list(value['interfaces'], 'interfaces', iface);
    const ips = list(value['ips'], 'ips', ip);
    for (const [i, entry] of ips.entries()) {
      if (entry.interface !== undefined && entry.interface >= interfaces.length) throw new Error(`ips[${i}].interface points past interfaces`);
    }
    return { cniVersion, interfaces, ips, routes: list(value['routes'], 'routes', route), raw: value };
  } catch (err) {
    if (err instanceof NetworkError) throw err;
    throw bad(source, err instanceof Error ? err.message : String(err));
  }
}

/** Decodes a plugin's stdout as JSON; an ADD that prints nothing has broken the chain. */
export function decodeOutput(stdout: string, source: string): unknown {
  if (stdout.trim() === '') throw bad(source, 'printed no result');
  try {
    return JSON.parse(stdout) as unknown;
  } catch {
    throw bad(source, `printed something that is not JSON: ${stdout.trim().slice(0, 200)}`);
  }
}

/**
 * The pod's view: the addresses on the sandbox interface named `ifName` (every address when the plugin did not say
 * which interface carries it) and that interface's MAC.
 */
export function podNetworkStatus(result: CniResult, ifName: string): PodNetworkStatus {
  let index = result.interfaces.findIndex((i) => i.name === ifName && i.sandbox !== undefined);
  if (index < 0) index = result.interfaces.findIndex((i) => i.name === ifName);
  const indexed = result.ips.some((i) => i.interface !== undefined);
  const ips = result.ips.filter((i) => !indexed || i.interface === undefined || i.interface === index).map((i) => stripPrefix(i.address));
  const mac = index < 0 ? undefined : result.interfaces[index]?.mac;
  return { interfaceName: ifName, ips, ...(mac === undefined ? {} : { mac }) };
}

export interface PluginFailure {
  cniCode?: number;
  msg: string;
  details?: string;
}

/** The {code, msg, details} a failing plugin prints to stdout; falls back to its stderr, then to the exit status. */
export function parsePluginFailure(stdout: string, stderr: string, exit: string): PluginFailure {
  try {
    const v = JSON.parse(stdout) as unknown;
    if (isJsonObject(v) && (typeof v['msg'] === 'string' || typeof v['code'] === 'number')) {
      const details = typeof v['details'] === 'string' && v['details'] !== '' ? v['details'] : undefined;
      return {
        ...(typeof v['code'] === 'number' ? { cniCode: v['code'] } : {}),
        msg: typeof v['msg'] === 'string' && v['msg'] !== '' ? v['msg'] : '(no message)',
        ...(details === undefined ? {} : { details }),
      };
    }
  } catch {
    // not the spec's error shape: use what the plugin wrote elsewhere
  }
  const text = (stderr.trim() || stdout.trim()).split('\n').slice(-3).join('; ');
  return { msg: text === '' ? exit : `${exit}: ${text}` };
}

/** The spec's well-known codes, for messages a person can act on. */
const WELL_KNOWN: Record<number, string> = {
  1: 'incompatible CNI version',
  2: 'unsupported field in network configuration',
  3: 'container unknown or does not exist',
  4: 'invalid necessary environment variables',
  5: 'I/O failure',
  6: 'failed to decode content',
  7: 'invalid network config',
  11: 'try again later',
};

export function describeFailure(f: PluginFailure): string {
  const code = f.cniCode === undefined ? '' : ` (CNI code ${f.cniCode}${WELL_KNOWN[f.cniCode] ? `: ${WELL_KNOWN[f.cniCode]}` : ''})`;
  return `${f.msg}${f.details === undefined ? '' : `: ${f.details}`}${code}`;
}
