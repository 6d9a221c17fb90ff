// The library behind `apply`: the whole safety sequence in one call no caller can skip a step of.

import type { ApplyResult } from '../apply/execute.js';

export type { ApplyResult };

import type { Plan } from '../model.js';
import { planHasChanges } from '../plan/planner.js';
import { type ApplyOptions, ApplySession } from './apply-session.js';

export type { ApplyHost, ApplyOptions } from './apply-session.js';

import { listLive } from './live.js';
import { type DesiredState, makePlan, type PlanSettings } from './plan.js';
import { refusePreviewNames } from './preview-live.js';
import { newReferences } from './references.js';
import { staleReasons } from './stale.js';
import { checkTargets } from './targets.js';

/** What an apply run is: a plan made now from the files, or a plan saved earlier. */
export type ApplySource =
  | { kind: 'files'; desired: DesiredState; settings: PlanSettings }
  | { kind: 'saved'; plan: Plan; project: string; workspace: string | null };

export type ApplyOutcome =
  | { status: 'blocked'; plan: Plan }
  | { status: 'unchanged'; plan: Plan }
  | { status: 'cancelled'; plan: Plan }
  | { status: 'stale'; plan: Plan; reasons: string[] }
  | { status: 'applied'; plan: Plan; result: ApplyResult };

/**
 * `envsync apply`: lock, record what the changelog did not know, plan (or check a saved plan), refuse a
 * blocked plan, confirm, list again and refuse a stale plan, then apply.
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
      // Previews included: one that took a name the plan expects free makes the plan stale.
      ...staleReasons(plan, [...session.live.envs, ...session.previews], o.api.target),
    ];
    reasons.push(...(await newReferences(o.api, plan, o.now())));
    if (reasons.length > 0) return { status: 'stale', plan, reasons };
  } else {
    checkTargets(source.settings.targets, source.desired.environments, session.live.envs);
    refusePreviewNames(source.desired.environments, session.previews);
    // What apply found was recorded as it opened: nothing is left to mark as outside drift.
    plan = await makePlan(o.api, source.desired, session.live, session.known.recorded, [], source.settings);
  }
  o.host.planned(plan);
  if (plan.blocked.length > 0) return { status: 'blocked', plan };
  if (!planHasChanges(plan)) return { status: 'unchanged', plan };
  if (source.kind === 'files' && o.host.confirm !== 'auto') {
    if (!(await o.host.confirm(plan))) return { status: 'cancelled', plan };
    // The answer may come minutes later: what the plan relied on must still hold.
    const reasons = [
      ...staleReasons(plan, (await listLive(o.api)).envs, o.api.target),
      ...(await newReferences(o.api, plan, o.now())),
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
