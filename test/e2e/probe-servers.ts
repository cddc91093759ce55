// Servers the probe e2e tests run inside a pod's network namespace (`nsenter --net=<ns> node probe-servers.js`):
// busybox has no gRPC and no TLS, and probes must reach them at the pod's address from the agent.
//   grpc  PORT  a grpc.health.v1 server: "" is SERVING, "db" NOT_SERVING, anything else NOT_FOUND
//   https PORT  a self-signed HTTPS server: /ok answers 200 when the probe's headers came, 401 otherwise
// Every request is written to stdout as one JSON line; "listening" is written once every server is up.
import { createServer } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import grpc from '@grpc/grpc-js';
import {
  HEALTH_CHECK_METHOD, decodeHealthCheckRequest, encodeHealthCheckResponse, type HealthCheckRequest, type HealthCheckResponse,
} from '../../src/runtime/probe/grpc-probe.js';
import { ensurePki } from '../../src/server/tls/pki.js';

const log = (rec: Record<string, unknown>): boolean => process.stdout.write(`${JSON.stringify(rec)}\n`);
const args = process.argv.slice(2);
const statuses = new Map([['', 'SERVING'], ['db', 'NOT_SERVING']]);
const dir = mkdtempSync(join(tmpdir(), 'podd-probe-servers-'));

async function main(): Promise<void> {
  const servers: (() => void)[] = [];
  for (let i = 0; i < args.length; i += 2) {
    const kind = args[i];
    const port = Number(args[i + 1]);
    if (kind === 'grpc') {
      const server = new grpc.Server();
      server.register(HEALTH_CHECK_METHOD, (call: grpc.ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, cb: grpc.sendUnaryData<HealthCheckResponse>) => {
        const ua = call.metadata.get('user-agent')[0];
        log({ kind: 'grpc', service: call.request.service, userAgent: typeof ua === 'string' ? ua : '' });
        const status = statuses.get(call.request.service);
        if (status === undefined) cb({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
        else cb(null, { status });
      }, encodeHealthCheckResponse, decodeHealthCheckRequest, 'unary');
      await new Promise<void>((resolve, reject) => server.bindAsync(`0.0.0.0:${port}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
      servers.push(() => server.forceShutdown());
    } else if (kind === 'https') {
      const pki = await ensurePki(dir, { hosts: ['127.0.0.1'], now: new Date() });
      const server = createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, (req, res) => {
        log({ kind: 'https', url: req.url, headers: req.headers });
        const good = req.url === '/ok' && req.headers['x-probe'] === 'yes' && req.headers['user-agent'] === 'kube-probe/1.32';
        res.statusCode = good ? 200 : 401;
        res.end(good ? 'ok' : 'missing probe headers');
      });
      await new Promise<void>((resolve) => server.listen(port, '0.0.0.0', resolve));
      servers.push(() => server.close());
    } else {
      throw new Error(`unknown server kind ${String(kind)}`);
    }
  }
  log({ listening: true });
  const stop = (): void => {
    for (const s of servers) s();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The test's end closes stdin: nothing outlives it.
  process.stdin.on('end', stop);
  process.stdin.resume();
}

main().catch((err: unknown) => {
  process.stderr.write(`probe-servers: ${err instanceof Error ? err.message : String(err)}\n`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
