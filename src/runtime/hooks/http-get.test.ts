import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpGetError, httpGet, type HttpGetTarget } from './http-get.js';

async function serve(handler: (req: IncomingMessage, body: (status: number, text: string) => void) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => handler(req, (status, text) => res.writeHead(status).end(text)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

function target(scheme: 'http' | 'https', port: number, path = '/hook?x=1'): HttpGetTarget {
  return {
    scheme, host: '127.0.0.1', port, path, url: `${scheme}://127.0.0.1:${port}${path}`,
    headers: [['Host', `127.0.0.1:${port}`], ['User-Agent', 'kube-lifecycle/1.32'], ['Accept', '*/*'], ['X-Trace', 'a'], ['X-Trace', 'b']],
  };
}

test('httpGet sends the request as built (path with query, every header line) and any status is an answer', async () => {
  const seen: string[][] = [];
  const { server, port } = await serve((req, reply) => {
    seen.push([req.method ?? '', req.url ?? '', ...req.rawHeaders]);
    reply(500, 'not judged');
  });
  try {
    await httpGet(target('http', port), new AbortController().signal);
    assert.deepEqual(seen, [['GET', '/hook?x=1', 'Host', `127.0.0.1:${port}`, 'User-Agent', 'kube-lifecycle/1.32', 'Accept', '*/*', 'X-Trace', 'a', 'X-Trace', 'b', 'Connection', 'close']]);
  } finally {
    server.close();
  }
});

test('httpGet: a refused connection in Go\'s words; HTTPS answered by plain HTTP is told apart; an abort ends a hanging request', async () => {
  const { server, port } = await serve(() => undefined); // never answers
  server.close();
  await new Promise((r) => setTimeout(r, 50));
  await assert.rejects(httpGet(target('http', port), new AbortController().signal),
    (e: unknown) => e instanceof HttpGetError && e.message === `Get "http://127.0.0.1:${port}/hook?x=1": dial tcp 127.0.0.1:${port}: connect: connection refused` && !e.httpResponseToHttps);

  const plain = await serve((_req, reply) => reply(200, 'ok'));
  try {
    await assert.rejects(httpGet(target('https', plain.port), new AbortController().signal),
      (e: unknown) => e instanceof HttpGetError && e.httpResponseToHttps && e.message.endsWith('http: server gave HTTP response to HTTPS client'));
  } finally {
    plain.server.close();
  }

  const hang = await serve(() => undefined);
  try {
    const abort = new AbortController();
    const pending = httpGet(target('http', hang.port), abort.signal);
    setTimeout(() => abort.abort(), 100);
    await assert.rejects(pending, (e: unknown) => e instanceof HttpGetError && e.message.endsWith(': context canceled'));
  } finally {
    hang.server.closeAllConnections();
    hang.server.close();
  }
});
