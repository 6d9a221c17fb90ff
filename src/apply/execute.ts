// Runs a plan: creates and updates, then recreates, then archives, in parallel within each phase.

import pLimit from 'p-limit';
import { nameKey, parkedName } from '../domain/naming.js';
import { userMetadata } from '../domain/ownership.js';
import { EnvsyncError } from '../errors.js';
import { normalizeConfig } from '../hash/config-hash.js';
import type {
  ActionKind,
  ArchiveAction,
  LiveEnvironment,
  LiveFingerprint,
  Plan,
  PlanAction,
  RecreateAction,
  UpdateAction,
} from '../model.js';
import { type Done, isUncertain, park, runArchive, runCreate, runRecreate, runUpdate } from './actions.js';
import { type ApplyDeps, record, UnrecordedError } from './context.js';

export interface ApplyFailure {
  name: string;
  kind: ActionKind;
  /** The error's code (`api_error`, `api_untrusted`, `name_taken`, …). */
  code: string;
  message: string;
  hint: string | undefined;
}

export interface ApplyResult {
  plan_id: string;
  created: number;
  updated: number;
  recreated: number;
  archived: number;
  adopted: number;
  /** Actions another apply (from the same files) had already done: recorded as found, nothing sent. */
  already: Array<{ name: string; env_id: string }>;
  failed: ApplyFailure[];
  /** Changes that happened but the changelog could not take (the next apply records them). */
  unrecorded: Array<{ name: string; env_id: string }>;
  /** Env IDs (or, for a create, names) whose write may or may not have landed. */
  uncertain: string[];
  /** Actions never started: the changelog stopped taking entries, or the run was interrupted. */
  notStarted: number;
  /** Their names, so an operator knows what the next plan will still show. */
  notStartedNames: string[];
  /** The run was interrupted (Ctrl-C): in-flight actions finished and were recorded, no new one started. */
  interrupted: boolean;
  /** Why the run stopped writing to the API: the changelog's first failure, or an answer it could not believe. */
  stopped: { code: string; message: string; hint: string | undefined } | null;
}

const isRename = (a: PlanAction): a is UpdateAction => a.kind === 'update' && a.renamed_from !== null;

/** After the renames (which free names a create may take): creates and updates, recreates, archives. */
const PHASES: ReadonlyArray<(a: PlanAction) => boolean> = [
  (a) => (a.kind === 'create' || a.kind === 'update' || a.kind === 'adopt') && !isRename(a),
  (a) => a.kind === 'recreate',
  (a) => a.kind === 'archive',
];

/**
 * Renames, one at a time, in an order that never asks for a name still in use: a rename goes once no
 * other pending rename holds its target (a chain a → b, b → c does b → c first); a cycle (a swap) parks
 * one member under a temporary name to break it. An environment this plan archives or replaces that holds
 * a rename's target is parked first, under the name its own action gives it anyway. Names are compared as
 * the API may compare them (case, Unicode form, invisible characters). Every park is recorded; the planner
 * takes a parked environment back by its recorded ID if a run stops halfway.
 */
