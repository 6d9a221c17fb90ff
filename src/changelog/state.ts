// What the changelog says: the current record of every environment it knows, and every config hash it ever recorded per ID.

import type { ChangelogEntry, RecordedEnvironment } from '../model.js';

/** What folding needs of an entry (so findings not yet written can be folded in too). */
export type FoldableEntry = Pick<
  ChangelogEntry,
  'op' | 'env_id' | 'name' | 'config_hash' | 'at' | 'config' | 'description' | 'metadata' | 'lifecycle'
> &
  Partial<Pick<ChangelogEntry, 'source' | 'replaces'>>;

/** Folds entries, oldest first (history order), into one record per env ID, starting from `from` (a snapshot's). */
export function foldRecorded(
  entries: readonly FoldableEntry[],
  from: readonly RecordedEnvironment[] = [],
): RecordedEnvironment[] {
  const byId = new Map<string, RecordedEnvironment>(from.map((r) => [r.env_id, r]));
  for (const e of entries) {
    if (e.env_id === null) continue;
    // Forgotten (`envsync forget`): no longer this changelog's to plan for, until it is adopted again.
    if (e.op === 'forget') {
      byId.delete(e.env_id);
      continue;
    }
    const prior = byId.get(e.env_id);
    const names = prior?.names ?? [];
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
      source: e.source ?? prior?.source ?? null,
      previous_names: e.lifecycle ? e.lifecycle.previous_names : (prior?.previous_names ?? []),
      names: e.name === null || names.includes(e.name) ? names : [...names, e.name],
      superseded_by: prior?.superseded_by ?? null,
    });
    // A recreate's new ID takes over the file: the one it replaces is retired, whatever its name.
    const replaced = e.replaces ? byId.get(e.replaces) : undefined;
    if (replaced && e.replaces !== e.env_id)
      byId.set(replaced.env_id, { ...replaced, superseded_by: e.env_id });
  }
  return [...byId.values()];
}

/** Every config hash recorded for each env ID, at any time: a live config outside this set is news to it. */
export type KnownHashes = Record<string, string[]>;

export function knownHashes(entries: readonly ChangelogEntry[]): KnownHashes {
  const known = new Map<string, Set<string>>();
  for (const e of entries) {
    if (e.env_id === null || e.config_hash === null) continue;
    const set = known.get(e.env_id) ?? new Set<string>();
    set.add(e.config_hash);
    known.set(e.env_id, set);
  }
  return Object.fromEntries([...known].map(([id, set]) => [id, [...set].sort()]));
}
