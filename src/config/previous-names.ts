// lifecycle.previous_names across files: one old name, one claimant, and never a name a file still uses.

import type { Diagnostic, SourceLocation } from '../model.js';
import { compareCodeUnits, groupBy } from '../util/order.js';
import { errorAt } from './diagnostic.js';
import { quote } from './text.js';

export interface PreviousNameClaim {
  old: string;
  /** The name of the file's environment that claims it. */
  by: string;
  source: SourceLocation;
}

const place = (s: SourceLocation) => `${s.file}:${s.line}:${s.column}`;

/**
 * Every claim that cannot be a rename: claimed twice, or still the name of a file that is not itself renamed
 * (swaps and cycles rename every file in them). Each reported where it is written.
 */
export function checkPreviousNames(
  claims: readonly PreviousNameClaim[],
  current: ReadonlyArray<{ name: string; source: SourceLocation; lifecycle: { previous_names: string[] } }>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  // A current name may be an old name only when its own file moves on too: a swap or a cycle of renames.
  const byName = new Map(
    current.filter((c) => c.lifecycle.previous_names.length === 0).map((c) => [c.name, c.source]),
  );
  const error = (c: PreviousNameClaim, message: string, hint: string): Diagnostic =>
    errorAt(c.source, 'lifecycle.previous_names', message, hint);
  for (const [old, group] of groupBy(claims, (c) => c.old)) {
    const sorted = [...group].sort((a, b) => compareCodeUnits(place(a.source), place(b.source)));
    if (sorted.length > 1) {
      for (const c of sorted) {
        const others = sorted.filter((o) => o !== c).map((o) => `${quote(o.by)} at ${place(o.source)}`);
        out.push(
          error(
            c,
            `previous name ${quote(old)} is claimed by ${quote(c.by)} and by ${others.join(', ')}`,
            'one environment can take over an old name: keep it in one file',
          ),
        );
      }
    }
    const still = byName.get(old);
    if (still) {
      for (const c of sorted) {
        out.push(
          error(
            c,
            `previous name ${quote(old)} is still the name of the environment at ${place(still)}`,
            'rename that file first, or drop the old name from previous_names',
          ),
        );
      }
    }
  }
  return out;
}
