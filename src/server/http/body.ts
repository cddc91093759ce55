// POST and PUT bodies by Content-Type, as the apiserver's negotiated serializers accept them: JSON, YAML, and
// the Kubernetes protobuf envelope (kubectl's generators send it; podd decodes the kinds in wire/protobuf.ts).

import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequestStatus, unsupportedMediaTypeStatus } from '../wire/status.js';
import { PROTOBUF_MEDIA_TYPE, ProtobufDecodeError, UnsupportedProtobufKindError, decodeProtobufObject } from '../wire/protobuf.js';
import { parseJsonBody } from './objects.js';
import { HttpError, readBody } from './respond.js';

const TEXT_TYPES = ['application/json', 'application/yaml'];

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** The decoded body (undefined when empty); HttpError 400 for bytes that do not parse, 415 for other types. */
export async function readObjectBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = mediaType(req);
  if (type !== '' && !TEXT_TYPES.includes(type) && type !== PROTOBUF_MEDIA_TYPE) {
    throw new HttpError(415, unsupportedMediaTypeStatus([...TEXT_TYPES, PROTOBUF_MEDIA_TYPE]));
  }
  const body = await readBody(req, limit);
  if (type === 'application/yaml') return parseYamlBody(body);
  if (type !== PROTOBUF_MEDIA_TYPE) return parseJsonBody(body);
  try {
    return decodeProtobufObject(body);
  } catch (err) {
    if (err instanceof UnsupportedProtobufKindError) throw new HttpError(415, unsupportedMediaTypeStatus(TEXT_TYPES));
    if (err instanceof ProtobufDecodeError) throw new HttpError(400, badRequestStatus(err.message));
    throw err;
  }
}

export function parseYamlBody(body: Buffer): unknown {
  try {
    return parseYaml(body.toString('utf8')) as unknown;
  } catch (err) {
    throw new HttpError(400, badRequestStatus(`error converting YAML to JSON: ${err instanceof Error ? err.message : String(err)}`));
  }
}
