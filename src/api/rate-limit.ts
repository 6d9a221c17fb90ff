// Paces requests to the API's documented limits: one token bucket per class (writes, reads).

export interface RateLimit {
  writesPerMinute: number;
  readsPerMinute: number;
}

/** The documented per-organization limits of the Anthropic API (DESIGN §1). */
export const ANTHROPIC_RATE_LIMIT: RateLimit = { writesPerMinute: 60, readsPerMinute: 600 };

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A token bucket refilled continuously at `perMinute`, holding at most one second's worth of tokens, so
 * a run starts promptly and then settles at the limit instead of bursting into it. `pause` (after a 429)
 * stops everyone until the server's retry-after has passed.
 */
export class TokenBucket {
  private tokens: number;
  private readonly capacity: number;
  private readonly perMs: number;
  private last: number;
  private pausedUntil = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: Sleep = realSleep,
  ) {
    this.perMs = perMinute / 60_000;
    this.capacity = Math.max(1, perMinute / 60);
    this.tokens = this.capacity;
    this.last = now();
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
        await this.sleep(this.pausedUntil - now);
        continue;
      }
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil((1 - this.tokens) / this.perMs));
    }
  }
}

export function parseRateLimit(text: string): RateLimit | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return undefined;
  const writesPerMinute = Number(m[1]);
  const readsPerMinute = Number(m[2]);
  if (!(writesPerMinute > 0 && readsPerMinute > 0)) return undefined;
  return { writesPerMinute, readsPerMinute };
}
