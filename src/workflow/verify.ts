// `verify`'s checks: the changelog's own integrity, and the changelog against the live environments.

import { existsSync } from 'node:fs';
import { findUnrecorded } from '../apply/reconcile.js';
import { foldRecorded } from '../changelog/state.js';
import { type ChangelogFile, readChangelog } from '../changelog/store.js';
import { verifyChain } from '../changelog/verify.js';
import { isMine, liveHash, type Owner, taggedHash } from '../domain/ownership.js';
import { EnvsyncError } from '../errors.js';
import { configHash, shortHash } from '../hash/config-hash.js';
import type { EnvironmentsApi, LiveEnvironment } from '../model.js';
import { compareCodeUnits } from '../util/order.js';
import { listLive } from './session.js';

export interface AuditProblem {
  /** Where the problem is: a line of the changelog, or the live environments. */
  source: 'changelog' | 'live';
  /** The changelog line (1-based), or null. */
  line: number | null;
  env_id: string | null;
  message: string;
}

/**
 * The hash chain, seq, begin/end pairs and unreadable or torn lines (verifyChain), plus one check the
 * chain cannot make: each recorded config hashes to the config_hash recorded with it, which `show` relies on.
 */
export function auditChangelog(file: ChangelogFile): AuditProblem[] {
  const problems: AuditProblem[] = verifyChain(file.entries, file.badLines, file.lines).map((p) => ({
    source: 'changelog',
    line: p.line,
    env_id: null,
    message: p.message,
  }));
  file.entries.forEach((e, i) => {
    if (e.config === null || e.config_hash === null) return;
    const actual = configHash(e.config);
    if (actual !== e.config_hash) {
      problems.push({
        source: 'changelog',
        line: file.lines[i] ?? null,
        env_id: e.env_id,
        message: `entry seq ${e.seq} records config hash ${e.config_hash}, but its config hashes to ${actual}`,
      });
    }
  });
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

function live(env: LiveEnvironment, message: string): AuditProblem {
  return { source: 'live', line: null, env_id: env.id, message: `${env.id} (${env.name}): ${message}` };
}

/**
 * The changelog against the live list (archived environments included): every live managed environment
 * is recorded under its current name and config hash, and every environment the changelog holds current
 * still exists and is not archived. Unmanaged environments are none of the changelog's business.
 */
export function auditLive(
  file: ChangelogFile,
  liveEnvs: readonly LiveEnvironment[],
  project: string,
): AuditProblem[] {
  const recorded = foldRecorded(file.entries);
  const byId = new Map(recorded.map((r) => [r.env_id, r]));
  const owner: Owner = { project, recorded: (id) => byId.has(id) };
  const problems: AuditProblem[] = [];
  for (const f of findUnrecorded(project, recorded, liveEnvs)) {
    const env = f.env;
    if (f.op === 'create' && env) problems.push(live(env, 'managed environment missing from the changelog'));
    else if (f.op === 'archive' && env) problems.push(live(env, `${f.detail} (recorded as current)`));
    else if (env) problems.push(live(env, f.detail));
    else if (f.recorded) {
      const r = f.recorded;
      problems.push({
        source: 'live',
        line: null,
        env_id: r.env_id,
        message: `${r.env_id} (${r.name}): recorded as current (${shortHash(r.config_hash)}) but missing from the API`,
      });
    }
  }
  // findUnrecorded leaves live configs that differ from their own tag to the planner; verify reports them.
  for (const env of liveEnvs) {
    if (!isMine(env, owner) || env.archived_at) continue;
    const actual = liveHash(env);
    if (taggedHash(env) === actual) continue;
    const rec = byId.get(env.id);
    if (!rec)
      problems.push(live(env, 'managed environment missing from the changelog (its hash tag is stale too)'));
    else if (!rec.archived && rec.config_hash !== actual) {
      problems.push(
        live(
          env,
          `live config ${shortHash(actual)} differs from the recorded ${shortHash(rec.config_hash)} (changed outside envsync; the next apply records it as drift)`,
        ),
      );
    }
  }
  return problems.sort((a, b) => compareCodeUnits(a.message, b.message));
}

export interface VerifyReport {
  entries: number;
  problems: AuditProblem[];
  /** How many live managed environments were compared; null without the live check. */
  liveManaged: number | null;
}

/** `envsync verify [--live]`: reads the changelog, checks it, and with an API also checks it against live. */
export async function verifyChangelog(
  changelogPath: string,
  api: EnvironmentsApi | null,
  project: string,
): Promise<VerifyReport> {
  if (!existsSync(changelogPath)) {
    throw new EnvsyncError('no_changelog', `no changelog at ${changelogPath}`, {
      hint: 'pass --changelog PATH (with --local the changelog is .envsync/local/changelog.jsonl)',
    });
  }
  const file = readChangelog(changelogPath);
  const problems = auditChangelog(file);
  if (api === null) return { entries: file.entries.length, problems, liveManaged: null };
  const envs = await listLive(api);
  const known = new Set(foldRecorded(file.entries).map((r) => r.env_id));
  const owner: Owner = { project, recorded: (id) => known.has(id) };
  return {
    entries: file.entries.length,
    problems: [...problems, ...auditLive(file, envs, project)],
    liveManaged: envs.filter((e) => isMine(e, owner) && !e.archived_at).length,
  };
}
