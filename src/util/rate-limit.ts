// Rate limits, once, for the client and the emulator alike: the `--rate-limit` syntax, the refill maths, and
// the pacing bucket built on it.

export interface RateLimit {
  writesPerMinute: number;
  readsPerMinute: number;
}

/**
 * The one parser of `WRITES,READS` (per minute), for `envsync apply --rate-limit` and
 * `envsync emulator --rate-limit` alike: two positive numbers (fractions allowed: `0.5` is one every two
 * minutes); undefined for anything else, so each caller words its own error.
 */
export function parseRateLimit(text: string): RateLimit | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return undefined;
  const writesPerMinute = Number(m[1]);
  const readsPerMinute = Number(m[2]);
  if (!isRate(writesPerMinute) || !isRate(readsPerMinute)) return undefined;
  return { writesPerMinute, readsPerMinute };
}

/** What parseRateLimit accepts for one class, for callers that get numbers rather than text. */
export function isRate(perMinute: number): boolean {
  return Number.isFinite(perMinute) && perMinute > 0;
}

/**
 * The refill maths, shared by the client (which waits for a token) and the emulator (which answers 429):
 * up to `capacity` tokens, refilled continuously at `perMs`. The caller passes the time, so a test can
 * drive it with any clock.
 */
export class Refill {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly perMs: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Takes a token and returns 0, or takes nothing and returns the milliseconds until one will be there. */
  tryTake(now: number): number {
    // A clock that steps back (NTP, a test's clock) must not drain the bucket.
    this.tokens = Math.min(this.capacity, this.tokens + Math.max(0, now - this.last) * this.perMs);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.perMs));
  }
}

export type Sleep = (ms: number) => Promise<void>;
/** Why a request waits: the pacing to the documented limit, or a 429's retry-after. */
export type WaitReason = 'rate_limit' | 'retry_after';
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The client's pacing: a bucket refilled at `perMinute`, holding at most one second's worth of tokens, so
 * a run starts promptly and then settles at the limit instead of bursting into it. `pause` (after a 429)
 * stops everyone until the server's retry-after has passed.
 */
export class TokenBucket {
  private readonly refill: Refill;
  private pausedUntil = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: Sleep = realSleep,
    /** Told before every wait, so an operator sees the run is paced, not stuck. */
    private readonly onWait: (ms: number, reason: WaitReason) => void = () => {},
  ) {
    this.refill = new Refill(Math.max(1, perMinute / 60), perMinute / 60_000, now());
  }

  /** Waits for a token; callers are served in order. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.wait());
    this.queue = turn;
    return turn;
  }

  /** Nobody gets a token before `until` (ms since the epoch, as `now` counts). */
  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  private async wait(): Promise<void> {
    for (;;) {
      const now = this.now();
      if (now < this.pausedUntil) {
        this.onWait(this.pausedUntil - now, 'retry_after');
        await this.sleep(this.pausedUntil - now);
        continue;
      }
      const wait = this.refill.tryTake(now);
      if (wait === 0) return;
      this.onWait(wait, 'rate_limit');
      await this.sleep(wait);
    }
  }
}
