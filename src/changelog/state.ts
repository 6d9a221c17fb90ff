// What the changelog says: the current record of every environment it knows, and the runs left open.

import type { ChangelogEntry, RecordedEnvironment } from '../model.js';

/** What folding needs of an entry (so findings not yet written can be folded in too). */
export type FoldableEntry = Pick<
  ChangelogEntry,
  'op' | 'env_id' | 'name' | 'config_hash' | 'at' | 'config' | 'description' | 'metadata' | 'lifecycle'
>;

/** Folds entries, oldest first, into one record per env ID. */
export function foldRecorded(entries: readonly FoldableEntry[]): RecordedEnvironment[] {
  const byId = new Map<string, RecordedEnvironment>();
  for (const e of entries) {
    if (!e.env_id || e.op === 'begin' || e.op === 'end') continue;
    const prior = byId.get(e.env_id);
    // A drift entry without a config records an environment found gone; it says nothing of its fields.
    const gone = e.op === 'drift' && e.config === null;
    byId.set(e.env_id, {
      name: e.name ?? prior?.name ?? '',
      env_id: e.env_id,
      config_hash: e.config_hash ?? prior?.config_hash ?? '',
      at: e.at,
      archived: e.op === 'archive' || gone,
      description: gone ? (prior?.description ?? null) : e.description,
      metadata: gone ? (prior?.metadata ?? null) : e.metadata,
      prevent_archive: e.lifecycle ? e.lifecycle.prevent_archive : (prior?.prevent_archive ?? false),
    });
  }
  return [...byId.values()];
}

/** The plan ids of `begin` entries with no matching `end`: applies that were interrupted. */
export function openRuns(entries: readonly ChangelogEntry[]): string[] {
  const open = new Set<string>();
  for (const e of entries) {
    if (e.op === 'begin') open.add(e.plan_id);
    else if (e.op === 'end') open.delete(e.plan_id);
  }
  return [...open];
}
