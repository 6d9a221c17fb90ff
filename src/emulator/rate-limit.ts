// The emulator's limiter: per-class buckets (writes, reads) on the shared refill maths, saying how long a refused request should wait.

import { type RateLimit, Refill } from '../util/rate-limit.js';

export type RequestClass = 'write' | 'read';

/** The emulator's name for the shared `RateLimit` shape; kept so library callers need not change. */
export type RateLimits = RateLimit;

export class RateLimiter {
  private readonly buckets: Record<RequestClass, Refill>;

  /**
   * Each class may burst a full window's allowance at once, then gets one request per window/limit, as the
   * API's limiter does (at least one token, so a fractional limit still lets a request through now and then).
   */
  constructor(
    readonly limits: RateLimit,
    windowMs: number,
    private readonly now: () => number,
  ) {
    const t = now();
    const bucket = (perWindow: number) => new Refill(Math.max(1, perWindow), perWindow / windowMs, t);
    this.buckets = { write: bucket(limits.writesPerMinute), read: bucket(limits.readsPerMinute) };
  }

  /** 0 if the request may go ahead (its token is taken), otherwise how many milliseconds to wait. */
  check(kind: RequestClass): number {
    return this.buckets[kind].tryTake(this.now());
  }
}
