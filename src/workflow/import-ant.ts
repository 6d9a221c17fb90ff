// `envsync import --from-ant`: take over, in place, the environments ant apply's claude-lock.json tracks —
// origin checked first, each ID looked up, adopt actions planned by the planner and applied by apply's own
// safety sequence (lock, run file, verified writes) — and, with --hand-over, remove them from the lock.

import { statSync } from 'node:fs';
import path from 'node:path';
import pLimit from 'p-limit';
import { pathReferences } from '../ant/deployments.js';
import { followUp } from '../ant/follow-up.js';
import { handOver } from '../ant/hand-over.js';
import { ANT_LOCK_NAME, type AntLock, findAntLock, readAntLock, searchBoundary } from '../ant/lock.js';
import { fileState, listedById, lookUp } from '../ant/look-up.js';
import { checkOrigin } from '../ant/origin.js';
import { type Candidate, verdictOf } from '../ant/verdicts.js';
import type { ApplyResult } from '../apply/execute.js';
import { changelogLocation } from '../changelog/store.js';
import { BlockedError, EnvsyncError, StalePlanError } from '../errors.js';
import type { AntImportReport, AntResourceOutcome, DesiredEnvironment, Plan } from '../model.js';
import { matchEnvironments, planMatched } from '../plan/planner.js';
import { applyChanges } from './apply.js';
import { liveView } from './live.js';
import type { DesiredState } from './plan.js';
import { compareWithLive, readState } from './recorded.js';
import type { RunSetup } from './run-setup.js';

/** Lookups in flight at once. */
const LOOKUPS = 8;

/**
 * The lock to import from, read and checked before anything talks to the API: the path given (a file, or a
 * folder holding claude-lock.json), or the nearest claude-lock.json from `cwd` up to the repository root.
 */
export function readImportLock(given: string | undefined, cwd: string, projectRoot: string): AntLock {
  let abs: string | null;
  if (given === undefined) abs = findAntLock(cwd, searchBoundary(projectRoot));
  else {
    abs = path.resolve(cwd, given);
    try {
      if (statSync(abs).isDirectory()) abs = path.join(abs, ANT_LOCK_NAME);
    } catch {
      // Said below.
    }
  }
  if (abs === null || !statSync(abs, { throwIfNoEntry: false })?.isFile()) {
    throw new EnvsyncError(
      'no_ant_lock',
      given === undefined
        ? `no ${ANT_LOCK_NAME} in ${cwd} or any folder above it up to the repository root`
        : `${given}: no such file`,
      { hint: 'pass the lock ant apply wrote: `envsync import --from-ant path/to/claude-lock.json`' },
    );
  }
  return readAntLock(abs, path.relative(projectRoot, abs) || ANT_LOCK_NAME);
}

export interface AntImportOptions extends RunSetup {
  desired: DesiredState;
  lock: AntLock;
  /** The workspace's name in the project file, and its workspace_id; null for the key's own. */
  workspace: string | null;
  workspaceId: string | null;
  root: string;
  /** The folders envsync reads (absolute). */
  dirs: readonly string[];
  parallelism: number;
  planId: string;
  /** Adopt (`--apply`), or only say what would be adopted. */
  apply: boolean;
  /** Remove what was adopted from the lock (`--hand-over`). */
  handOver: boolean;
  /** This import as a user types it again (`envsync import --from-ant claude-lock.json`), for the follow-up. */
  command: string;
}

export interface AntImportOutcome {
  report: AntImportReport;
  /** The apply's result, when adoptions were applied. */
  result: ApplyResult | null;
}

/** The plan of adoptions: the planner's, for exactly these files, with --adopt for them alone. */
function planAdoptions(
  o: AntImportOptions,
  candidates: readonly Candidate[],
  live: Awaited<ReturnType<typeof liveView>>,
  recorded: Parameters<typeof matchEnvironments>[2],
): Plan {
  const keys = new Set(candidates.map((c) => c.resource.key));
  const matching = matchEnvironments(o.desired.environments, live, recorded, o.project);
  return planMatched(matching, [], {
    project: o.project,
    workspace: o.workspace,
    adopt: true,
    maxArchive: 0,
    allowReferenced: false,
    findings: [],
    references: null,
    // What this lock tracks for these files is what is being taken over; every other claim still holds.
    antTracked: o.desired.antTracked.filter((t) => !(t.lock === o.lock.shown && keys.has(t.key))),
    targets: candidates.map((c) => c.desired.name),
    planId: o.planId,
    createdAt: o.now().toISOString(),
    target: o.api.target,
  });
}

