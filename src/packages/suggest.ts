// "Did you mean 2.2.0?": the existing versions closest to one that does not exist or is withdrawn.

import { editDistance } from '../config/suggest.js';

/**
 * The hint for a version that is not there: up to three versions closest in spelling to `wanted` (a typo:
 * `2.2.O`, `2.2.00`), nearest first and newest first among equals; when none is close, the newest release.
 */
export function versionHint(
  wanted: string,
  available: readonly string[],
  order: { compare(a: string, b: string): number; isPrerelease(v: string): boolean },
): string {
  if (available.length === 0) return 'the registry lists no version it would install';
  const newestFirst = [...available].sort((a, b) => order.compare(b, a));
  const limit = Math.max(1, Math.floor(wanted.length / 3));
  const near = newestFirst
    .map((v) => ({ v, d: editDistance(wanted.toLowerCase(), v.toLowerCase()) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((x) => x.v);
  if (near.length === 0)
    return `the newest is ${newestFirst.find((v) => !order.isPrerelease(v)) ?? newestFirst[0]}`;
  const listed = near.length === 1 ? near[0] : `${near.slice(0, -1).join(', ')} or ${near.at(-1)}`;
  return `did you mean ${listed}?`;
}
