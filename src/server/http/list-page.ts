// `limit` and `continue` on lists (kubectl get sends limit=500 and follows metadata.continue; --chunk-size sets
// the limit). Errors as the apiserver's: a malformed token or one combined with a resourceVersion is a 400; a
// token older than the change log is a 410 Expired whose metadata.continue resumes at the latest state instead.

import { isExpiredError } from '../../store/store-errors.js';
import type { ListOptions, ListResult, PageOptions, StoredObject } from '../../store/types.js';
import { ContinueTokenError, decodeContinue, encodeContinue } from '../wire/continue.js';
import { badRequestStatus, goneStatus } from '../wire/status.js';
import type { HandlerDeps, Target } from './handlers.js';
import { HttpError } from './respond.js';

const INCONSISTENT_CONTINUE = 'The provided continue parameter is too old to display a consistent list result. You can start a '
  + 'new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the '
  + 'results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, '
  + 'or deleted between the time the first chunk was returned and now may show up in the list.';

export interface Page {
  result: ListResult<StoredObject>;
  /** The token for the next page, '' when this is the last. */
  continueToken: string;
}

function parseLimit(text: string | null): number {
  if (text === null || text === '') return 0;
  if (!/^-?\d+$/.test(text)) throw new HttpError(400, badRequestStatus(`strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`));
  return Number(text);
}

/** `selectors`: the request's label and field selectors, compiled. */
export function listPage(deps: HandlerDeps, t: Target, query: URLSearchParams, selectors: ListOptions): Page {
  const opts: PageOptions = { ...selectors, limit: parseLimit(query.get('limit')) };
  const token = query.get('continue') ?? '';
  const across = t.namespace === undefined;
  if (token !== '') {
    const rv = query.get('resourceVersion') ?? '';
    if (rv !== '' && rv !== '0') throw new HttpError(400, badRequestStatus('specifying resource version is not allowed when using continue'));
    try {
      opts.continue = decodeContinue(token, t.namespace);
    } catch (err) {
      if (err instanceof ContinueTokenError) throw new HttpError(400, badRequestStatus(`invalid continue token: ${err.message}`));
      throw err;
    }
  }
  let result: ListResult<StoredObject>;
  try {
    result = deps.store.list(t.info.name, t.namespace, opts);
  } catch (err) {
    if (!isExpiredError(err) || opts.continue === undefined) throw err;
    const gone = goneStatus(INCONSISTENT_CONTINUE);
    gone.metadata.continue = encodeContinue({ namespace: opts.continue.namespace, name: opts.continue.name }, across);
    throw new HttpError(410, gone);
  }
  return { result, continueToken: result.continue === undefined ? '' : encodeContinue(result.continue, across) };
}
