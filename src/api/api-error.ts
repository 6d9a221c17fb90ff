// What the SDK throws, as envsync's errors: ApiError with the status, type, code and request id, the server's
// words cut to a sane length with the key removed, and a hint per status.

import { APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk/core/error';
import { ApiError, EnvsyncError, UntrustedAnswerError } from '../errors.js';
import type { Redactor } from '../text/redact.js';
import { truncate } from '../text/redact.js';
import { GAVE_UP_HEADER, seconds } from './transport.js';

/** The most of a server's error message envsync repeats. */
const MAX_MESSAGE = 500;

/** The innermost cause of a connection failure, in words: `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1`. */
function rootCause(e: unknown): string {
  let deepest: unknown = e;
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 10; c = c.cause, depth++) deepest = c;
  if (!(deepest instanceof Error)) return String(deepest);
  const code = (deepest as { code?: unknown }).code;
  return typeof code === 'string' && !deepest.message.includes(code)
    ? `${code}: ${deepest.message}`
    : deepest.message;
}

/** An envsync error anywhere in the cause chain (the transport's, carried through the SDK's retry). */
function envsyncCause(e: unknown): EnvsyncError | undefined {
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 10; c = c.cause, depth++)
    if (c instanceof EnvsyncError) return c;
  return undefined;
}

function hintFor(status: number): string | undefined {
  if (status === 401) return 'check ANTHROPIC_API_KEY';
  if (status === 403) return 'the API key lacks permission for Managed Agents environments';
  if (status === 429) return 'the API kept rate-limiting; lower --parallelism or --rate-limit';
  if (status >= 500) return 'the API had a problem; run the command again';
  return undefined;
}

/** A field of the server's error body: its words, without the key, cut short. */
function serverText(text: string | null | undefined, redactor: Redactor, max = MAX_MESSAGE): string | null {
  return text === null || text === undefined ? null : truncate(redactor.redact(text), max);
}

/**
 * Turns whatever the SDK threw into an EnvsyncError; connection-level failures get status null (ambiguous)
 * and name the URL and the cause, so "connection failed" is never all an operator sees.
 */
export function toApiError(e: unknown, what: string, baseURL: string, redactor: Redactor): EnvsyncError {
  const own = envsyncCause(e);
  if (own) return own;
  if (e instanceof APIError) {
    if (e.status === undefined) {
      const timeout = e instanceof APIConnectionTimeoutError;
      return new ApiError(
        `${what}: ${timeout ? `${baseURL} did not answer in time` : `cannot reach ${baseURL}`} (${serverText(rootCause(e), redactor)})`,
        { status: null, type: null, errorCode: null, requestId: null },
        {
          hint: 'check the network and the base URL; envsync will reconcile anything half-done on the next run',
          cause: e,
        },
      );
    }
    const type = serverText(e.type, redactor, 80);
    const code = serverText(e.errorCode, redactor, 80);
    const message = serverText(e.apiMessage ?? e.message, redactor) ?? '';
    const requestId = serverText(e.requestID, redactor, 120);
    const asked = Number(e.headers?.get(GAVE_UP_HEADER));
    const gaveUp =
      e.status === 429 && asked > 0
        ? ` (it asked to wait ${seconds(asked)}; envsync waits at most a minute at a time and --timeout in all)`
        : '';
    return new ApiError(
      `${what}: ${e.status} ${type ?? 'error'}${code ? ` (${code})` : ''}: ${message}${gaveUp}`,
      { status: e.status, type, errorCode: code, requestId },
      { hint: hintFor(e.status), cause: e },
    );
  }
  if (e instanceof APIUserAbortError)
    return new UntrustedAnswerError('api_timeout', `${what}: gave up waiting`, null, 'run again', e);
  const message = e instanceof Error ? e.message : String(e);
  return new ApiError(
    `${what}: ${serverText(message, redactor)}`,
    { status: null, type: null, errorCode: null, requestId: null },
    { cause: e },
  );
}
