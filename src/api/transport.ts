// Every HTTP attempt the SDK makes goes through this middleware: paced to the rate limit, 429s waited out
// within bounds, and each answer read whole under a size cap and a deadline that covers the body. No run
// waits on a misbehaving server for longer than its budget (`--timeout`, default 90 s), and it says what it
// waits for.

import { AsyncLocalStorage } from 'node:async_hooks';
import { RetryableError } from '@anthropic-ai/sdk/core/error';
import type { Middleware } from '@anthropic-ai/sdk/core/middleware';
import { UntrustedAnswerError } from '../errors.js';
import type { Reporter } from '../model.js';
import { type RateLimit, realSleep, type Sleep, TokenBucket, type WaitReason } from '../util/rate-limit.js';
import { readCapped } from '../util/read-capped.js';

/** The largest answer envsync reads: a 1,000-environment page is a few MB. */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
/** How long envsync waits on the API for one answer (a call with its retries, or a whole list) by default. */
export const DEFAULT_TIMEOUT_MS = 90_000;
/** How many 429s one request may wait out before its caller sees the error. */
const MAX_RATE_LIMIT_WAITS = 20;

/** The limits derived from the one `--timeout` knob, so every wait has a bound a user can change. */
export interface Patience {
  /** One call (with its retries and 429 waits) or one whole list. */
  callMs: number;
  /** One HTTP attempt, headers and body. */
  attemptMs: number;
  /** The longest single wait a `retry-after` is honoured for. */
  retryAfterCapMs: number;
}

export function patience(timeoutMs = DEFAULT_TIMEOUT_MS): Patience {
  return {
    callMs: timeoutMs,
    attemptMs: Math.max(1000, Math.min(30_000, Math.round(timeoutMs / 3))),
    retryAfterCapMs: Math.min(60_000, Math.round((timeoutMs * 2) / 3)),
  };
}

/** The time one call may still spend waiting on the API; time spent on our own pacing does not count. */
class Budget {
  private paused = 0;
  private readonly started: number;
  constructor(
    readonly what: string,
    readonly limitMs: number,
    private readonly now: () => number,
  ) {
    this.started = now();
  }
  remaining(): number {
    return this.limitMs - (this.now() - this.started - this.paused);
  }
  pause(ms: number): void {
    this.paused += ms;
  }
}

const current = new AsyncLocalStorage<Budget>();

/** Runs `fn` (one API call, or every page of a list) within one budget, named for the messages. */
export function withBudget<T>(
  what: string,
  limitMs: number,
  now: () => number,
  fn: () => Promise<T>,
): Promise<T> {
  const outer = current.getStore();
  const limit = outer ? Math.min(limitMs, outer.remaining()) : limitMs;
  return current.run(new Budget(what, limit, now), fn);
}

/** `retry-after-ms`, `retry-after` in seconds, or `retry-after` as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers, now: number): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (ms > 0 && Number.isFinite(ms)) return ms;
  const raw = headers.get('retry-after');
  if (raw === null) return undefined;
  const seconds = Number(raw);
  if (seconds > 0 && Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface TransportOptions {
  reporter: Reporter;
  rateLimit: RateLimit | undefined;
  patience: Patience;
  now?: () => number;
  sleep?: Sleep;
}

/** Set on a 429 envsync stopped waiting out: the wait the API asked for, in ms. */
export const GAVE_UP_HEADER = 'x-envsync-asked-wait-ms';

export const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * An answer this layer read whole: the SDK sees a `Response` like any other, and the client parses `bytes`
 * once instead of reading the body a second time through a stream and a `TextDecoder`.
 */
export class ReadAnswer extends Response {
  constructor(
    readonly bytes: Buffer,
    init: ResponseInit,
  ) {
    // The body is the same bytes, not a copy, for whoever reads it as a stream (the SDK, for an error).
    super(
      new ReadableStream<Uint8Array>({
        start(controller) {
          if (bytes.byteLength > 0) controller.enqueue(bytes);
          controller.close();
        },
      }),
      init,
    );
  }

  /** The body as text, decoded as `Response.text()` decodes it (a leading UTF-8 byte order mark is dropped). */
  utf8(): string {
    const b = this.bytes;
    const bom = b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
    return b.toString('utf8', bom ? 3 : 0);
  }
}

