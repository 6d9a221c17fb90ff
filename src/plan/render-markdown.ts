// Renders a Plan as a GitHub pull-request comment: widening warnings first, a summary table, one collapsible diff per environment.

import type { FieldChange, LockNotes, Plan, PlanAction } from '../model.js';
import {
  actionNote,
  defaultsNote,
  driftFindings,
  driftKindText,
  foldDefaults,
  formatValue,
  listedActions,
  MARKS,
  wideningText,
  withLockNote,
} from '../render/format.js';
import { escapeMarkdown, escapeText } from '../text/escape.js';
import { baseGroups, groupNames, originNote } from './provenance.js';
import { findingLine, findingsByEnvironment, verdictText } from './render-findings.js';
import { fitParts, type Part, partLines } from './render-markdown-fit.js';
import { summaryLine } from './summary.js';

export interface MarkdownPlanOptions {
  /**
   * The most characters the comment may have. GitHub rejects comments over 65,536; above this the plan
   * keeps its warnings and summary and lists every change by name only.
   */
  maxChars?: number;
  /** Markdown (inserted as is, not escaped) saying where the full plan is when the comment is cut down. */
  fullPlanNote?: string;
  /** After each field change, the file (and line) it comes from (`--explain`). */
  explain?: boolean;
  /** What envsync.lock made of each package spec, shown beside it (`"pandas"  (locked 2.2.3)`). */
  locks?: LockNotes;
}

const DEFAULTS: Required<MarkdownPlanOptions> = {
  explain: false,
  maxChars: 60_000,
  locks: {},
  fullPlanNote:
    "The full plan is in the workflow's artifacts, or in the output of `envsync plan --format markdown`.",
};

/** Inline code that survives any text: HTML `<code>` with every significant character escaped. */
function code(text: string): string {
  return `<code>${escapeMarkdown(text)}</code>`;
}

/** The renderer's own mark inside HTML: only adopt's `<=` needs an entity. */
function htmlMark(action: PlanAction): string {
  return MARKS[action.kind].replace('<', '&lt;');
}

