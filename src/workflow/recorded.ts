// What the changelog knows, read for plan and apply: the folded state, what it has not recorded yet, and whether it is behind.

import { type Finding, findingFields, findUnrecorded } from '../apply/reconcile.js';
import { type BehindFinding, changelogBehind } from '../changelog/behind.js';
import { type ChangelogState, loadState, loadStateInSlices } from '../changelog/cache.js';
import { foldRecorded } from '../changelog/state.js';
import type { ChangelogLocation } from '../changelog/store.js';
import { EnvsyncError } from '../errors.js';
import type { LiveView, OutsideChange, RecordedEnvironment, Reporter } from '../model.js';

export interface Known {
  state: ChangelogState;
  /** What live shows that the changelog has not recorded (to record now, before planning). */
  findings: Finding[];
  /** Changes only another apply makes, that this changelog has not seen. */
  behind: BehindFinding[];
  /** The records with the findings folded in: what the planner compares against. */
  recorded: RecordedEnvironment[];
  interrupted: boolean;
  /** Changes outside envsync to recorded environments, for the planner to mark (plan only). */
  outside: OutsideChange[];
}

/** Says, once, that the history folded here does not verify: plans built on it may be wrong. */
function warnProblems(state: ChangelogState, reporter: Reporter): void {
  if (state.problemCount === 0) return;
  const first = state.problems[0];
  const where = first
    ? ` (first: ${first.file ?? 'history'}${first.line === null ? '' : `:${first.line}`}: ${first.message})`
    : '';
  reporter.event({
    type: 'warning',
    message: `the changelog does not verify: ${state.problemCount} problem(s)${where}; run envsync verify`,
  });
}

/** Reads the state (from the cache when the files are unchanged), before any API call. */
export function readState(location: ChangelogLocation, reporter: Reporter): ChangelogState {
  const state = loadState(location);
  warnProblems(state, reporter);
  return state;
}

/**
 * `readState` for plan: the run files are listed and checked now, before any API call (a changelog that
 * cannot be read stops here); a snapshot that still matches them is read in slices while the caller waits
 * on the API.
 */
export function readStateInSlices(location: ChangelogLocation, reporter: Reporter): Promise<ChangelogState> {
  return loadStateInSlices(location).then((state) => {
    warnProblems(state, reporter);
    return state;
  });
}

/**
 * The changelog against the live view: findings to record, and whether another apply got there first.
 * `fold: 'own'` (plan) folds in only what an interrupted or uncertain run of this changelog did, leaving
 * the rest for the planner to report as drift; `'all'` (apply) folds every finding, as it records them.
 * `now` dates what a finding cannot date itself (an environment found gone).
 */
export function compareWithLive(
  state: ChangelogState,
  project: string,
  live: LiveView,
  fold: 'own' | 'all',
  now: string,
): Known {
  const interrupted = state.open.length > 0;
  const behind = changelogBehind({
    project,
    recorded: state.recorded,
    known: state.known,
    live: live.envs,
    interrupted,
    uncertain: new Set(state.uncertain),
  });
  const behindIds = new Set(behind.map((b) => b.env_id));
  // An uncertain write of this changelog explains a change as its own, like an interrupted run does.
  const uncertain = new Set(state.uncertain);
  const findings = findUnrecorded(project, state.recorded, live, interrupted)
    .filter((f) => !behindIds.has(findingFields(f).env_id))
    .map((f) =>
      f.op === 'drift' && f.env && (uncertain.has(f.env.id) || uncertain.has(f.env.name))
        ? { ...f, op: 'update' as const }
        : f,
    );
  const folded = fold === 'all' ? findings : findings.filter((f) => f.op === 'create' || f.op === 'update');
  // Nothing to fold (the usual plan): the state's own records, and the index every step shares with them.
  const recorded =
    folded.length === 0
      ? state.recorded
      : foldRecorded(
          folded.map((f) => ({
            description: null,
            metadata: null,
            lifecycle: null,
            at: now,
            ...findingFields(f),
          })),
          state.recorded,
        );
  return {
    state,
    findings,
    behind,
    recorded,
    interrupted,
    outside: fold === 'all' ? [] : outsideChanges(findings),
  };
}

/**
 * What the changelog saw changed outside envsync on environments it records (a name, a description,
 * metadata): the planner marks the actions on them as drift. Apply records these findings before planning,
 * so its plan has none left to mark.
 */
function outsideChanges(findings: readonly Finding[]): OutsideChange[] {
  return findings.flatMap((f) =>
    f.op === 'drift' && f.env
      ? [
          {
            env_id: f.env.id,
            detail: `${f.detail} (changed ${f.env.updated_at}, not by envsync)`,
            observed_hash: findingFields(f).config_hash ?? '',
          },
        ]
      : [],
  );
}

export function behindMessage(behind: readonly BehindFinding[]): string {
  const shown = behind.slice(0, 5).map((b) => b.detail);
  const more = behind.length > 5 ? `, and ${behind.length - 5} more` : '';
  return `the changelog is behind the live environments: pull, then apply (another apply did what this changelog never recorded: ${shown.join('; ')}${more})`;
}

export function behindError(behind: readonly BehindFinding[]): EnvsyncError {
  return new EnvsyncError('changelog_behind', behindMessage(behind), {
    hint: 'git pull (the other apply committed its run file), then run apply again; nothing was changed',
  });
}
