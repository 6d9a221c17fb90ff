// Draws what a preview command did: a table of name → env ID for people (text), for a PR comment (markdown),
// and the same data as one JSON document for scripts and agents.

import type { Paint } from '../model.js';
import { escapeMarkdown, escapeText } from '../text/escape.js';
import type { PreviewEnvironment, PreviewOutcome } from '../workflow/preview.js';

export type PreviewAction = 'up' | 'down' | 'gc';

export interface PreviewReport {
  action: PreviewAction;
  project: string;
  workspace: string | null;
  /** up and down: the preview ID; gc: null. */
  id: string | null;
  outcome: PreviewOutcome;
}

const WORD: Record<PreviewEnvironment['action'], string> = {
  create: 'created',
  update: 'updated',
  recreate: 'recreated',
  adopt: 'adopted',
  archive: 'archived',
  noop: 'unchanged',
  extended: 'expiry extended',
  failed: 'failed',
};

const WOULD: Record<PreviewEnvironment['action'], string> = {
  ...WORD,
  create: 'to create',
  update: 'to update',
  recreate: 'to recreate',
  archive: 'to archive',
  noop: 'expiry to extend',
};

function word(report: PreviewReport, row: PreviewEnvironment): string {
  return report.outcome.status === 'dry_run' ? WOULD[row.action] : WORD[row.action];
}

/** The one JSON document of `preview … --format json`. */
export function previewJson(report: PreviewReport): object {
  const { outcome } = report;
  const result = outcome.result;
  return {
    format_version: 1,
    action: report.action,
    project: report.project,
    workspace: report.workspace,
    preview_id: report.id,
    status: outcome.status,
    environments: outcome.previews,
    archived: outcome.archived,
    no_expiry: outcome.noExpiry,
    failed: [...(result?.failed ?? []), ...(outcome.extended?.failed ?? [])],
    plan: { plan_id: outcome.plan.plan_id, summary: outcome.plan.summary, blocked: outcome.plan.blocked },
  };
}

function table(rows: readonly string[][], paint: Paint): string[] {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r, n) => {
    const line = `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')}`;
    return n === 0 ? paint.bold(line) : line;
  });
}

/** For people: what each preview copy is now (name → env ID), what was archived, and what gc left alone. */
export function previewText(report: PreviewReport, paint: Paint): string {
  const { outcome } = report;
  const out: string[] = [];
  if (outcome.previews.length > 0) {
    out.push(
      paint.bold(
        `Preview ${escapeText(report.id ?? '')}${outcome.status === 'dry_run' ? ' (dry run)' : ''}:`,
      ),
    );
    out.push(
      ...table(
        [
          ['NAME', 'PREVIEW', 'ENV ID', 'EXPIRES', 'STATE'],
          ...outcome.previews.map((r) => [
            escapeText(r.name),
            escapeText(r.preview_name),
            r.env_id ?? '-',
            r.expires ?? '-',
            word(report, r),
          ]),
        ],
        paint,
      ),
    );
  } else if (report.action === 'up') {
    out.push(
      `No preview copies for ${escapeText(report.id ?? '')}: no environment ${outcome.status === 'dry_run' ? 'would be' : 'is'} previewed.`,
    );
  }
  if (outcome.archived.length > 0) {
    out.push(paint.bold(outcome.status === 'dry_run' ? 'Would archive:' : 'Archived:'));
    for (const r of outcome.archived)
      out.push(
        `  ${escapeText(r.preview_name)}  ${r.env_id ?? ''}  (preview ${escapeText(r.preview_id)}${r.expires ? `, ${report.action === 'gc' ? 'expired' : 'expires'} ${r.expires}` : ''})`,
      );
  } else if (report.action !== 'up') {
    out.push(
      report.action === 'gc'
        ? 'No expired previews.'
        : `No previews of ${escapeText(report.id ?? '')} to archive.`,
    );
  }
  if (outcome.noExpiry.length > 0) {
    out.push(
      paint.yellow(
        `Left alone (no readable ${'envsync_expires'} tag; \`envsync preview down --id ID\` removes them):`,
      ),
    );
    for (const r of outcome.noExpiry)
      out.push(`  ${escapeText(r.preview_name)}  ${r.env_id ?? ''}  (preview ${escapeText(r.preview_id)})`);
  }
  return `${out.join('\n')}\n`;
}

const code = (text: string) => `<code>${escapeMarkdown(text)}</code>`;

/** For a pull request comment: a heading naming the ID, and a table of name → env ID (or what was archived). */
export function previewMarkdown(report: PreviewReport): string {
  const { outcome } = report;
  const id = report.id ?? '';
  const out: string[] = [];
  if (report.action === 'up') {
    out.push(`### envsync previews · ${code(id)}`, '');
    if (outcome.previews.length === 0) out.push('No environment this pull request changes: no previews.');
    else {
      out.push(
        `${outcome.previews.length} preview environment${outcome.previews.length === 1 ? '' : 's'} for agents to try before the merge:`,
        '',
        '| environment | preview | env ID | expires | state |',
        '| --- | --- | --- | --- | --- |',
        ...outcome.previews.map(
          (r) =>
            `| ${code(r.name)} | ${code(r.preview_name)} | ${r.env_id ? code(r.env_id) : '–'} | ${r.expires ? escapeMarkdown(r.expires) : '–'} | ${escapeMarkdown(word(report, r))} |`,
        ),
      );
    }
  } else {
    out.push(`### envsync previews · ${report.action === 'gc' ? 'expired' : code(id)}`, '');
    out.push(
      outcome.archived.length === 0
        ? 'No previews to archive.'
        : `${outcome.status === 'dry_run' ? 'Would archive' : 'Archived'} ${outcome.archived.length} preview environment${outcome.archived.length === 1 ? '' : 's'}: ${outcome.archived.map((r) => code(r.preview_name)).join(', ')}.`,
    );
  }
  if (report.action === 'up' && outcome.archived.length > 0)
    out.push(
      '',
      `Archived (no longer changed): ${outcome.archived.map((r) => code(r.preview_name)).join(', ')}.`,
    );
  const failed = [...(outcome.result?.failed ?? []), ...(outcome.extended?.failed ?? [])];
  if (failed.length > 0)
    out.push('', ...failed.map((f) => `- ✗ ${code(f.name)}: ${escapeMarkdown(f.message)}`));
  return `${out.join('\n')}\n`;
}
