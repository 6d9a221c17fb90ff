// The release-age quarantine (policies.min_release_age): which age a spec must wait out, and when a version
// may be locked.

import { packageName } from '../domain/package-spec.js';
import type { PackageManager, Policy, SourceLocation } from '../model.js';

/** The age a spec must wait out, and where the rule was set. */
export interface Quarantine {
  ms: number;
  text: string;
  setAt: SourceLocation;
}

/** The strictest min_release_age of the policies that does not except this package; null: none. */
export function quarantineOf(
  policies: readonly Policy[],
  manager: PackageManager,
  spec: string,
): Quarantine | null {
  let best: Quarantine | null = null;
  const name = packageName(manager, spec);
  for (const p of policies) {
    if (p.rule !== 'min_release_age') continue;
    // An exception's expiry is checked before any run (an expired one is an error): here it simply holds.
    if (p.value.except.some((e) => packageName(manager, e.package) === name)) continue;
    if (best === null || p.value.ms > best.ms) best = { ms: p.value.ms, text: p.value.text, setAt: p.setAt };
  }
  return best;
}

/** The stricter of two quarantines. */
export function stricter(a: Quarantine | null, b: Quarantine | null): Quarantine | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.ms > a.ms ? b : a;
}

export const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** When a version published at `published` may be locked; null when it already may (or its time is unknown). */
export function allowedFrom(q: Quarantine, published: string | null, now: number): number | null {
  if (published === null) return null;
  const at = Date.parse(published);
  if (Number.isNaN(at)) return null;
  const allowed = at + q.ms;
  return allowed > now ? allowed : null;
}
