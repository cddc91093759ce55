// grpc probes (pkg/probe/grpc): the standard health protocol, grpc.health.v1.Health/Check with the probe's
// service name, over plaintext HTTP/2 through @grpc/grpc-js; SERVING is success, anything else a failure in the
// words of the kubelet (which mimics grpc_health_probe). Connecting waits for the channel to be ready until the
// deadline (Go's grpc.WithBlock), so a refused connection is a timeout, as on a kubelet.
import grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { PROBE_USER_AGENT, joinHostPort } from '../../core/probe/action.js';
import type { ProbeOutcome } from '../../core/probe/types.js';
import type { Dialer } from './dialer.js';

// grpc/health/v1/health.proto, as far as the probe uses it.
const HEALTH_PROTO = `
syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse {
  enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
  ServingStatus status = 1;
}
`;

const root = protobuf.parse(HEALTH_PROTO, { keepCase: true }).root;
const Request = root.lookupType('grpc.health.v1.HealthCheckRequest');
const Response = root.lookupType('grpc.health.v1.HealthCheckResponse');
const ServingStatus = root.lookupEnum('grpc.health.v1.HealthCheckResponse.ServingStatus');

export const HEALTH_CHECK_METHOD = '/grpc.health.v1.Health/Check';

export interface HealthCheckRequest { service: string }
/** The status by name (a value the enum does not know by its number, as Go prints it). */
export interface HealthCheckResponse { status: string }

export function encodeHealthCheckRequest(req: HealthCheckRequest): Buffer {
  return Buffer.from(Request.encode(Request.create({ service: req.service })).finish());
}

export function decodeHealthCheckRequest(buf: Buffer): HealthCheckRequest {
  const m = Request.toObject(Request.decode(buf), { defaults: true }) as { service?: unknown };
  return { service: typeof m.service === 'string' ? m.service : '' };
}

export function decodeHealthCheckResponse(buf: Buffer): HealthCheckResponse {
  const m = Response.toObject(Response.decode(buf), { defaults: true }) as { status?: unknown };
  const n = typeof m.status === 'number' ? m.status : 0;
  return { status: ServingStatus.valuesById[n] ?? String(n) };
}

export function encodeHealthCheckResponse(res: HealthCheckResponse): Buffer {
  return Buffer.from(Response.encode(Response.create({ status: ServingStatus.values[res.status] ?? 0 })).finish());
}

/** Go's codes.Code String(): NotFound, Unavailable, … */
function codeName(code: number): string {
  const names = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied',
    'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];
  return names[code] ?? `Code(${code})`;
}

/** time.Duration's String() for whole seconds or milliseconds: 1s, 1.5s, 500ms. */
function goDuration(ms: number): string {
  return ms % 1000 === 0 || ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}

export async function grpcProbe(dialer: Dialer, host: string, port: number, service: string, timeoutMs: number): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  const deadline = Date.now() + timeoutMs;
  const fwd = await dialer.forward(host, port, timeoutMs);
  const client = new grpc.Client(fwd.address, grpc.credentials.createInsecure(), {
    'grpc.primary_user_agent': PROBE_USER_AGENT,
    'grpc.default_authority': addr,
    'grpc.enable_retries': 0,
    'grpc.enable_http_proxy': 0,
    'grpc.use_local_subchannel_pool': 1,
  });
  try {
    const ready = await new Promise<boolean>((resolve) => client.waitForReady(deadline, (err) => resolve(err === undefined)));
    if (!ready) return { result: 'failure', output: `timeout: failed to connect service ${JSON.stringify(addr)} within ${goDuration(timeoutMs)}: context deadline exceeded` };
    const res = await new Promise<HealthCheckResponse | { error: grpc.ServiceError }>((resolve) => {
      client.makeUnaryRequest(HEALTH_CHECK_METHOD, encodeHealthCheckRequest, decodeHealthCheckResponse, { service }, new grpc.Metadata(), { deadline },
        (err, value) => resolve(err ? { error: err } : value ?? { status: 'UNKNOWN' }));
    });
    if ('error' in res) {
      const { code, details } = res.error;
      if (code === grpc.status.UNIMPLEMENTED) return { result: 'failure', output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${details}` };
      if (code === grpc.status.DEADLINE_EXCEEDED) return { result: 'failure', output: `timeout: health rpc did not complete within ${goDuration(timeoutMs)}` };
      return { result: 'failure', output: `error: health rpc probe failed: rpc error: code = ${codeName(code)} desc = ${details}` };
    }
    if (res.status !== 'SERVING') return { result: 'failure', output: `service unhealthy (responded with ${JSON.stringify(res.status)})` };
    return { result: 'success', output: 'service healthy' };
  } finally {
    client.close();
    fwd.close();
  }
}
