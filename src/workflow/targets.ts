// `--target NAME`: a name that no file declares and nothing live holds is a mistake, not "No changes".

import { closest } from '../config/suggest.js';
import { EnvsyncError } from '../errors.js';
import type { DesiredEnvironment, LiveEnvironment } from '../model.js';

/**
 * Refuses targets that match nothing: a typo would otherwise plan nothing and exit 0, and a CI job would
 * report success for an environment it never looked at (Terraform plans nothing too, but warns; envsync
 * stops, exit 1). A name a file declares, a previous name a file renames from, or a live (not archived)
 * environment's name all count.
 */
export function checkTargets(
  targets: readonly string[],
  desired: readonly DesiredEnvironment[],
  live: readonly LiveEnvironment[],
): void {
  if (targets.length === 0) return;
  const names = new Set<string>();
  for (const d of desired) {
    names.add(d.name);
    for (const old of d.lifecycle.previous_names) names.add(old);
  }
  for (const e of live) if (!e.archived_at) names.add(e.name);
  const unknown = targets.filter((t) => !names.has(t));
  if (unknown.length === 0) return;
  const near = unknown.length === 1 ? closest(unknown[0] as string, [...names]) : undefined;
  throw new EnvsyncError(
    'unknown_target',
    `--target ${unknown.join(', --target ')} matches no environment file and no live environment`,
    {
      hint: near
        ? `did you mean --target ${near}?`
        : 'give the name of an environment (as in its file, or live); `envsync status` lists them',
    },
  );
}
