// Wording shared by the text and markdown renderers: marks, values, per-action notes and drift findings.

import type { ActionKind, FieldChange, Plan, PlanAction } from '../model.js';

/** Terraform's marks. */
export const MARKS: Record<ActionKind, string> = {
  create: '+',
  update: '~',
  recreate: '-/+',
  archive: '-',
  adopt: '<=',
  noop: ' ',
};

export function formatValue(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** `name (env_…)`, or just the name for a create. */
export function actionTitle(action: PlanAction): string {
  return action.kind === 'create' ? action.name : `${action.name} (${action.env_id})`;
}

/** One line on what an action does beyond its field changes, or null when the changes say it all. */
export function actionNote(action: PlanAction): string | null {
  switch (action.kind) {
    case 'recreate': {
      const why = action.reason === 'type_change' ? 'config.type changes' : 'on_config_change is recreate';
      const old = action.adopted ? 'the unmanaged environment' : 'the old environment';
      const fate = action.keep_superseded ? 'is kept' : 'is archived';
      return `${why}: a new environment replaces it; ${old} moves to ${action.superseded_name} and ${fate}`;
    }
    case 'adopt':
      return 'envsync takes over this environment and tags it as managed';
    case 'update':
      return action.changes.length === 0 ? "only envsync's ownership tags are rewritten" : null;
    case 'archive':
      return action.archived_name === action.name ? 'already renamed; archived as is' : null;
    default:
      return null;
  }
}

/** One field change as a mark and text, the way both renderers print it: sets by member, scalars by value. */
export function changeLine(change: FieldChange): { mark: '+' | '-' | '~'; text: string } {
  if (change.op === 'add') return { mark: '+', text: `${change.path}: ${formatValue(change.value)}` };
  if (change.op === 'remove') return { mark: '-', text: `${change.path}: ${formatValue(change.value)}` };
  if (change.before === null) return { mark: '+', text: `${change.path}: ${formatValue(change.after)}` };
  if (change.after === null) return { mark: '-', text: `${change.path}: ${formatValue(change.before)}` };
  return {
    mark: '~',
    text: `${change.path}: ${formatValue(change.before)} → ${formatValue(change.after)}`,
  };
}

export interface DriftFinding {
  name: string;
  env_id: string | null;
  kind: 'config_changed' | 'missing';
  detail: string;
}

/** Every drift finding in the plan, those tied to actions and those without, in name order. */
export function driftFindings(plan: Pick<Plan, 'actions' | 'drift'>): DriftFinding[] {
  const fromActions = plan.actions.flatMap((a) =>
    a.drift === null
      ? []
      : [{ name: a.name, env_id: a.drift.env_id, kind: a.drift.kind, detail: a.drift.detail }],
  );
  const loose = plan.drift.map((d) => ({ name: d.name, env_id: d.env_id, kind: d.kind, detail: d.detail }));
  return [...fromActions, ...loose].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Actions worth listing: everything but noops. */
export function listedActions(plan: Pick<Plan, 'actions'>): PlanAction[] {
  return plan.actions.filter((a) => a.kind !== 'noop');
}

export function wideningText(action: PlanAction): string {
  return action.widening.map((w) => w.detail).join(', ');
}
