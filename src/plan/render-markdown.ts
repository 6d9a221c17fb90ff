// Renders a Plan as a GitHub pull-request comment: widening warnings first, a summary table, one collapsible diff per environment.

import {
  actionNote,
  driftFindings,
  formatValue,
  listedActions,
  MARKS,
  wideningText,
} from '../domain/format.js';
import type { FieldChange, Plan, PlanAction } from '../model.js';
import { summaryLine } from './summary.js';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inline code that survives any name: HTML `<code>` with entities, not backticks. */
function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}

/** A fence longer than any run of backticks inside, so a value can never close the block early. */
function fenced(lang: string, lines: string[]): string[] {
  const longest = Math.max(0, ...lines.flatMap((l) => (l.match(/`+/g) ?? []).map((run) => run.length)));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${lang}`, ...lines, fence];
}

/** Diff-syntax lines: `~` has no colour in a diff block, so a changed scalar shows as its old and new line. */
function diffLines(change: FieldChange): string[] {
  if (change.op === 'add') return [`+ ${change.path}: ${formatValue(change.value)}`];
  if (change.op === 'remove') return [`- ${change.path}: ${formatValue(change.value)}`];
  const lines: string[] = [];
  if (change.before !== null) lines.push(`- ${change.path}: ${formatValue(change.before)}`);
  if (change.after !== null) lines.push(`+ ${change.path}: ${formatValue(change.after)}`);
  return lines;
}

function actionSection(action: PlanAction): string[] {
  const facts: string[] = [action.kind];
  if (action.kind !== 'create') facts.push(code(action.env_id));
  if (action.drift !== null) facts.push('drift');
  if (action.widening.length > 0) facts.push('⚠ widens network access');
  const out = [
    `<details><summary>${code(`${MARKS[action.kind]} ${action.name}`)} ${facts.join(' · ')}</summary>`,
    '',
  ];
  const note = actionNote(action);
  if (note !== null) out.push(`_${escapeHtml(note)}_`, '');
  if (action.widening.length > 0)
    out.push(`⚠ widens network access: ${escapeHtml(wideningText(action))}`, '');
  if (action.changes.length > 0) out.push(...fenced('diff', action.changes.flatMap(diffLines)), '');
  out.push('</details>', '');
  return out;
}

function wideningBlock(actions: PlanAction[]): string[] {
  const widening = actions.filter((a) => a.widening.length > 0);
  if (widening.length === 0) return [];
  return [
    '> [!WARNING]',
    '> **This plan widens what containers can reach on the network:**',
    ...widening.map((a) => `> - ${code(a.name)} (${a.kind}): ${escapeHtml(wideningText(a))}`),
    '',
  ];
}

function summaryTable(plan: Plan): string[] {
  const s = plan.summary;
  const rows: Array<[string, number]> = [
    ['create', s.create],
    ['update', s.update],
    ['recreate', s.recreate],
    ['archive', s.archive],
    ['adopt', s.adopt],
    ['unchanged', s.noop],
  ];
  return ['| action | count |', '| --- | ---: |', ...rows.map(([kind, n]) => `| ${kind} | ${n} |`), ''];
}

/**
 * The plan as a PR comment in GitHub-flavoured markdown. Deterministic: the same plan always gives the
 * same text (the only time in it is the plan's own created_at).
 */
export function renderPlanMarkdown(plan: Plan): string {
  const actions = listedActions(plan);
  const out: string[] = ['## envsync plan', '', ...wideningBlock(actions), ...summaryTable(plan)];

  if (actions.length > 0) out.push('### Changes', '', ...actions.flatMap(actionSection));

  const drift = driftFindings(plan);
  if (drift.length > 0) {
    out.push('### Drift detected (changed outside envsync)', '');
    for (const d of drift) {
      const where = d.env_id === null ? code(d.name) : `${code(d.name)} (${code(d.env_id)})`;
      const what = d.kind === 'missing' ? 'missing' : 'config changed';
      out.push(`- ${where}, ${what}: ${escapeHtml(d.detail)}`);
    }
    out.push('');
  }

  if (plan.blocked.length > 0) {
    out.push('### Blocked', '');
    for (const b of plan.blocked) {
      const who = b.name === null ? '' : ` ${code(b.name)}${b.env_id === null ? '' : ` (${code(b.env_id)})`}`;
      out.push(`- **${b.rule}**${who}: ${escapeHtml(b.message)}<br>hint: ${escapeHtml(b.hint)}`);
    }
    out.push('');
  }

  out.push(summaryLine(plan), '');
  out.push(`<sub>plan ${code(plan.plan_id)} · ${code(plan.target)} · ${escapeHtml(plan.created_at)}</sub>`);
  return `${out.join('\n')}\n`;
}
