// The library behind `plan` and `apply`: gather desired, live and recorded state, plan, and the apply sequence.

import type { RunIdentity } from '../apply/context.js';
import type { ApplyResult } from '../apply/execute.js';
import { changelogLocation } from '../changelog/store.js';
import { hasErrors, loadDesired } from '../config/load.js';
import { ValidationError } from '../errors.js';
import type {
  DesiredEnvironment,
  Diagnostic,
  EnvironmentsApi,
  FileFingerprint,
  LiveEnvironment,
  Plan,
  Policy,
  RecordedEnvironment,
  ReferenceIndex,
  Reporter,
} from '../model.js';
import { planChanges, planHasChanges } from '../plan/planner.js';
import { behindMessage, compareWithLive, markDrift, readState } from './recorded.js';
import { listReferences, newReferences, retiringIds } from './references.js';
import { ApplySession, listLive } from './run.js';
import { staleReasons } from './stale.js';
import { checkTargets } from './targets.js';

export interface DesiredState {
  environments: DesiredEnvironment[];
  diagnostics: Diagnostic[];
  files: FileFingerprint[];
}

export interface PlanSettings {
  project: string;
  workspace: string | null;
  adopt: boolean;
  maxArchive: number;
  allowReferenced: boolean;
  targets: string[];
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
  return result;
}

export { listLive };

/**
 * Plans; when the plan would archive or recreate something, lists what references those IDs (deployments,
 * recent sessions) and plans again with them, so a plan without such actions still costs one list.
 */
export async function makePlan(
  api: EnvironmentsApi,
  desired: DesiredState,
  live: readonly LiveEnvironment[],
  recorded: readonly RecordedEnvironment[],
  settings: PlanSettings,
): Promise<Plan> {
  const first = planOnce(desired, live, recorded, api.target, settings, null);
  const ids = retiringIds(first);
  if (ids.length === 0) return first;
  const references = await listReferences(api, ids, settings.now);
  return planOnce(desired, live, recorded, api.target, settings, references);
}

function planOnce(
  desired: DesiredState,
  live: readonly LiveEnvironment[],
  recorded: readonly RecordedEnvironment[],
  target: string,
  settings: PlanSettings,
  references: ReferenceIndex | null,
): Plan {
  const plan = planChanges(desired.environments, live, recorded, {
    project: settings.project,
    workspace: settings.workspace,
    adopt: settings.adopt,
    maxArchive: settings.maxArchive,
    allowReferenced: settings.allowReferenced,
    references,
    targets: settings.targets,
    planId: settings.planId,
    createdAt: settings.now.toISOString(),
    target,
  });
  return { ...plan, files: desired.files };
}

export interface PlanOnlyOptions {
  api: EnvironmentsApi;
  changelogPath: string;
  reporter: Reporter;
  settings: PlanSettings;
}

/** `envsync plan`: one paginated list, no writes anywhere (but the cache of the folded history). */
export async function planOnly(
  desired: DesiredState,
  o: PlanOnlyOptions,
): Promise<{ plan: Plan; live: LiveEnvironment[] }> {
  const state = readState(changelogLocation(o.changelogPath), o.reporter);
  const live = await listLive(o.api);
  const known = compareWithLive(state, o.settings.project, live, 'own');
  if (known.behind.length > 0) o.reporter.event({ type: 'warning', message: behindMessage(known.behind) });
  if (known.interrupted) {
    o.reporter.event({
      type: 'warning',
      message: `an earlier apply was interrupted (plan ${state.open.join(', ')}); the next apply records what it left behind`,
    });
  }
  checkTargets(o.settings.targets, desired.environments, live);
  const plan = markDrift(await makePlan(o.api, desired, live, known.recorded, o.settings), known.findings);
  return { plan, live: live.filter((e) => !e.archived_at) };
}

/** What an apply run is: a plan made now from the files, or a plan saved earlier. */
export type ApplySource =
  | { kind: 'files'; desired: DesiredState; settings: PlanSettings }
  | { kind: 'saved'; plan: Plan; project: string; workspace: string | null };

