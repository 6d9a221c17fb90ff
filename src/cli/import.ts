// `envsync import --from-ant [PATH]`: take over what ant apply's claude-lock.json tracks, in place (same IDs).

import { randomUUID } from 'node:crypto';
import { EnvsyncError } from '../errors.js';
import type { AntImportReport, AntResourceOutcome } from '../model.js';
import { renderPlanText } from '../plan/render-text.js';
import { escapeText } from '../text/escape.js';
import { type AntImportOutcome, importFromAnt, readImportLock } from '../workflow/import-ant.js';
import { type Ctx, say, scopedCommandLine, scopeHint } from './context.js';
import { defineCommand, type OptionsOf, type Subject } from './define.js';
import { formatOption, intOption, lockTimeoutOption } from './options.js';
import { applySummaryLine } from './render-apply.js';
import { errorBlock } from './render-errors.js';
import { cliReporter } from './reporter.js';
import {
  connectFrom,
  loadProjectFiles,
  projectFor,
  runSetup,
  sayScope,
  scopedPlan,
  warnAboutWarnings,
} from './shared.js';

const MARK: Record<AntResourceOutcome['verdict'], string> = {
  adopt: '<=',
  adopted: '<=',
  already: '=',
  refused: '✗',
  stays: '·',
};

function drawResource(ctx: Ctx, r: AntResourceOutcome): string {
  const p = ctx.out;
  const colour = r.verdict === 'refused' ? p.red : r.verdict === 'stays' ? p.dim : p.green;
  const what =
    r.name === null ? escapeText(r.key) : `${escapeText(r.name)} ${p.dim(`(${escapeText(r.key)})`)}`;
  const lines = [`  ${colour(MARK[r.verdict])} ${what} ${r.id}`, `      ${escapeText(r.message)}`];
  if (r.hint) lines.push(`      ${p.cyan('hint')}: ${escapeText(scopeHint(ctx, r.hint))}`);
  return lines.join('\n');
}

function summary(report: AntImportReport): string {
  const count = (v: AntResourceOutcome['verdict']) => report.resources.filter((r) => r.verdict === v).length;
  const adopt = report.applied ? count('adopted') : count('adopt');
  // From the plan itself: an import plans adoptions only, and says so by counting what else it holds.
  const creates = report.plan?.summary.create ?? 0;
  const archives = (report.plan?.summary.archive ?? 0) + (report.plan?.summary.recreate ?? 0);
  return [
    `Import: ${adopt} ${report.applied ? 'adopted' : 'to adopt'}, ${creates} to create, ${archives} to archive`,
    `${count('already')} already this project's`,
    `${count('refused')} refused`,
    `${count('stays')} left to ant apply`,
  ].join(', ');
}

function render(ctx: Ctx, outcome: AntImportOutcome): void {
  const { report, result } = outcome;
  const p = ctx.out;
  const o = report.origin;
  ctx.io.stdout.write(
    `${p.bold(`From ${escapeText(report.lock)}`)} ${p.dim(`(organization ${o.lock.organization_id}, workspace ${o.lock.workspace_id}: the API at ${escapeText(o.target)} confirms both)`)}\n\n`,
  );
  for (const r of report.resources) ctx.io.stdout.write(`${drawResource(ctx, r)}\n`);
  if (report.plan !== null && !report.applied && !ctx.global.quiet) {
    const text = renderPlanText(scopedPlan(ctx, report.plan), p);
    ctx.io.stdout.write(`\n${text.endsWith('\n') ? text : `${text}\n`}`);
  }
  if (result !== null) {
    for (const f of result.failed) ctx.io.stderr.write(errorBlock(ctx, f.code, f.message, f.hint));
    ctx.io.stdout.write(`\n${applySummaryLine(result)}\n`);
  }
  if (report.handed_over !== null) {
    const verb = report.applied ? 'Handed over' : 'Would hand over';
    ctx.io.stdout.write(
      `\n${verb} (removed from ${escapeText(report.lock)}, every other entry kept as written): ${report.handed_over.length === 0 ? 'nothing' : report.handed_over.map(escapeText).join(', ')}\n`,
    );
  }
  if (report.path_references.length > 0) {
    ctx.io.stdout.write('\nant deployment files that name these environments by path:\n');
    for (const ref of report.path_references)
      ctx.io.stdout.write(
        `  ${escapeText(ref.location.file)}:${ref.location.line}:${ref.location.column}  environment_id: ${escapeText(ref.path)} → ${ref.env_id}\n`,
      );
  }
  ctx.io.stdout.write(`\n${summary(report)}.\n`);
  if (report.follow_up.length > 0)
    say(ctx, `\nNext:\n${report.follow_up.map((s) => `  - ${escapeText(scopeHint(ctx, s))}`).join('\n')}`);
}

