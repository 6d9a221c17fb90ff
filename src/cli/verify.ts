// `envsync verify [--live]`: the changelog's hash chain and pairs, and with --live the changelog against the API.

import { escapeText } from '../text/escape.js';
import { type AuditProblem, verifyChangelog } from '../workflow/verify.js';
import { type Ctx, plural } from './context.js';
import { defineCommand, type OptionsOf, type Subject } from './define.js';
import { formatOption } from './options.js';
import { shownPath } from './problems.js';
import { cliReporter } from './reporter.js';
import { connectFrom, projectFor } from './shared.js';

function problemLine(ctx: Ctx, p: AuditProblem): string {
  if (p.source === 'live') return `live: ${escapeText(p.message)}`;
  if (p.file === null) return escapeText(p.message);
  return `${shownPath(ctx, p.file)}:${p.line === null ? '' : `${p.line}:`} ${escapeText(p.message)}`;
}

async function runVerify(ctx: Ctx, opts: VerifyOptions): Promise<number> {
  const project = projectFor(ctx, opts.live ? 'api' : 'files');
  const file = project.changelogPath;
  const conn = opts.live ? await connectFrom(ctx, project, cliReporter(ctx), undefined) : null;
  let report: Awaited<ReturnType<typeof verifyChangelog>>;
  try {
    report = await verifyChangelog(file, conn?.api ?? null, project.project);
  } finally {
    await conn?.close();
  }
  const clean = report.problems.length === 0;
  if (opts.format === 'json') {
    const doc = {
      format_version: 1,
      changelog: shownPath(ctx, file),
      ok: clean,
      entries: report.entries,
      live_managed: report.liveManaged,
      problems: report.problems.map((p) => ({ ...p, file: p.file === null ? null : shownPath(ctx, p.file) })),
      notes: report.notes,
    };
    ctx.io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return clean ? 0 : 1;
  }
  const lines = [
    ...report.notes.map((n) => `note: ${n}`),
    ...report.problems.map((p) => problemLine(ctx, p)),
  ];
  const live =
    report.liveManaged === null ? '' : `, ${plural(report.liveManaged, 'live managed environment')} compared`;
  const checked = `${report.entries} ${report.entries === 1 ? 'entry' : 'entries'} checked${live}`;
  lines.push(
    clean
      ? ctx.out.green(`Changelog OK: ${checked}.`)
      : ctx.out.red(`${plural(report.problems.length, 'problem')}: ${checked}.`),
  );
  ctx.io.stdout.write(`${lines.join('\n')}\n`);
  return clean ? 0 : 1;
}

function declare(c: Subject) {
  return c
    .option('--live', 'also check that live managed environments and the changelog agree (needs the API)')
    .addOption(formatOption(['text', 'json'], 'text'));
}
type VerifyOptions = OptionsOf<typeof declare>;

export default defineCommand({
  name: 'verify',
  description:
    "check the changelog's run files (hash chains, sequence, begin/end) and how they join; --live: also against the API",
  needs: ['api'],
  examples: ['envsync verify', 'envsync verify --live'],
  exitCodes: '0 the changelog checks out, 1 problems found or an error',
  declare,
  handler: runVerify,
});
