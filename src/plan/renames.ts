// Renames (lifecycle.previous_names): which live environment each renamed file takes over, in place.

import { isParkedFor } from '../domain/naming.js';
import { isMine, type Owner } from '../domain/ownership.js';
import type { BlockedItem, DesiredEnvironment, LiveEnvironment } from '../model.js';

export interface RenamePlan {
  /** Desired name → the live environment renamed to it. */
  byTarget: Map<string, LiveEnvironment>;
  /** IDs that move away from their current name (never archived under it). */
  moving: Set<string>;
  blocked: BlockedItem[];
}

/**
 * For each file with previous names: exactly one of this project's live environments under one of them is
 * renamed to the file's name — when nothing holds that name, or what holds it is itself renamed away (a
 * swap). More than one candidate is ambiguous and blocked; none means a plain create.
 */
export function planRenames(
  desired: readonly DesiredEnvironment[],
  liveByName: ReadonlyMap<string, readonly LiveEnvironment[]>,
  owner: Owner,
  /** The previous names recorded with an ID's last apply, from the changelog. */
  recordedPreviousNames: (envId: string) => readonly string[],
): RenamePlan {
  const candidates = new Map<string, LiveEnvironment>();
  const blocked: BlockedItem[] = [];
  for (const d of desired) {
    // Already done: the environment under this name was last applied with these previous names (after a
    // swap both names are held again, and only the changelog tells a done swap from one still to do —
    // by what was applied, not by where the file lies).
    const holders = liveByName.get(d.name) ?? [];
    const claimed = new Set(d.lifecycle.previous_names);
    if (holders.some((h) => recordedPreviousNames(h.id).some((n) => claimed.has(n)))) continue;
    // A previous name, or this name parked by a run of renames that stopped halfway.
    const olds = [
      ...d.lifecycle.previous_names,
      ...[...liveByName.keys()].filter((n) => isParkedFor(n, d.name)),
    ];
    const found = olds.flatMap((old) => (liveByName.get(old) ?? []).filter((e) => isMine(e, owner)));
    if (found.length > 1) {
      blocked.push({
        rule: 'rename_ambiguous',
        name: d.name,
        env_id: null,
        message: `${d.name} names previous names held by ${found.length} environments (${found.map((e) => `${e.name} ${e.id}`).join(', ')}): envsync cannot tell which to rename`,
        hint: `keep one of them in lifecycle.previous_names of ${d.source.file}, or archive the others first`,
      });
    } else if (found[0]) candidates.set(d.name, found[0]);
  }
  // A candidate holds when its target is free, or held only by environments that are renamed away too.
  const byTarget = new Map(candidates);
  for (let changed = true; changed; ) {
    changed = false;
    const moving = new Set([...byTarget.values()].map((e) => e.id));
    for (const [target, env] of byTarget) {
      const holders = (liveByName.get(target) ?? []).filter((e) => e.id !== env.id);
      if (holders.some((h) => !moving.has(h.id))) {
        byTarget.delete(target);
        changed = true;
      }
    }
  }
  return { byTarget, moving: new Set([...byTarget.values()].map((e) => e.id)), blocked };
}
