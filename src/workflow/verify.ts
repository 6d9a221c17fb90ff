// `verify`'s checks: the changelog's own integrity, and the changelog against the live environments.

import { findUnrecorded } from '../apply/reconcile.js';
import { Changelog } from '../changelog/changelog.js';
import type { HistoryProblem } from '../changelog/history.js';
import { entriesOfRuns } from '../changelog/preview-runs.js';
import { foldRecorded } from '../changelog/state.js';
import { isMine, liveHash, type Owner, ownerLabel, ownershipOf, taggedHash } from '../domain/ownership.js';
import { recordedById } from '../domain/records.js';
import { EnvsyncError } from '../errors.js';
import { shortHash } from '../hash/config-hash.js';
import type { EnvironmentsApi, LiveEnvironment, LiveView, RecordedEnvironment } from '../model.js';
import { compareCodeUnits } from '../util/order.js';
import { mainLiveView } from './preview-live.js';

export interface AuditProblem {
  /** Where the problem is: a line of the changelog, or the live environments. */
  source: 'changelog' | 'live';
  /** The changelog file (a path), or null for the live environments and the history as a whole. */
  file: string | null;
  /** The changelog line (1-based), or null. */
  line: number | null;
  env_id: string | null;
  message: string;
}

/** Integrity problems as verify reports them, in file then line order. */
export function auditProblems(problems: readonly HistoryProblem[]): AuditProblem[] {
  return problems
    .map((p) => ({
      source: 'changelog' as const,
      file: p.file,
      line: p.line,
      env_id: null,
      message: p.message,
    }))
    .sort((a, b) =>
      (a.file ?? '') < (b.file ?? '')
        ? -1
        : (a.file ?? '') > (b.file ?? '')
          ? 1
          : (a.line ?? 0) - (b.line ?? 0),
    );
}

function live(env: LiveEnvironment, message: string): AuditProblem {
  return {
    source: 'live',
    file: null,
    line: null,
    env_id: env.id,
    message: `${env.id} (${env.name}): ${message}`,
  };
}

/**
 * The changelog against the live list (archived environments included): every live managed environment
 * is recorded under its current name and config hash, and every environment the changelog holds current
 * still exists and is not archived. Unmanaged environments are none of the changelog's business.
 */
export function auditLive(
  recorded: readonly RecordedEnvironment[],
  view: LiveView,
  project: string,
): AuditProblem[] {
  const liveEnvs = view.envs;
  const byId = recordedById(recorded);
  const owner: Owner = { project, recorded: (id) => byId.has(id) };
  const problems: AuditProblem[] = [];
  for (const f of findUnrecorded(project, recorded, view)) {
    const env = f.env;
    if (f.op === 'create' && env) problems.push(live(env, 'managed environment missing from the changelog'));
    else if (f.op === 'archive' && env) problems.push(live(env, `${f.detail} (recorded as current)`));
    else if (env) problems.push(live(env, f.detail));
    else if (f.recorded) {
      const r = f.recorded;
      problems.push({
        source: 'live',
        file: null,
        line: null,
        env_id: r.env_id,
        message: `${r.env_id} (${r.name}): recorded as current (${shortHash(r.config_hash)}) but missing from the API`,
      });
    }
  }
  // Identity is the recorded ID: a recorded environment whose tags were removed, or that another project
  // tagged since, is still this changelog's business.
  for (const env of liveEnvs) {
    const rec = byId.get(env.id);
    if (!rec || rec.archived || env.archived_at) continue;
    const ownership = ownershipOf(env, owner);
    if (ownership.kind === 'stripped')
      problems.push(
        live(env, 'the ownership tags were removed outside envsync (the next apply puts them back)'),
      );
    if (ownership.kind === 'foreign')
      problems.push(
        live(env, `recorded as this project's, but now tagged by ${ownerLabel(ownership.owner)}`),
      );
  }
  for (const item of view.unreadable) {
    const rec = item.id === null ? undefined : byId.get(item.id);
    if (!rec || rec.archived) continue;
    problems.push({
      source: 'live',
      file: null,
      line: null,
      env_id: rec.env_id,
      message: `${rec.env_id} (${rec.name}): envsync cannot read it (${item.field}: ${item.problem})`,
    });
  }
  // findUnrecorded leaves live configs that differ from their own tag to the planner; verify reports them.
  for (const env of liveEnvs) {
    if (!isMine(env, owner) || env.archived_at || ownershipOf(env, owner).kind === 'stripped') continue;
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
  /** Not problems: forks (applies that did not see each other), shown so nobody is surprised. */
  notes: string[];
  /** How many live managed environments were compared; null without the live check. */
  liveManaged: number | null;
}

/** `envsync verify [--live]`: reads the whole history, checks it, and with an API also checks it against live. */
export async function verifyChangelog(
  changelogPath: string,
  api: EnvironmentsApi | null,
  project: string,
): Promise<VerifyReport> {
  const changelog = Changelog.open(changelogPath);
  if (!changelog.exists()) {
    throw new EnvsyncError('no_changelog', `no changelog at ${changelog.location.dir}`, {
      hint: 'pass --changelog DIR (with --local the changelog is .envsync/local/changelog)',
    });
  }
  const history = changelog.history();
  const problems = auditProblems(history.problems);
  const report = { entries: history.entries.length, problems, notes: history.notes, liveManaged: null };
  if (api === null) return report;
  // The main history against the live environments: preview runs and preview copies are neither's business.
  const recorded = foldRecorded(entriesOfRuns(history.runs, 'main'));
  const { view } = await mainLiveView(api, recorded, project);
  const known = new Set(recorded.map((r) => r.env_id));
  const owner: Owner = { project, recorded: (id) => known.has(id) };
  return {
    ...report,
    problems: [...problems, ...auditLive(recorded, view, project)],
    liveManaged: view.envs.filter((e) => isMine(e, owner) && !e.archived_at).length,
  };
}
