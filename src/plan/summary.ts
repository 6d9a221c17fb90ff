// Plan summary counts, the one-line summary both renderers close with, and the exit code a plan maps to.

import type { BlockedItem, DriftInfo, Plan, PlanAction, PlanSummary } from '../model.js';

/** Counts per action kind, plus actions with drift (and drift findings without an action), blocked items and widening actions. */
export function summarize(
  actions: readonly PlanAction[],
  blocked: readonly BlockedItem[],
  drift: readonly DriftInfo[],
): PlanSummary {
  const summary: PlanSummary = {
    create: 0,
    update: 0,
    recreate: 0,
    archive: 0,
    adopt: 0,
    noop: 0,
    drift: drift.length,
    blocked: blocked.length,
    widening: 0,
  };
  for (const action of actions) {
    summary[action.kind] += 1;
    if (action.drift !== null) summary.drift += 1;
    if (action.widening.length > 0) summary.widening += 1;
  }
  return summary;
}

/** True when applying the plan would change anything. */
export function planHasChanges(plan: Pick<Plan, 'actions'>): boolean {
  return plan.actions.some((action) => action.kind !== 'noop');
}

/**
 * `Plan: 2 to create, 1 to update, 0 to recreate, 1 to archive.` (`, 1 to adopt` only when there are adoptions,
 * `, 1 blocked` only when a safety rule blocked something), or `No changes.` when there is nothing to do and
 * nothing blocked.
 */
export function summaryLine(plan: Pick<Plan, 'summary' | 'actions' | 'blocked'>): string {
  if (!planHasChanges(plan) && plan.blocked.length === 0) return 'No changes.';
  const s = plan.summary;
  const adopt = s.adopt > 0 ? `, ${s.adopt} to adopt` : '';
  const blocked = plan.blocked.length > 0 ? `, ${plan.blocked.length} blocked` : '';
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.recreate} to recreate, ${s.archive} to archive${adopt}${blocked}.`;
}

/**
 * The exit code of `envsync plan` (DESIGN §11): 3 when a safety rule blocked the plan; with
 * `--detailed-exitcode` 2 when there are changes, else 0.
 */
export function planExitCode(plan: Pick<Plan, 'actions' | 'blocked'>, detailedExitcode: boolean): number {
  if (plan.blocked.length > 0) return 3;
  if (detailedExitcode && planHasChanges(plan)) return 2;
  return 0;
}
