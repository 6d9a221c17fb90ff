// Injected faults (5xx answers, lost responses) drawn from one PRNG, so a seed replays the same sequence.

import type { Rng } from './rng.js';

export class Faults {
  private failures = 0;

  constructor(
    private readonly rng: Rng,
    private readonly failRate: number,
    private readonly dropRate: number,
  ) {}

  /** 500 or 529 (alternating, so a test sees both), or null for a request that goes ahead. */
  failure(): 500 | 529 | null {
    if (this.failRate <= 0 || this.rng.next() >= this.failRate) return null;
    return this.failures++ % 2 === 0 ? 500 : 529;
  }

  /** Whether a write's response is lost after the write is committed. */
  drop(): boolean {
    return this.dropRate > 0 && this.rng.next() < this.dropRate;
  }
}