/** 0 done (or nothing to take), 2 a dry run with something to take or hand over, 1 when an adoption failed. */
function exitCode(outcome: AntImportOutcome): number {
  const { report, result } = outcome;
  if (
    result !== null &&
    (result.failed.length > 0 || result.stopped !== null || result.unrecorded.length > 0)
  )
    return 1;
  if (report.applied) return 0;
  const pending =
    report.resources.some((r) => r.verdict === 'adopt') || (report.handed_over?.length ?? 0) > 0;
  return pending ? 2 : 0;
}

async function runImport(ctx: Ctx, opts: ImportOptions): Promise<number> {
  if (opts.fromAnt === undefined) {
    throw new EnvsyncError('usage', 'envsync import takes --from-ant [PATH] (ant apply’s claude-lock.json)', {
      hint: 'for environments made by hand (console, SDK): `envsync export --only-unmanaged`, then `envsync plan --adopt` and `envsync apply --adopt` take them over with the same IDs',
    });
  }
  if (opts.handOver && !opts.apply)
    say(ctx, 'Dry run: --hand-over shows what would leave the lock; add --apply to do it.');
  const project = projectFor(ctx, 'api');
  // Everything local is read and checked before the API is asked anything: the files, then the lock.
  const desired = loadProjectFiles(ctx, project);
  warnAboutWarnings(ctx, desired);
  const given = opts.fromAnt === true ? undefined : opts.fromAnt;
  const lock = readImportLock(given, ctx.io.cwd, project.root);
  sayScope(ctx, project);
  const reporter = cliReporter(ctx);
  const conn = await connectFrom(ctx, project, reporter, undefined);
  try {
    const outcome = await importFromAnt({
      ...runSetup(ctx, project, conn, reporter, opts.lockTimeout),
      desired,
      lock,
      workspace: project.workspace?.name ?? null,
      workspaceId: project.workspaceId,
      root: project.root,
      dirs: project.dirs,
      parallelism: opts.parallelism,
      planId: `plan_${randomUUID()}`,
      apply: opts.apply === true,
      handOver: opts.handOver === true,
      command: scopedCommandLine(ctx, `import --from-ant ${lock.shown}`),
    });
    reporter.stop();
    if (opts.format === 'json') ctx.io.stdout.write(`${JSON.stringify(outcome.report, null, 2)}\n`);
    else render(ctx, outcome);
    return exitCode(outcome);
  } finally {
    reporter.stop();
    await conn.close();
  }
}

function declare(c: Subject) {
  return c
    .option(
      '--from-ant [path]',
      'the claude-lock.json (or its folder); default: the nearest one up to the repository root',
    )
    .option('--apply', 'adopt them (ownership tags written, an adopt entry each in the changelog)')
    .option(
      '--hand-over',
      'then remove what was adopted from claude-lock.json, every other entry kept as written',
    )
    .addOption(formatOption(['text', 'json'], 'text'))
    .addOption(intOption('--parallelism <n>', 'adoptions in flight at once', 8, 1))
    .addOption(lockTimeoutOption());
}
type ImportOptions = OptionsOf<typeof declare>;

export default defineCommand({
  name: 'import',
  description:
    'take over, in place (same IDs), the environments ant apply’s claude-lock.json tracks: a dry run unless --apply',
  needs: ['api'],
  examples: [
    'envsync import --from-ant                 # what claude-lock.json tracks: the plan of adoptions',
    'envsync import --from-ant claude-lock.json --apply --hand-over',
  ],
  exitCodes:
    '0 adopted (with --apply) or nothing to take, 1 error (a bad lock, another organization or workspace, a failed adoption), 2 a dry run with something to adopt or hand over',
  declare,
  handler: runImport,
});