/** `envsync import --from-ant`: the origin, then every entry's verdict, then (with --apply) the adoptions and the hand-over. */
export async function importFromAnt(o: AntImportOptions): Promise<AntImportOutcome> {
  const apiOrigin = await o.api.origin();
  checkOrigin(o.lock, apiOrigin, o.workspaceId);

  const state = readState(changelogLocation(o.changelogPath), o.reporter);
  const live = await liveView(o.api, state.recorded);
  const known = compareWithLive(state, o.project, live, 'own', o.now().toISOString());
  const recordedIds = new Set(known.recorded.filter((r) => !r.archived).map((r) => r.env_id));
  const owner = { project: o.project, recorded: (id: string) => recordedIds.has(id) };

  const limit = pLimit(LOOKUPS);
  const listed = listedById(live);
  const lookups = await Promise.all(
    o.lock.resources.map((r) => (r.kind === 'environment' ? limit(() => lookUp(o.api, listed, r.id)) : null)),
  );
  const byFile = new Map<string, DesiredEnvironment[]>();
  for (const d of o.desired.environments)
    byFile.set(d.source.file, [...(byFile.get(d.source.file) ?? []), d]);
  const shownDirs = o.dirs.map((d) => path.relative(o.root, d) || '.').join(', ');

  const outcomes: AntResourceOutcome[] = [];
  let candidates: Candidate[] = [];
  o.lock.resources.forEach((r, i) => {
    const file = path.relative(o.root, r.abs);
    const { outcome, candidate } = verdictOf({
      resource: r,
      lock: o.lock.shown,
      file,
      state: fileState(r.abs, file, byFile, o.dirs),
      retrieved: lookups[i] ?? null,
      owner,
      dirs: shownDirs,
    });
    outcomes.push(outcome);
    if (candidate) candidates.push(candidate);
  });

  // What the planner would not plan as an in-place adoption of exactly the lock's ID is refused, with its reason.
  let plan = candidates.length === 0 ? null : planAdoptions(o, candidates, live, known.recorded);
  if (plan !== null) {
    const planned = plan;
    const refusedKeys = new Set<string>();
    for (const c of candidates) {
      const action = planned.actions.find((a) => a.name === c.desired.name);
      if (action?.kind === 'adopt' && action.env_id === c.resource.id) continue;
      const block = planned.blocked.find((b) => b.name === c.desired.name);
      refusedKeys.add(c.resource.key);
      const outcome = outcomes.find((x) => x.key === c.resource.key);
      if (outcome === undefined) continue;
      Object.assign(outcome, {
        verdict: 'refused',
        reason: 'not_planned',
        message: block
          ? block.message
          : `the plan would ${action?.kind ?? 'not touch'} ${c.desired.name}, not adopt ${c.resource.id} in place`,
        hint: block ? block.hint : 'run `envsync plan` to see what stands in the way, then import again',
      } satisfies Partial<AntResourceOutcome>);
    }
    candidates = candidates.filter((c) => !refusedKeys.has(c.resource.key));
    plan =
      candidates.length === 0
        ? null
        : refusedKeys.size === 0
          ? planned
          : planAdoptions(o, candidates, live, known.recorded);
  }

  let result: ApplyResult | null = null;
  let adoptedKeys = new Set<string>();
  if (o.apply && plan !== null) {
    const details = Object.fromEntries(
      candidates.map((c) => [
        c.resource.id,
        `adopted from ant apply: ${o.lock.shown} tracked it as ${c.resource.key} (${c.resource.id})`,
      ]),
    );
    const outcome = await applyChanges(
      { kind: 'saved', plan, project: o.project, workspace: o.workspace },
      {
        api: o.api,
        changelogPath: o.changelogPath,
        reporter: o.reporter,
        identity: o.identity,
        now: o.now,
        project: o.project,
        parallelism: o.parallelism,
        lockTimeoutMs: o.lockTimeoutMs,
        host: { planned: () => {}, confirm: 'auto' },
        adoptDetails: details,
      },
    );
    if (outcome.status === 'blocked') throw new BlockedError(outcome.plan.blocked);
    if (outcome.status === 'stale') throw new StalePlanError(outcome.reasons);
    if (outcome.status === 'applied') {
      result = outcome.result;
      const done = result;
      const notDone = new Set([
        ...done.failed.map((f) => f.name),
        ...done.notStartedNames,
        ...done.unrecorded.map((u) => u.name),
      ]);
      const uncertain = new Set(done.uncertain);
      adoptedKeys = new Set(
        candidates
          .filter((c) => !notDone.has(c.desired.name) && !uncertain.has(c.resource.id))
          .map((c) => c.resource.key),
      );
      for (const x of outcomes) if (adoptedKeys.has(x.key)) x.verdict = 'adopted';
    }
  }

  // What is (or, before --apply, would be) this project's and so leaves the lock.
  const takenKeys = new Set(
    outcomes
      .filter(
        (x) => x.verdict === 'already' || x.verdict === 'adopted' || (!o.apply && x.verdict === 'adopt'),
      )
      .map((x) => x.key),
  );
  let handedOver: string[] | null = null;
  if (o.handOver) {
    handedOver = o.lock.resources.filter((r) => takenKeys.has(r.key)).map((r) => r.key);
    if (o.apply && handedOver.length > 0) await handOver(o.lock, new Set(handedOver));
  }
  const handed = new Map(o.lock.resources.filter((r) => takenKeys.has(r.key)).map((r) => [r.abs, r.id]));
  const references = pathReferences(o.lock, handed, o.root);

  return {
    report: {
      format_version: 1,
      lock: o.lock.shown,
      origin: { lock: o.lock.origin, api: apiOrigin, target: o.api.target },
      applied: o.apply,
      resources: outcomes,
      plan,
      failures: (result?.failed ?? []).map((f) => ({ name: f.name, code: f.code, message: f.message })),
      handed_over: handedOver,
      path_references: references,
      follow_up: followUp(
        { command: o.command, lock: o.lock.shown, apply: o.apply, handOver: o.handOver },
        outcomes,
        takenKeys,
        handedOver,
        references.length,
      ),
    },
    result,
  };
}