/** A fence longer than any run of backticks inside, so a value can never close the block early. */
function fence(lines: readonly string[]): string {
  const longest = Math.max(0, ...lines.flatMap((l) => (l.match(/`+/g) ?? []).map((run) => run.length)));
  return '`'.repeat(Math.max(3, longest + 1));
}

/** Diff-syntax lines: `~` has no colour in a diff block, so a changed scalar shows as its old and new line. */
function diffLines(change: FieldChange, origin: string): string[] {
  const after = origin ? `  ${origin}` : '';
  if (change.op === 'add') return [`+ ${change.path}: ${formatValue(change.value)}${after}`];
  if (change.op === 'remove') return [`- ${change.path}: ${formatValue(change.value)}${after}`];
  const lines: string[] = [];
  if (change.before !== null)
    lines.push(`- ${change.path}: ${formatValue(change.before)}${change.after === null ? after : ''}`);
  if (change.after !== null) lines.push(`+ ${change.path}: ${formatValue(change.after)}${after}`);
  return lines;
}

/** A change's diff lines, the last one carrying what the lock made of the package and where it came from. */
function lockedDiffLines(raw: FieldChange, locks: LockNotes, origin: string): string[] {
  const { change, note } = withLockNote(raw, locks);
  const lines = diffLines(change, origin);
  return note === null ? lines : [...lines.slice(0, -1), `${lines.at(-1)}  ${note}`];
}

function actionSection(action: PlanAction, explain: boolean, locks: LockNotes): string[] {
  const facts: string[] = [action.kind];
  if (action.kind !== 'create') facts.push(code(action.env_id));
  if (action.drift !== null) facts.push('drift');
  if (action.widening.length > 0) facts.push('⚠ widens network access');
  const title = `<code>${htmlMark(action)} ${escapeMarkdown(action.name)}</code>`;
  const out = [`<details><summary>${title} ${facts.join(' · ')}</summary>`, ''];
  const note = actionNote(action);
  if (note !== null) out.push(`_${escapeMarkdown(note)}_`, '');
  if (action.widening.length > 0)
    out.push(`⚠ widens network access: ${escapeMarkdown(wideningText(action))}`, '');
  const { changes, defaults } = foldDefaults(action);
  const folded = defaultsNote(defaults);
  // A code block is plain text: values need only their invisible characters shown.
  const diff = [
    ...changes.flatMap((c) => lockedDiffLines(c, locks, explain ? originNote(action, c) : '')),
    ...(folded === null ? [] : [`  ${folded}`]),
  ].map(escapeText);
  if (diff.length > 0) {
    const f = fence(diff);
    out.push(`${f}diff`, ...diff, f, '');
  }
  out.push('</details>', '');
  return out;
}

function wideningPart(actions: readonly PlanAction[]): Part {
  const widening = actions.filter((a) => a.widening.length > 0);
  return {
    head: ['> [!WARNING]', '> **This plan widens what containers can reach on the network:**'],
    items: widening.map((a) => `> - ${code(a.name)} (${a.kind}): ${escapeMarkdown(wideningText(a))}`),
    tail: [''],
    more: (n) => `> - and ${n} more`,
  };
}

function driftPart(plan: Plan): Part {
  return {
    head: ['### Drift detected (changed outside envsync)', ''],
    items: driftFindings(plan).map((d) => {
      const where = d.env_id === null ? code(d.name) : `${code(d.name)} (${code(d.env_id)})`;
      const what = driftKindText(d.kind);
      return `- ${where}, ${what}: ${escapeMarkdown(d.detail)}`;
    }),
    tail: [''],
    more: (n) => `- and ${n} more`,
  };
}

function basesPart(plan: Plan): Part {
  return {
    head: ['### Changes from bases', ''],
    items: baseGroups(plan).map(
      (g) =>
        `- base ${code(g.base)}: ${g.names.length} environment${g.names.length === 1 ? '' : 's'} (${escapeMarkdown(groupNames(g.names))})`,
    ),
    tail: [''],
    more: (n) => `- and ${n} more bases`,
  };
}

function blockedPart(plan: Plan): Part {
  return {
    head: ['### Blocked', ''],
    items: plan.blocked.map((b) => {
      const who = b.name === null ? '' : ` ${code(b.name)}${b.env_id === null ? '' : ` (${code(b.env_id)})`}`;
      return `- **${escapeMarkdown(b.rule)}**${who}: ${escapeMarkdown(b.message)}<br>hint: ${escapeMarkdown(b.hint)}`;
    }),
    tail: [''],
    more: (n) => `- and ${n} more`,
  };
}

function findingsPart(plan: Plan): Part {
  return {
    head: ['### Known vulnerabilities in locked versions (OSV)', ''],
    items: findingsByEnvironment(plan.findings).flatMap((e) =>
      e.findings.map((f) => {
        const mark = f.verdict === 'ignored' ? '·' : '⚠';
        const verdict = f.verdict === 'block' ? '**block**' : escapeMarkdown(verdictText(f));
        return `- ${code(e.name)}: ${mark} ${escapeMarkdown(findingLine(f))} — ${verdict}`;
      }),
    ),
    tail: [''],
    more: (n) => `- and ${n} more`,
  };
}

function notesPart(plan: Plan): Part {
  return {
    head: ['### Notes', ''],
    items: plan.notes.map((n) => {
      const who = [n.name === null ? '' : code(n.name), n.env_id === null ? '' : `(${code(n.env_id)})`]
        .filter(Boolean)
        .join(' ');
      return `- ${who}: ${escapeMarkdown(n.message)}`;
    }),
    tail: [''],
    more: (n) => `- and ${n} more`,
  };
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

function closing(plan: Plan): string[] {
  const where = `${code(plan.plan_id)} · ${code(plan.target)} · ${escapeMarkdown(plan.created_at)}`;
  return [summaryLine(plan), '', `<sub>plan ${where}</sub>`];
}

/** Changes by name only, one per line in a diff block: the mark, the name, ⚠ when it widens access. */
function namesPart(
  actions: readonly PlanAction[],
  fullChars: number,
  o: Required<MarkdownPlanOptions>,
): Part {
  const items = actions.map((a) => {
    const flags = `${a.drift === null ? '' : ' (drift)'}${a.widening.length > 0 ? ' ⚠' : ''}`;
    return `${MARKS[a.kind]} ${escapeText(a.name)}${flags}`;
  });
  const f = fence(items);
  const why = `_The full plan has ${fullChars.toLocaleString('en-US')} characters, more than a comment holds (${o.maxChars.toLocaleString('en-US')}), so each change is listed by name only._`;
  return {
    head: ['### Changes', '', why, o.fullPlanNote, '', `${f}diff`],
    items,
    tail: [f, ''],
    more: (n) => `  … and ${n} more`,
  };
}

/**
 * The plan as a PR comment in GitHub-flavoured markdown. Deterministic: the same plan always gives the
 * same text (the only time in it is the plan's own created_at). Every name, value and message is escaped,
 * so none can leave its `<code>`, `<details>`, list item or code block. A plan longer than maxChars keeps
 * its warnings (widening, drift, blocked) and summary, and lists its changes by name only, as many as fit.
 */
export function renderPlanMarkdown(plan: Plan, options: MarkdownPlanOptions = {}): string {
  const o: Required<MarkdownPlanOptions> = { ...DEFAULTS, ...options };
  const actions = listedActions(plan);
  // Project and workspace in the heading: a PR planned per workspace gets one comment each, told apart.
  const scope = `project ${code(plan.project)}${plan.workspace === null ? '' : ` · workspace ${code(plan.workspace)}`}`;
  const top = [`## envsync plan · ${scope}`, ''];
  const widening = wideningPart(actions);
  const drift = driftPart(plan);
  const blocked = blockedPart(plan);
  const notes = notesPart(plan);
  const findings = findingsPart(plan);
  const bases = basesPart(plan);
  const changes =
    actions.length === 0
      ? []
      : ['### Changes', '', ...actions.flatMap((a) => actionSection(a, o.explain, o.locks))];

  const full = [
    ...top,
    ...partLines(widening),
    ...summaryTable(plan),
    ...partLines(bases),
    ...changes,
    ...partLines(drift),
    ...partLines(findings),
    ...partLines(blocked),
    ...partLines(notes),
    ...closing(plan),
  ];
  const text = `${full.join('\n')}\n`;
  if (text.length <= o.maxChars) return text;

  // Too long: what must be read first gets room first (blocked, drift: few and grave; widening: often one
  // per create), then the names take what is left.
  const names = namesPart(actions, text.length, o);
  const fixed = [...top, ...summaryTable(plan), ...closing(plan)];
  const room = o.maxChars - (fixed.join('\n').length + 2);
  const [b = [], d = [], f = [], w = [], g = [], t = [], n = []] = fitParts(
    [blocked, drift, findings, widening, bases, notes, names],
    room,
  );
  const cut = [...top, ...w, ...summaryTable(plan), ...g, ...n, ...d, ...f, ...b, ...t, ...closing(plan)];
  return `${cut.join('\n')}\n`;
}
