// Renders a Plan as Terraform-style text for a terminal: marks, field-level diffs, drift, blocked, summary.

import type { ActionKind, LockNotes, Paint, Plan, PlanAction } from '../model.js';
import {
  actionNote,
  actionTitle,
  changeLine,
  changeSummary,
  defaultsNote,
  driftFindings,
  driftKindText,
  foldDefaults,
  listedActions,
  MARKS,
  wideningText,
  withLockNote,
} from '../render/format.js';
import { escapeText } from '../text/escape.js';
import { baseGroups, groupNames, originNote } from './provenance.js';
import { findingLine, findingsByEnvironment, verdictText } from './render-findings.js';
import { summaryLine } from './summary.js';

export interface TextPlanOptions {
  /** One line per environment: mark, name and a short what-changes summary (`--compact`). */
  compact?: boolean;
  /**
   * Above this many creates, creates are listed one line each while other actions keep their field diffs:
   * a new environment's fields are in the files under review, and hundreds of them bury the updates.
   */
  createDetailLimit?: number;
  /** A plan longer than this many lines repeats its summary line at the top. */
  longPlanLines?: number;
  /** After each field change, the file (and line) it comes from: a base's for an inherited value (`--explain`). */
  explain?: boolean;
  /** What envsync.lock made of each package spec, shown beside it (`"pandas"  (locked 2.2.3)`). */
  locks?: LockNotes;
}

const DEFAULTS: Required<TextPlanOptions> = {
  compact: false,
  createDetailLimit: 20,
  longPlanLines: 40,
  explain: false,
  locks: {},
};

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

function headLine(action: PlanAction, paint: Paint): string {
  const mark = markColour(paint, action.kind)(MARKS[action.kind]);
  const drift = action.drift === null ? '' : ` ${paint.yellow('(drift)')}`;
  return `  ${mark} ${paint.bold(escapeText(actionTitle(action)))}${drift}`;
}