/** The questions apply asks its caller, as the AWS CDK toolkit's IoHost requests do. */
export interface ApplyHost {
  /** The plan, before anything is decided: the CLI prints it. */
  planned(plan: Plan): void;
  /**
   * Only for a plan made now (a saved plan was reviewed when saved), with changes, not blocked: true
   * applies. 'auto' is `--auto-approve`.
   */
  confirm: 'auto' | ((plan: Plan) => Promise<boolean>);
}

export interface ApplyOptions {
  api: EnvironmentsApi;
  changelogPath: string;
  reporter: Reporter;
  identity: Omit<RunIdentity, 'plan_id'>;
  now: () => Date;
  project: string;
  parallelism: number;
  /** `--lock-timeout`: how long to wait for another apply's changelog lock (0: refuse at once). */
  lockTimeoutMs: number;
  /** The first Ctrl-C: no new action starts; what runs finishes and is recorded, the run is closed. */
  interrupt?: AbortSignal;
  host: ApplyHost;
}

export type ApplyOutcome =
  | { status: 'blocked'; plan: Plan }
  | { status: 'unchanged'; plan: Plan }
  | { status: 'cancelled'; plan: Plan }
  | { status: 'stale'; plan: Plan; reasons: string[] }
  | { status: 'applied'; plan: Plan; result: ApplyResult };

/**
 * `envsync apply`: the whole safety sequence in one call no caller can skip a step of — lock, record
 * what the changelog did not know, plan (or check a saved plan), refuse a blocked plan, confirm, list
 * again and refuse a stale plan, then apply.
 */
export async function applyChanges(source: ApplySource, o: ApplyOptions): Promise<ApplyOutcome> {
  const session = await ApplySession.open(o);
  try {
    const outcome = await decide(session, source, o);
    // What was found is recorded even when nothing is applied; a stale plan means nothing is done at all.
    if (outcome.status !== 'applied' && outcome.status !== 'stale')
      session.recordFindings(outcome.plan.plan_id);
    return outcome;
  } finally {
    session.close();
  }
}

async function decide(session: ApplySession, source: ApplySource, o: ApplyOptions): Promise<ApplyOutcome> {
  let plan: Plan;
  if (source.kind === 'saved') {
    plan = source.plan;
    const reasons = [
      ...scopeReasons(plan, source.project, source.workspace),
      ...staleReasons(plan, session.live, o.api.target),
    ];
    reasons.push(...(await newReferences(o.api, plan, new Date())));
    if (reasons.length > 0) return { status: 'stale', plan, reasons };
  } else {
    checkTargets(source.settings.targets, source.desired.environments, session.live);
    plan = await session.plan((live, recorded) =>
      makePlan(o.api, source.desired, live, recorded, source.settings),
    );
  }
  o.host.planned(plan);
  if (plan.blocked.length > 0) return { status: 'blocked', plan };
  if (!planHasChanges(plan)) return { status: 'unchanged', plan };
  if (source.kind === 'files' && o.host.confirm !== 'auto') {
    if (!(await o.host.confirm(plan))) return { status: 'cancelled', plan };
    // The answer may come minutes later: what the plan relied on must still hold.
    const reasons = [
      ...staleReasons(plan, await listLive(o.api), o.api.target),
      ...(await newReferences(o.api, plan, new Date())),
    ];
    if (reasons.length > 0) return { status: 'stale', plan, reasons };
  }
  return { status: 'applied', plan, result: await session.apply(plan, o.parallelism, o.interrupt) };
}

/** A saved plan belongs to one project and workspace: applying it elsewhere is refused like a stale one. */
function scopeReasons(plan: Plan, project: string, workspace: string | null): string[] {
  const reasons: string[] = [];
  if (plan.project !== project) reasons.push(`the plan was made for project ${plan.project}, not ${project}`);
  if (plan.workspace !== workspace) {
    reasons.push(
      `the plan was made for workspace ${plan.workspace ?? '(none)'}, not ${workspace ?? '(none)'}`,
    );
  }
  return reasons;
}
