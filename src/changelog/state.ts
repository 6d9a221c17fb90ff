// What the changelog says: the current record of every environment it knows, and the runs left open.

import type { ChangelogEntry, RecordedEnvironment } from '../model.js';

/** Folds entries, oldest first, into one record per env ID. */
export function foldRecorded(entries: readonly ChangelogEntry[]): RecordedEnvironment[] {
  const byId = new Map<string, RecordedEnvironment>();
  for (const e of entries) {
    if (!e.env_id || e.op === 'begin' || e.op === 'end') continue;
    const prior = byId.get(e.env_id);
    const name = e.name ?? prior?.name ?? '';
    const hash = e.config_hash ?? prior?.config_hash ?? '';
    switch (e.op) {
      case 'archive':
        byId.set(e.env_id, { name, env_id: e.env_id, config_hash: hash, at: e.at, archived: true });
        break;
      case 'drift':
        // A drift entry without a config records an environment found gone.
        byId.set(e.env_id, {
          name,
          env_id: e.env_id,
          config_hash: hash,
          at: e.at,
          archived: e.config === null,
        });
        break;
      default:
        byId.set(e.env_id, { name, env_id: e.env_id, config_hash: hash, at: e.at, archived: false });
    }
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