async function runRenames(
  deps: ApplyDeps,
  renames: UpdateAction[],
  retiring: Array<RecreateAction | ArchiveAction>,
  seen: Map<string, LiveFingerprint>,
  run: (action: PlanAction) => Promise<boolean>,
  stopped: () => boolean,
): Promise<void> {
  const pending = [...renames];
  const targets = new Set(pending.map((a) => nameKey(a.name)));
  for (const r of retiring) {
    const fp = seen.get(r.env_id);
    if (stopped() || fp === undefined || !targets.has(nameKey(fp.name))) continue;
    const to = r.kind === 'recreate' ? r.superseded_name : r.archived_name;
    const then = r.kind === 'recreate' ? 'its recreate follows' : 'its archive follows';
    seen.set(r.env_id, await park(deps, r.env_id, fp, to, `to free it for a rename; ${then}`));
  }
  while (pending.length > 0) {
    if (stopped()) {
      for (const a of pending) await run(a); // Counted as not started.
      return;
    }
    const held = new Map<string, number>();
    for (const a of pending) {
      const key = nameKey(a.renamed_from ?? '');
      held.set(key, (held.get(key) ?? 0) + 1);
    }
    // Free when no other pending rename still holds the target (its own old name may fold to it).
    const ready = pending.findIndex(
      (a) =>
        (held.get(nameKey(a.name)) ?? 0) - (nameKey(a.renamed_from ?? '') === nameKey(a.name) ? 1 : 0) === 0,
    );
    if (ready >= 0) {
      const [action] = pending.splice(ready, 1);
      if (action) await run(action);
      continue;
    }
    // Every pending target is held by another pending rename: a cycle. Park its first member.
    const first = pending[0] as UpdateAction;
    const fp = await park(
      deps,
      first.env_id,
      seen.get(first.env_id),
      parkedName(first.name, first.env_id),
      'to break a cycle of renames',
    );
    seen.set(first.env_id, fp);
    pending[0] = { ...first, renamed_from: fp.name };
  }
}

function runAction(deps: ApplyDeps, action: PlanAction, seen: Map<string, LiveFingerprint>): Promise<Done> {
  switch (action.kind) {
    case 'create':
      return runCreate(deps, action);
    case 'update':
    case 'adopt':
      return runUpdate(deps, action, seen.get(action.env_id));
    case 'recreate':
      return runRecreate(deps, action, seen.get(action.env_id));
    case 'archive':
      return runArchive(deps, action, seen.get(action.env_id));
    case 'noop':
      return Promise.resolve({ env_id: action.env_id, already: false });
  }
}

/** Records drift the plan found before anything fixes it, so history shows what was really there. */
function recordDrift(deps: ApplyDeps, plan: Plan, live: ReadonlyMap<string, LiveEnvironment>): void {
  for (const action of plan.actions) {
    const drift = action.drift;
    // Fields changed outside envsync were recorded with the other findings, dated by live's updated_at.
    if (!drift?.env_id || action.kind === 'noop' || drift.kind === 'changed_outside') continue;
    if (drift.kind === 'missing') {
      record(deps, {
        op: 'drift',
        name: action.name,
        env_id: drift.env_id,
        config_hash: drift.observed_hash,
        detail: drift.detail,
      });
    } else {
      // Dated when the change happened (live's updated_at), as findings are; when and by whom it was found
      // goes in the detail, so `resolve NAME --at` answers the drifted config for the window it was live.
      const env = live.get(drift.env_id);
      record(deps, {
        op: 'drift',
        ...(env ? { at: env.updated_at } : {}),
        name: env?.name ?? action.name,
        env_id: drift.env_id,
        config_hash: drift.observed_hash,
        config: env ? normalizeConfig(env.config) : null,
        description: env?.description ?? null,
        metadata: env ? userMetadata(env.metadata) : null,
        detail: `${drift.detail} (found ${deps.now().toISOString()} by ${deps.identity.actor})`,
      });
    }
  }
  for (const finding of plan.drift) {
    if (!finding.env_id) continue;
    record(deps, {
      op: 'drift',
      name: finding.name,
      env_id: finding.env_id,
      config_hash: finding.observed_hash,
      detail: finding.detail,
    });
  }
}

/** Which entry a failed action leaves uncertain: what the next run may find and must not call another apply's. */
function uncertainKeys(action: PlanAction): string[] {
  if (action.kind === 'create') return [action.name];
  if (action.kind === 'recreate') return [action.name, action.env_id];
  return action.kind === 'noop' ? [] : [action.env_id];
}

/**
 * Applies the plan's actions (the caller has written `begin` and what it found). One failed action does
 * not stop the others, but a changelog that stops taking entries stops every further API write: actions
 * in flight finish and are counted, the rest never start. `end` closes the run with the counts.
 */