function renderAction(action: PlanAction, paint: Paint, explain: boolean, locks: LockNotes): string[] {
  const lines = [headLine(action, paint)];
  const note = actionNote(action);
  if (note !== null) lines.push(`      ${paint.dim(`# ${escapeText(note)}`)}`);
  const { changes, defaults } = foldDefaults(action);
  for (const raw of changes) {
    const { change, note } = withLockNote(raw, locks);
    const { mark: m, text } = changeLine(change);
    const colour = m === '+' ? paint.green : m === '-' ? paint.red : paint.yellow;
    const origin = explain ? originNote(action, raw) : '';
    const notes = [note ?? '', origin].filter(Boolean).join('  ');
    lines.push(`      ${colour(m)} ${escapeText(text)}${notes ? `  ${paint.dim(escapeText(notes))}` : ''}`);
  }
  const folded = defaultsNote(defaults);
  if (folded !== null) lines.push(`      ${paint.dim(folded)}`);
  if (action.widening.length > 0)
    lines.push(`      ${paint.yellow(`⚠ widens network access: ${escapeText(wideningText(action))}`)}`);
  return lines;
}

/** The action on one line: its head, what changes in short, and the widening if any. */
function actionLine(action: PlanAction, paint: Paint): string {
  const summary = changeSummary(foldDefaults(action).changes);
  const what = summary === '' ? '' : `  ${paint.dim(escapeText(summary))}`;
  const widening =
    action.widening.length > 0 ? `  ${paint.yellow(`⚠ ${escapeText(wideningText(action))}`)}` : '';
  return `${headLine(action, paint)}${what}${widening}`;
}

function actionSection(actions: readonly PlanAction[], paint: Paint, o: Required<TextPlanOptions>): string[] {
  const creates = actions.filter((a) => a.kind === 'create').length;
  const createsInLine = !o.compact && creates > o.createDetailLimit;
  const out = [paint.bold('envsync will perform the following actions:')];
  if (createsInLine)
    out.push(
      paint.dim(
        `  # ${creates} creates, one line each (over ${o.createDetailLimit}); \`--format json\` has every field`,
      ),
    );
  // One-line actions run on without blank lines; an action with details stands apart.
  let previousDetailed = true;
  for (const action of actions) {
    const detailed = !o.compact && !(createsInLine && action.kind === 'create');
    if (detailed || previousDetailed) out.push('');
    if (detailed) out.push(...renderAction(action, paint, o.explain, o.locks));
    else out.push(actionLine(action, paint));
    previousDetailed = detailed;
  }
  return out;
}

/**
 * The plan as text lines joined by `\n` (no trailing newline): drift findings first (what changed outside
 * envsync), then the actions from the files, then what is blocked, and one summary line, which a long plan
 * also starts with. Noops are not listed. Every name, value and message is escaped for the terminal.
 */
export function renderPlanText(plan: Plan, paint: Paint, options: TextPlanOptions = {}): string {
  const o: Required<TextPlanOptions> = { ...DEFAULTS, ...options };
  const sections: string[][] = [];

  const drift = driftFindings(plan);
  if (drift.length > 0) {
    sections.push([
      paint.bold('Drift detected (changed outside envsync):'),
      ...drift.map((d) => {
        const where = d.env_id === null ? d.name : `${d.name} (${d.env_id})`;
        const what = driftKindText(d.kind);
        return `  ${paint.yellow('!')} ${paint.bold(escapeText(where))} ${paint.dim(`[${what}]`)}: ${escapeText(d.detail)}`;
      }),
    ]);
  }

  const groups = baseGroups(plan);
  if (groups.length > 0) {
    sections.push([
      paint.bold('Changes from bases (each inherited by the environments listed):'),
      ...groups.map(
        (g) =>
          `  ${paint.cyan('base')} ${paint.bold(escapeText(g.base))}: ${g.names.length} environment${g.names.length === 1 ? '' : 's'} ${paint.dim(`(${escapeText(groupNames(g.names))})`)}`,
      ),
    ]);
  }

  const actions = listedActions(plan);
  if (actions.length > 0) sections.push(actionSection(actions, paint, o));

  const byEnv = findingsByEnvironment(plan.findings);
  if (byEnv.length > 0) {
    sections.push([
      paint.bold('Known vulnerabilities in locked versions (OSV):'),
      ...byEnv.flatMap((e) => [
        `  ${paint.bold(escapeText(e.name))}`,
        ...e.findings.map((f) => {
          const line = `${escapeText(findingLine(f))}  ${paint.dim(`[${escapeText(verdictText(f))}]`)}`;
          if (f.verdict === 'ignored') return `    ${paint.dim('·')} ${line}`;
          return `    ${f.verdict === 'block' ? paint.red('⚠') : paint.yellow('⚠')} ${line}`;
        }),
      ]),
    ]);
  }

  if (plan.blocked.length > 0) {
    sections.push([
      paint.bold(paint.red('Blocked:')),
      ...plan.blocked.flatMap((b) => {
        const who =
          b.name === null
            ? ''
            : ` ${paint.bold(escapeText(b.env_id === null ? b.name : `${b.name} (${b.env_id})`))}`;
        return [
          `  ${paint.red('✗')}${who} ${paint.dim(`[${escapeText(b.rule)}]`)}: ${escapeText(b.message)}`,
          `      ${paint.cyan('hint')}: ${escapeText(b.hint)}`,
        ];
      }),
    ]);
  }

  if (plan.notes.length > 0) {
    sections.push([
      paint.bold('Notes:'),
      ...plan.notes.map((n) => {
        const who =
          n.name === null ? (n.env_id ?? '') : n.env_id === null ? n.name : `${n.name} (${n.env_id})`;
        return `  ${paint.yellow('·')} ${paint.bold(escapeText(who))}: ${escapeText(n.message)}`;
      }),
    ]);
  }

  const summary = paint.bold(summaryLine(plan));
  const body = sections.map((s) => s.join('\n'));
  const lines = sections.reduce((n, s) => n + s.length + 1, 1);
  // A long plan scrolls its closing summary out of sight of its start, and the other way round.
  const head = lines > o.longPlanLines ? [summary] : [];
  return [...head, ...body, summary].join('\n\n');
}
