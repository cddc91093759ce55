// `?watch=true`: a chunked stream of JSON WatchEvents, one per line, headers flushed at once. Table-rendered
// objects when the client asked for a Table (`kubectl get -w`); a too-old resourceVersion is an ERROR event
// carrying a 410 Expired Status, as the apiserver sends it. The store watch stops when the client goes away or
// timeoutSeconds passes.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { isExpiredError } from '../../store/store-errors.js';
import type { StoredObject, WatchEvent, WatchHandle } from '../../store/types.js';
import { goneStatus, statusForError, watchErrorEvent } from '../wire/status.js';
import type { Status } from '../wire/status.js';
import { listOptions, rendering } from './handlers.js';
import type { HandlerDeps, Target } from './handlers.js';
import { apiVersionOf } from './discovery.js';
import { renderTable, withKind } from './objects.js';

function errorStatus(err: unknown, t: Target): Status {
  if (isExpiredError(err)) return goneStatus(err.message);
  return statusForError(err, { resource: t.info.name }).body;
}

export function handleWatch(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, t: Target, query: URLSearchParams): void {
  const r = rendering(req);
  const opts = listOptions(t.info, query);
  const rv = query.get('resourceVersion') ?? undefined;
  const timeout = Number(query.get('timeoutSeconds') ?? '0');
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  const sendInitialEvents = query.get('sendInitialEvents') === 'true' || rv === undefined || rv === '' || rv === '0';

  // Bad Table options fail here with a 400, not inside the stream.
  if (r.table) renderTable(t.info, [], r, query, deps.now(), '');
  res.writeHead(200, { 'Content-Type': r.contentType, 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  let handle: WatchHandle | undefined;
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  let columnsSent = false;
  const finish = (): void => {
    if (ended) return;
    ended = true;
    handle?.stop();
    if (timer !== undefined) clearTimeout(timer);
    res.end();
  };
  res.on('close', finish);

  const write = (event: unknown): void | Promise<void> => {
    if (ended) return;
    if (res.write(JSON.stringify(event) + '\n')) return;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  };

  const objectFor = (obj: StoredObject): unknown => {
    if (!r.table) return withKind(obj, t.info.kind, apiVersionOf(t.info));
    const table = renderTable(t.info, [obj], r, query, deps.now(), obj.metadata.resourceVersion ?? '', columnsSent);
    columnsSent = true;
    return table;
  };

  const onEvent = (e: WatchEvent): void | Promise<void> => {
    if (e.type === 'ERROR') {
      const result = write(watchErrorEvent(errorStatus(e.error, t)));
      finish();
      return result;
    }
    if (e.type === 'BOOKMARK') {
      if (r.table) return;
      return write({ type: 'BOOKMARK', object: withKind(e.object, t.info.kind, apiVersionOf(t.info)) });
    }
    return write({ type: e.type, object: objectFor(e.object) });
  };

  try {
    handle = deps.store.watch(t.info.name, t.namespace, rv, onEvent, { ...opts, sendInitialEvents, allowBookmarks: bookmarks });
  } catch (err) {
    void write(watchErrorEvent(errorStatus(err, t)));
    finish();
    return;
  }
  if (ended) handle.stop();
  if (Number.isFinite(timeout) && timeout > 0) timer = setTimeout(finish, timeout * 1000);
}