export async function applyPlan(
  deps: ApplyDeps,
  plan: Plan,
  live: readonly LiveEnvironment[],
  parallelism: number,
  /** Aborted by the first Ctrl-C: start nothing new, let what runs finish and be recorded. */
  interrupt?: AbortSignal,
): Promise<ApplyResult> {
  const result: ApplyResult = {
    plan_id: plan.plan_id,
    created: 0,
    updated: 0,
    recreated: 0,
    archived: 0,
    adopted: 0,
    already: [],
    failed: [],
    unrecorded: [],
    uncertain: [],
    notStarted: 0,
    notStartedNames: [],
    interrupted: false,
    stopped: null,
  };
  const seen = new Map(plan.live.map((l) => [l.id, l]));
  const limit = pLimit(Math.max(1, parallelism));
  recordDrift(deps, plan, new Map(live.map((e) => [e.id, e])));

  const stopped = () =>
    Boolean(deps.writer.failure) || deps.halt.reason !== undefined || interrupt?.aborted === true;
  /**
   * Runs one action and counts what happened; false when it was not started (interrupted, the changelog
   * stopped, or an answer could not be believed).
   */
  const runOne = async (action: PlanAction): Promise<boolean> => {
    if (stopped()) {
      result.notStarted++;
      result.notStartedNames.push(action.name);
      result.interrupted ||= interrupt?.aborted === true;
      return false;
    }
    const started = deps.now().getTime();
    deps.reporter.event({ type: 'action_start', kind: action.kind, name: action.name });
    try {
      const done = await runAction(deps, action, seen);
      if (done.already) result.already.push({ name: action.name, env_id: done.env_id });
      else count(result, action.kind);
      deps.reporter.event({
        type: 'action_done',
        kind: done.already ? 'noop' : action.kind,
        name: action.name,
        env_id: done.env_id,
        ms: deps.now().getTime() - started,
      });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const hint = e instanceof EnvsyncError ? e.hint : undefined;
      if (e instanceof UnrecordedError) {
        // It happened: count it, and say the changelog does not have it yet.
        count(result, action.kind);
        result.unrecorded.push({ name: action.name, env_id: e.env_id });
      } else {
        const code = e instanceof EnvsyncError ? e.code : 'internal';
        result.failed.push({ name: action.name, kind: action.kind, code, message, hint });
        if (isUncertain(e)) result.uncertain.push(...uncertainKeys(action));
      }
      deps.reporter.event({ type: 'action_failed', kind: action.kind, name: action.name, message });
    }
    return true;
  };

  try {
    const retiring = plan.actions.filter(
      (a): a is RecreateAction | ArchiveAction => a.kind === 'recreate' || a.kind === 'archive',
    );
    await runRenames(deps, plan.actions.filter(isRename), retiring, seen, runOne, stopped);
  } catch (e) {
    // A park that failed: report it as the failure of the renames still waiting; the next plan resumes.
    const message = e instanceof Error ? e.message : String(e);
    const code = e instanceof EnvsyncError ? e.code : 'internal';
    result.failed.push({ name: 'renames', kind: 'update', code, message, hint: 'run `envsync plan` again' });
  }
  for (const phase of PHASES) {
    const actions = plan.actions.filter(phase);
    await Promise.all(actions.map((action) => limit(() => runOne(action))));
  }
  const stop = deps.writer.failure;
  if (!stop) {
    try {
      record(deps, {
        op: 'end',
        detail: JSON.stringify({
          created: result.created,
          updated: result.updated,
          recreated: result.recreated,
          archived: result.archived,
          adopted: result.adopted,
          already: result.already.length,
          failed: result.failed.length,
          uncertain: [...new Set(result.uncertain)].sort(),
        }),
      });
    } catch {
      // deps.writer.failure now says why; reported below like any other changelog failure.
    }
  }
  const failure = deps.writer.failure ?? deps.halt.reason;
  if (failure) result.stopped = { code: failure.code, message: failure.message, hint: failure.hint };
  return result;
}

function count(result: ApplyResult, kind: ActionKind): void {
  if (kind === 'create') result.created++;
  else if (kind === 'update') result.updated++;
  else if (kind === 'recreate') result.recreated++;
  else if (kind === 'archive') result.archived++;
  else if (kind === 'adopt') result.adopted++;
}
