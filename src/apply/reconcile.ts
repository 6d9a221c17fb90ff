// Compares what the changelog says with the live environments (their ownership tags) and records the difference.

import { isMine, liveHash, type Owner, taggedHash, userMetadata } from '../domain/ownership.js';
import { recordedById } from '../domain/records.js';
import { normalizeConfig, shortHash } from '../hash/config-hash.js';
import type { ChangelogOp, LiveEnvironment, LiveView, RecordedEnvironment } from '../model.js';

/** One thing the changelog does not know yet, as the entry that records it. */
export interface Finding {
  op: Extract<ChangelogOp, 'create' | 'update' | 'archive' | 'drift'>;
  env: LiveEnvironment | null;
  recorded: RecordedEnvironment | null;
  detail: string;
}

/** The changelog fields that describe a live environment as it is: name, config, description, user metadata. */
export function liveRecordFields(env: LiveEnvironment) {
  return {
    name: env.name,
    env_id: env.id,
    config_hash: liveHash(env),
    config: normalizeConfig(env.config),
    description: env.description,
    metadata: userMetadata(env.metadata),
  };
}

/** Metadata as the API keeps it: a key set to "" is a deleted key. */
function sameMetadata(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = (m: Record<string, string>) => Object.keys(m).filter((k) => m[k] !== '');
  const ka = keys(a);
  return ka.length === keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** What differs between a live environment and its record, in words; [] when nothing does. */
function differences(env: LiveEnvironment, rec: RecordedEnvironment): string[] {
  const out: string[] = [];
  if (rec.name !== env.name) out.push(`name ${rec.name} → ${env.name}`);
  if (rec.config_hash !== liveHash(env))
    out.push(`config ${shortHash(rec.config_hash)} → ${shortHash(liveHash(env))}`);
  if (rec.description !== env.description) out.push('description');
  if (rec.metadata !== null && !sameMetadata(rec.metadata, userMetadata(env.metadata))) out.push('metadata');
  return out;
}

/**
 * Every difference between the changelog's current records and the live environments (archived ones
 * included): managed environments it does not know, or knows with another name, config, description or
 * metadata, and recorded environments that were archived or are gone. A live config that differs from its
 * own tag is drift the planner reports and apply records before fixing it, so it is left out here.
 * `interrupted`: the differences are most likely what an interrupted apply did (recorded as `update`);
 * otherwise nobody knows who made them (recorded as `drift`).
 */
export function findUnrecorded(
  project: string,
  recorded: readonly RecordedEnvironment[],
  live: Pick<LiveView, 'envs' | 'gone'>,
  interrupted = false,
): Finding[] {
  const byId = recordedById(recorded);
  // Only this project's: another project's environments never enter this changelog.
  const owner: Owner = { project, recorded: (id) => byId.has(id) };
  // Gone only when a lookup by ID said so: a list that left an environment out proves nothing.
  const gone = new Set(live.gone);
  const findings: Finding[] = [];
  for (const env of live.envs) {
    if (!isMine(env, owner)) continue;
    const rec = byId.get(env.id) ?? null;
    const matchesTag = taggedHash(env) === liveHash(env);
    if (env.archived_at) {
      if (rec && !rec.archived)
        findings.push({ op: 'archive', env, recorded: rec, detail: `archived at ${env.archived_at}` });
      continue;
    }
    if (!rec) {
      if (matchesTag)
        findings.push({
          op: 'create',
          env,
          recorded: null,
          detail: 'a managed environment the changelog did not know',
        });
      continue;
    }
    if (rec.archived || !matchesTag) continue;
    const diff = differences(env, rec);
    if (diff.length > 0) {
      findings.push({
        op: interrupted ? 'update' : 'drift',
        env,
        recorded: rec,
        detail: `live differs from the record: ${diff.join(', ')}`,
      });
    }
  }
  for (const rec of recorded) {
    if (!rec.archived && gone.has(rec.env_id)) {
      findings.push({
        op: 'drift',
        env: null,
        recorded: rec,
        detail: `recorded ${rec.env_id} (${rec.name}) no longer exists (looked up by ID: 404)`,
      });
    }
  }
  return findings;
}

/**
 * The changelog fields for a finding. Its `at` is when the change happened as far as the API says
 * (archived_at, else updated_at), not when it was found: history must date a console edit when it was made.
 * An environment found gone says nothing of when, so it has no `at` of its own.
 */
export function findingFields(f: Finding) {
  if (f.env) {
    return {
      op: f.op,
      at: f.env.archived_at ?? f.env.updated_at,
      ...liveRecordFields(f.env),
      detail: f.detail,
    };
  }
  return {
    op: f.op,
    name: f.recorded?.name ?? null,
    env_id: f.recorded?.env_id ?? '',
    config_hash: f.recorded?.config_hash ?? null,
    config: null,
    detail: f.detail,
  };
}
