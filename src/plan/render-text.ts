// Renders a Plan as Terraform-style text for a terminal: marks, field-level diffs, drift, blocked, summary.

import {
  actionNote,
  actionTitle,
  changeLine,
  driftFindings,
  listedActions,
  MARKS,
  wideningText,
} from '../domain/format.js';
import type { ActionKind, Paint, Plan, PlanAction } from '../model.js';
import { summaryLine } from './summary.js';

function markColour(paint: Paint, kind: ActionKind): (s: string) => string {
  switch (kind) {
    case 'create':
      return paint.green;
    case 'update':
      return paint.yellow;
    case 'recreate':
    case 'archive':
      return paint.red;
    case 'adopt':
      return paint.cyan;
    case 'noop':
      return paint.dim;
  }
}

function renderAction(action: PlanAction, paint: Paint): string[] {
  const mark = markColour(paint, action.kind)(MARKS[action.kind]);
  const drift = action.drift === null ? '' : ` ${paint.yellow('(drift)')}`;
  const lines = [`  ${mark} ${paint.bold(actionTitle(action))}${drift}`];
  const note = actionNote(action);
  if (note !== null) lines.push(`      ${paint.dim(`# ${note}`)}`);
  for (const change of action.changes) {
    const { mark: m, text } = changeLine(change);
    const colour = m === '+' ? paint.green : m === '-' ? paint.red : paint.yellow;
    lines.push(`      ${colour(m)} ${text}`);
  }
  if (action.widening.length > 0)
    lines.push(`      ${paint.yellow(`⚠ widens network access: ${wideningText(action)}`)}`);
  return lines;
}

/**
 * The plan as text lines joined by `\n` (no trailing newline): drift findings first (what changed outside
 * envsync), then the actions from the files, then what is blocked, and one summary line. Noops are not listed.
 */
export function renderPlanText(plan: Plan, paint: Paint): string {
  const sections: string[][] = [];

  const drift = driftFindings(plan);
  if (drift.length > 0) {
    sections.push([
      paint.bold('Drift detected (changed outside envsync):'),
      ...drift.map((d) => {
        const where = d.env_id === null ? d.name : `${d.name} (${d.env_id})`;
        const what = d.kind === 'missing' ? 'missing' : 'config changed';
        return `  ${paint.yellow('!')} ${paint.bold(where)} ${paint.dim(`[${what}]`)}: ${d.detail}`;
      }),
    ]);
  }

  const actions = listedActions(plan);
  if (actions.length > 0) {
    sections.push([
      paint.bold('envsync will perform the following actions:'),
      ...actions.flatMap((a) => ['', ...renderAction(a, paint)]),
    ]);
  }

  if (plan.blocked.length > 0) {
    sections.push([
      paint.bold(paint.red('Blocked:')),
      ...plan.blocked.flatMap((b) => {
        const who =
          b.name === null ? '' : ` ${paint.bold(b.env_id === null ? b.name : `${b.name} (${b.env_id})`)}`;
        return [
          `  ${paint.red('✗')}${who} ${paint.dim(`[${b.rule}]`)}: ${b.message}`,
          `      ${paint.cyan('hint')}: ${b.hint}`,
        ];
      }),
    ]);
  }

  sections.push([paint.bold(summaryLine(plan))]);
  return sections.map((s) => s.join('\n')).join('\n\n');
}
