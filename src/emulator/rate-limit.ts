// Per-class token buckets (writes, reads) that say how long a rejected request should wait.

export type RequestClass = 'write' | 'read';

export interface RateLimits {
  writesPerMinute: number;
  readsPerMinute: number;
}

/**
 * A bucket holding up to `limit` tokens, refilled continuously at `limit` per window: a client may burst
 * a full window's allowance at once, then gets one request per window/limit, as the API's limiter does.
 */
class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    now: number,
  ) {
    this.tokens = limit;
    this.last = now;
  }

  /** 0 when a token was taken, otherwise the milliseconds until one will be there. */
  take(now: number): number {
    const perMs = this.limit / this.windowMs;
    this.tokens = Math.min(this.limit, this.tokens + Math.max(0, now - this.last) * perMs);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / perMs));
  }
}

export class RateLimiter {
  private readonly buckets: Record<RequestClass, TokenBucket>;

  constructor(
    readonly limits: RateLimits,
    windowMs: number,
    private readonly now: () => number,
  ) {
    const t = now();
    this.buckets = {
      write: new TokenBucket(limits.writesPerMinute, windowMs, t),
      read: new TokenBucket(limits.readsPerMinute, windowMs, t),
    };
  }

  /** 0 if the request may go ahead, otherwise how many milliseconds to wait. */
  check(kind: RequestClass): number {
    return this.buckets[kind].take(this.now());
  }
}
