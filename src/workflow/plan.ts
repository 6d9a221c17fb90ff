// The library behind `plan`: gather desired, live and recorded state, list what the plan would retire references
// for, and plan once.

import { readFileSync } from 'node:fs';
import { antTrackedEnvironments } from '../ant/lock.js';
import { changelogLocation } from '../changelog/store.js';
import { hasErrors, loadDesired } from '../config/load.js';
import { EnvsyncError, ValidationError } from '../errors.js';
import type {
  AntTrackedEnvironment,
  EnvironmentsApi,
  LiveView,
  LoadResult,
  OutsideChange,
  PackageFinding,
  Plan,
  Policy,
  RecordedEnvironment,
  Reporter,
} from '../model.js';
import { parsePlanFile } from '../plan/plan-file.js';
import { matchEnvironments, planMatched, retiringIds } from '../plan/planner.js';
import { mainLiveView, refusePreviewNames } from './preview-live.js';
import { behindMessage, compareWithLive, readStateInSlices } from './recorded.js';
import { listReferences } from './references.js';
import { checkTargets } from './targets.js';

/** The files as loaded (validate's result, every declared document counted), and what ant apply still tracks. */
export type DesiredState = LoadResult & {
  /** What a claude-lock.json above the files still tracks: ant apply's, never updated behind its back. */
  antTracked: AntTrackedEnvironment[];
};

export interface PlanSettings {
  project: string;
  workspace: string | null;
  adopt: boolean;
  maxArchive: number;
  allowReferenced: boolean;
  targets: string[];
  /** Known vulnerabilities of the locked versions, judged by the policies (`packageGate`); empty: none asked. */
  findings: readonly PackageFinding[];
  planId: string;
  now: Date;
}

/** Loads the files; any error stops here, before any API call. */
export function loadDesiredOrThrow(
  dirs: string | readonly string[],
  cwd: string,
  policies: readonly Policy[],
): DesiredState {
  const result = loadDesired(dirs, { cwd, strict: false, policies });
  if (hasErrors(result.diagnostics)) throw new ValidationError(result.diagnostics);
  const files = result.environments.map((d) => d.source.file);
  return { ...result, antTracked: antTrackedEnvironments(cwd, files) };
}

/**
 * Plans once: the matching says which IDs the plan would archive or recreate, and only when there are such
 * IDs are their references (deployments, recent sessions) listed, so a plan without them still costs one list.
 */
export async function makePlan(
  api: EnvironmentsApi,
  desired: DesiredState,
  live: LiveView,
  recorded: readonly RecordedEnvironment[],
  outside: readonly OutsideChange[],
  settings: PlanSettings,
): Promise<Plan> {
  const matching = matchEnvironments(desired.environments, live, recorded, settings.project);
  const ids = retiringIds(matching);
  const references = ids.length === 0 ? null : await listReferences(api, ids, settings.now);
  const plan = planMatched(matching, outside, {
    project: settings.project,
    workspace: settings.workspace,
    adopt: settings.adopt,
    maxArchive: settings.maxArchive,
    allowReferenced: settings.allowReferenced,
    references,
    antTracked: desired.antTracked,
    targets: settings.targets,
    findings: settings.findings,
    planId: settings.planId,
    createdAt: settings.now.toISOString(),
    target: api.target,
  });
  return { ...plan, files: desired.files };
}

export interface PlanOnlyOptions {
  api: EnvironmentsApi;
  changelogPath: string;
  reporter: Reporter;
  settings: PlanSettings;
}

/** `envsync plan`: one checked list (plus lookups of recorded IDs it lacks), no writes anywhere (but the cache of the folded history). */
export async function planOnly(
  desired: DesiredState,
  o: PlanOnlyOptions,
): Promise<{ plan: Plan; live: LiveView }> {
  const reading = readStateInSlices(changelogLocation(o.changelogPath), o.reporter);
  const { view: live, previews } = await mainLiveView(
    o.api,
    reading.then((s) => s.recorded),
    o.settings.project,
  );
  const state = await reading;
  refusePreviewNames(desired.environments, previews);
  const known = compareWithLive(state, o.settings.project, live, 'own', o.settings.now.toISOString());
  if (known.behind.length > 0) o.reporter.event({ type: 'warning', message: behindMessage(known.behind) });
  if (known.interrupted) {
    o.reporter.event({
      type: 'warning',
      message: `an earlier apply was interrupted (plan ${state.open.join(', ')}); the next apply records what it left behind`,
    });
  }
  checkTargets(o.settings.targets, desired.environments, live.envs);
  const plan = await makePlan(o.api, desired, live, known.recorded, known.outside, o.settings);
  return { plan, live };
}

/** A plan saved by `plan --out`, read and checked (its schema, and each config against its hash); `shown` names it. */
export function readPlanFile(file: string, shown: string): Plan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new EnvsyncError('no_plan_file', `cannot read the plan file ${shown}`, {
      hint: 'make one with `envsync plan --out FILE`',
    });
  }
  return parsePlanFile(text, shown);
}
