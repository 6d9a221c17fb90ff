// Seeded pseudo-random numbers (xoshiro128**), so a seed makes ids and fault sequences reproducible.

import { randomBytes } from 'node:crypto';

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** splitmix32: spreads a small seed over the 128-bit state, which must never be all zero. */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * One independent stream per purpose (ids, faults, request ids): drawing a fault must not shift the
 * ids a seeded run hands out, so turning a fault knob on keeps the ids of a test stable.
 */
export function createRng(seed: number | undefined, stream: number): Rng {
  let s0: number;
  let s1: number;
  let s2: number;
  let s3: number;
  if (seed === undefined) {
    const bytes = randomBytes(16);
    [s0, s1, s2, s3] = [0, 4, 8, 12].map((o) => bytes.readUInt32LE(o)) as [number, number, number, number];
  } else {
    const low = splitmix32(seed >>> 0);
    const high = splitmix32(Math.floor(seed / 2 ** 32) ^ Math.imul(stream + 1, 0x27d4eb2d));
    s0 = low() ^ high();
    s1 = low() ^ high();
    s2 = low() ^ high();
    s3 = low() ^ high();
  }
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  return {
    next() {
      const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
      const t = (s1 << 9) >>> 0;
      s2 = (s2 ^ s0) >>> 0;
      s3 = (s3 ^ s1) >>> 0;
      s1 = (s1 ^ s2) >>> 0;
      s0 = (s0 ^ s3) >>> 0;
      s2 = (s2 ^ t) >>> 0;
      s3 = rotl(s3, 11);
      return result / 2 ** 32;
    },
  };
}

export function randomBase62(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[Math.floor(rng.next() * 62)];
  return out;
}
