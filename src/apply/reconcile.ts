// After an interrupted apply, compares what the changelog says with the live ownership tags and records the difference.

import { isManaged, liveHash, taggedHash, userMetadata } from '../api/ownership.js';
import { normalizeConfig } from '../hash/config-hash.js';
import type { ChangelogOp, LiveEnvironment, RecordedEnvironment } from '../model.js';

/** One thing the changelog does not know yet, as the entry that records it. */
export interface Finding {
  op: Extract<ChangelogOp, 'create' | 'update' | 'archive' | 'drift'>;
  env: LiveEnvironment | null;
  recorded: RecordedEnvironment | null;
  detail: string;
}

/**
 * Every difference between the changelog's current records and the live environments (archived ones
 * included): managed environments it does not know or knows under another name or hash, and recorded
 * environments that were archived or are gone. Live configs that differ from their own tag are drift for
 * the planner, not something an interrupted run did, so they are left out here.
 */
export function findUnrecorded(
  recorded: readonly RecordedEnvironment[],
  live: readonly LiveEnvironment[],
): Finding[] {
  const byId = new Map(recorded.map((r) => [r.env_id, r]));
  const liveIds = new Set(live.map((e) => e.id));
  const findings: Finding[] = [];
  for (const env of live) {
    if (!isManaged(env)) continue;
    const rec = byId.get(env.id) ?? null;
    const tag = taggedHash(env);
    const matchesTag = tag === liveHash(env);
    if (env.archived_at) {
      if (rec && !rec.archived)
        findings.push({
          op: 'archive',
          env,
          recorded: rec,
          detail: `archived at ${env.archived_at}, not recorded`,
        });
      continue;
    }
    if (!rec) {
      if (matchesTag)
        findings.push({
          op: 'create',
          env,
          recorded: null,
          detail: 'managed environment not in the changelog',
        });
      continue;
    }
    if (rec.archived) continue;
    if ((matchesTag && rec.config_hash !== tag) || rec.name !== env.name) {
      findings.push({
        op: 'update',
        env,
        recorded: rec,
        detail: `live ${env.name} (${tag ?? 'no tag'}) differs from the record ${rec.name} (${rec.config_hash})`,
      });
    }
  }
  for (const rec of recorded) {
    if (!rec.archived && !liveIds.has(rec.env_id)) {
      findings.push({
        op: 'drift',
        env: null,
        recorded: rec,
        detail: `recorded ${rec.env_id} (${rec.name}) no longer exists`,
      });
    }
  }
  return findings;
}

/** The changelog fields for a finding. */
export function findingFields(f: Finding) {
  const env = f.env;
  return {
    op: f.op,
    name: env?.name ?? f.recorded?.name ?? null,
    env_id: env?.id ?? f.recorded?.env_id ?? null,
    config_hash: env ? liveHash(env) : (f.recorded?.config_hash ?? null),
    config: env ? normalizeConfig(env.config) : null,
    description: env?.description ?? null,
    metadata: env ? userMetadata(env.metadata) : null,
    detail: f.detail,
  };
}
