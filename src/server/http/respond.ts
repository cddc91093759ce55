// Small helpers over node:http: JSON answers, Status answers, and a size-limited body reader.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Status } from '../wire/status.js';
import { requestEntityTooLargeStatus } from '../wire/status.js';

export class HttpError extends Error {
  constructor(readonly code: number, readonly body: Status) {
    super(body.message ?? body.reason ?? String(code));
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json', extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private', ...extra,
  });
  res.end(text);
}

export function sendStatus(res: ServerResponse, code: number, status: Status): void {
  sendJson(res, code, status);
}

/** Reads the whole body; HttpError 413 beyond `limit` bytes (the connection is then closed). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume();
      reject(new HttpError(413, requestEntityTooLargeStatus(`limit is ${limit}`)));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        req.resume();
        reject(new HttpError(413, requestEntityTooLargeStatus(`limit is ${limit}`)));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks));
      }
    });
    req.on('error', (err) => {
      if (!done) {
        done = true;
        reject(err);
      }
    });
  });
}