/** The API's "too large" refusal; `readCapped` says how the body passed the cap. */
function tooLarge(what: string, requestId: string | null): () => UntrustedAnswerError {
  return () =>
    new UntrustedAnswerError(
      'api_too_large',
      `${what}: the answer is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`,
      requestId,
      'envsync reads no answer that large; nothing was acted on. Check the base URL points at the Environments API',
    );
}

/** The SDK middleware that owns pacing, 429s, deadlines and the size cap for every attempt. */
export function transport(options: TransportOptions): Middleware {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const { patience: p, reporter } = options;
  const onWait = (ms: number, reason: WaitReason) => reporter.event({ type: 'waiting', reason, ms });
  const buckets = options.rateLimit
    ? {
        write: new TokenBucket(options.rateLimit.writesPerMinute, now, sleep, onWait),
        read: new TokenBucket(options.rateLimit.readsPerMinute, now, sleep, onWait),
      }
    : undefined;

  return async (request, next) => {
    const budget = current.getStore() ?? new Budget('the request', p.callMs, now);
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url);
    const bucket = buckets ? (method === 'GET' ? buckets.read : buckets.write) : undefined;
    for (let waits = 0; ; waits++) {
      if (budget.remaining() <= 0) throw timedOut(budget);
      if (bucket) {
        const before = now();
        await bucket.take();
        budget.pause(now() - before);
      }
      const attemptMs = Math.max(1, Math.min(p.attemptMs, budget.remaining()));
      const deadline = new AbortController();
      const onAbort = () => deadline.abort(request.signal?.reason);
      request.signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => deadline.abort(new Error('deadline')), attemptMs);
      const started = now();
      try {
        const response = await next({ ...request, signal: deadline.signal });
        const requestId = response.headers.get('request-id');
        reporter.event({
          type: 'request',
          method,
          path: url.pathname + url.search,
          status: response.status,
          request_id: requestId,
          ms: now() - started,
        });
        const asked = response.status === 429 ? retryAfterMs(response.headers, now()) : undefined;
        if (response.status === 429 && waits < MAX_RATE_LIMIT_WAITS) {
          const wait = Math.min(asked ?? Math.min(500 * 2 ** waits, 8000), p.retryAfterCapMs);
          if (wait < budget.remaining()) {
            await response.body?.cancel();
            clearTimeout(timer);
            if (bucket) bucket.pause(now() + wait);
            else {
              onWait(wait, 'retry_after');
              await sleep(wait);
            }
            continue;
          }
        }
        let body: Buffer;
        try {
          body = await readCapped(response, MAX_ANSWER_BYTES, tooLarge(budget.what, requestId));
        } catch (e) {
          if (!deadline.signal.aborted || request.signal?.aborted) throw e;
          // The answer began but did not finish in time: a transient stall is retried, within the budget.
          throw new RetryableError(`no complete answer within ${seconds(attemptMs)}`, {
            cause: timedOut(budget, attemptMs),
          });
        }
        const headers = new Headers(response.headers);
        // This layer owns 429s: once it stops waiting, the SDK must not retry the same 429 on top.
        if (response.status === 429) {
          headers.set('x-should-retry', 'false');
          // What the API asked for, so the error can say why envsync stopped waiting.
          if (asked !== undefined) headers.set(GAVE_UP_HEADER, String(Math.round(asked)));
        }
        const init = { status: response.status, statusText: response.statusText, headers };
        return response.status === 204 ? new Response(null, init) : new ReadAnswer(body, init);
      } finally {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
      }
    }
  };
}

function timedOut(budget: Budget, attemptMs?: number): UntrustedAnswerError {
  const what =
    attemptMs === undefined
      ? `no answer within ${seconds(budget.limitMs)} (retries and waits included)`
      : `the answer did not finish within ${seconds(attemptMs)}`;
  return new UntrustedAnswerError(
    'api_timeout',
    `${budget.what}: ${what}`,
    null,
    'the API is slow or not answering; nothing more was sent. Run again later, or raise --timeout (seconds)',
  );
}
