// Which config a session ran on: sessions carry an env ID and a start time, the changelog says what that ID held.

import { EnvsyncError } from '../errors.js';
import type { ChangelogEntry, NormalConfig, SessionSummary } from '../model.js';
import { compareCodeUnits } from '../util/order.js';
import { type ConfigEntry, configOfId } from './query.js';
import { isStep } from './timeline.js';

export interface SessionResolution {
  session: SessionSummary;
  name: string;
  env_id: string;
  config_hash: string;
  config: NormalConfig;
  source: string | null;
  git_commit: string | null;
  /** The entry that set this config, for who and when. */
  since: ConfigEntry;
  /** The env ID's config or status changed after the session started (it would not start the same today). */
  changed_since: boolean;
}

/**
 * The config a session ran on: the latest config its env ID had recorded at or before the session's start.
 * A session on an env ID this changelog never recorded is another project's, or from before envsync.
 */
export function resolveSession(
  entries: readonly ChangelogEntry[],
  session: SessionSummary,
): SessionResolution {
  const at = new Date(session.created_at);
  let entry: ConfigEntry;
  try {
    entry = configOfId(entries, session.environment_id, at);
  } catch (e) {
    if (e instanceof EnvsyncError && e.code === 'unknown_env_id') {
      throw new EnvsyncError(
        'unknown_env_id',
        `session ${session.id} ran on ${session.environment_id}, which this changelog never recorded`,
        {
          hint: 'it belongs to another project (or workspace), or was made before envsync managed it; try that project’s changelog',
          cause: e,
        },
      );
    }
    throw e;
  }
  const later = entries.filter(
    (e) => isStep(e) && e.env_id === session.environment_id && Date.parse(e.at) > at.getTime(),
  );
  return {
    session,
    name: entry.name ?? session.environment_id,
    env_id: entry.env_id,
    config_hash: entry.config_hash,
    config: entry.config,
    source: entry.source,
    git_commit: entry.git_commit,
    since: entry,
    changed_since: later.some(
      (e) => e.op === 'archive' || (e.config_hash !== null && e.config_hash !== entry.config_hash),
    ),
  };
}

export interface SessionGroup {
  config_hash: string;
  env_ids: string[];
  count: number;
  first_at: string;
  last_at: string;
  session_ids: string[];
}

/** Sessions on the given env IDs, grouped by the config each ran on, newest group first. */
export function groupSessionsByConfig(
  entries: readonly ChangelogEntry[],
  ids: ReadonlySet<string>,
  sessions: Iterable<SessionSummary>,
): { groups: SessionGroup[]; unknown: SessionSummary[] } {
  const groups = new Map<string, SessionGroup>();
  const unknown: SessionSummary[] = [];
  for (const s of sessions) {
    if (!ids.has(s.environment_id)) continue;
    let hash: string;
    try {
      hash = configOfId(entries, s.environment_id, new Date(s.created_at)).config_hash;
    } catch {
      unknown.push(s);
      continue;
    }
    const g = groups.get(hash) ?? {
      config_hash: hash,
      env_ids: [],
      count: 0,
      first_at: s.created_at,
      last_at: s.created_at,
      session_ids: [],
    };
    g.count++;
    g.session_ids.push(s.id);
    if (!g.env_ids.includes(s.environment_id)) g.env_ids.push(s.environment_id);
    if (s.created_at < g.first_at) g.first_at = s.created_at;
    if (s.created_at > g.last_at) g.last_at = s.created_at;
    groups.set(hash, g);
  }
  const sorted = [...groups.values()].sort((a, b) => compareCodeUnits(b.last_at, a.last_at));
  return { groups: sorted, unknown };
}
