// `envsync lock [NAME]...`: resolve every package spec to one version and write envsync.lock; --check reads it.

import { EnvsyncError } from '../errors.js';
import { escapeMarkdown, escapeText } from '../text/escape.js';
import { type LockChange, lockProject } from '../workflow/lock.js';
import { type UpgradeReport, upgradeLock } from '../workflow/upgrade.js';
import { type Ctx, plural } from './context.js';
import { defineCommand, type OptionsOf, type Subject } from './define.js';
import { formatOption } from './options.js';
import { registryRun } from './registries.js';
import { formatDiagnostics } from './render-errors.js';
import { everyWorkspace, workspacesOf } from './shared.js';

function changeLine(c: LockChange): string {
  const where = c.section === null ? '' : ` [workspace ${c.section}]`;
  const what = `${c.manager} ${escapeText(c.spec)}${where}`;
  if (c.before === null) return `  + ${what}  ${c.after}`;
  if (c.after === null) return `  - ${what}  (no environment installs it)`;
  return `  ~ ${what}  ${c.before} → ${c.after}`;
}

/** The upgrade summary, fit for a pull request body: one row per moved version. */
export function upgradeMarkdown(report: UpgradeReport): string {
  const cell = (s: string) => escapeMarkdown(s).replace(/\|/g, '\\|');
  if (report.upgrades.length === 0 && report.other.length === 0)
    return `${report.file} is up to date: nothing to upgrade.\n`;
  const rows = report.upgrades.map((u) => {
    const fixed =
      u.fixed.length === 0
        ? report.osvAsked
          ? 'none known'
          : 'not checked'
        : u.fixed.map((v) => `${v.id} (${v.severity})`).join(', ');
    const where = u.section === null ? '' : ` (workspace ${u.section})`;
    return `| ${cell(u.package)}${cell(where)} | ${u.manager} | ${cell(u.before)} → ${cell(u.after)} | ${cell(u.environments.join(', '))} | ${cell(fixed)} |`;
  });
  const other = report.other.map(
    (c) =>
      `- ${c.manager} ${cell(c.spec)}: ${c.before === null ? 'added' : c.after === null ? 'dropped' : `${cell(c.before)} → ${cell(c.after)}`}`,
  );
  const fixedCount = report.upgrades.reduce((n, u) => n + u.fixed.length, 0);
  return `${[
    '## envsync lock --upgrade',
    '',
    `${plural(report.upgrades.length, 'locked version')} moved to the newest the specs and policies allow${fixedCount > 0 ? `, fixing ${fixedCount} known ${fixedCount === 1 ? 'vulnerability' : 'vulnerabilities'}` : ''}.`,
    '',
    ...(rows.length > 0
      ? [
          '| package | manager | version | environments | fixed vulnerabilities |',
          '| --- | --- | --- | --- | --- |',
          ...rows,
          '',
        ]
      : []),
    ...(other.length > 0 ? ['Other lock changes:', '', ...other, ''] : []),
    `Run \`envsync plan\` to see what the new versions change in each environment.`,
  ].join('\n')}\n`;
}

async function runUpgrade(ctx: Ctx, packages: string[], opts: LockOptions): Promise<number> {
  const projects = everyWorkspace(ctx);
  const report = await upgradeLock({ ...registryRun(ctx, opts.offline === true), projects, packages });
  if (opts.format === 'json') {
    ctx.io.stdout.write(`${JSON.stringify({ format_version: 1, ...report }, null, 2)}\n`);
    return 0;
  }
  if (opts.format === 'markdown') {
    ctx.io.stdout.write(upgradeMarkdown(report));
    return 0;
  }
  const lines = report.upgrades.map((u) => {
    const fixed =
      u.fixed.length === 0 ? '' : `  fixes ${u.fixed.map((v) => `${v.id} (${v.severity})`).join(', ')}`;
    return `  ~ ${u.manager} ${escapeText(u.package)}  ${escapeText(u.before)} → ${escapeText(u.after)}  (${escapeText(u.environments.join(', '))})${escapeText(fixed)}`;
  });
  const head = report.written
    ? `Wrote ${report.file}: ${plural(report.upgrades.length, 'version')} upgraded`
    : `${report.file} is up to date: nothing to upgrade`;
  ctx.io.stdout.write(`${[...lines, ...(lines.length > 0 ? [''] : []), ctx.out.green(head)].join('\n')}\n`);
  return 0;
}

async function runLock(ctx: Ctx, names: string[], opts: LockOptions): Promise<number> {
  if (opts.upgrade === true) return runUpgrade(ctx, names, opts);
  if (opts.format === 'markdown')
    throw new EnvsyncError('invalid_flag', '--format markdown is the summary of lock --upgrade', {
      hint: 'add --upgrade, or use --format text or json',
    });
  const one = ctx.global.workspace !== undefined;
  const projects = workspacesOf(ctx);
  const report = await lockProject({
    ...registryRun(ctx, opts.offline === true),
    projects,
    names,
    whole: names.length === 0 && (!one || projects.length <= 1),
    check: opts.check === true,
    upgrade: null,
  });
  if (opts.format === 'json') {
    ctx.io.stdout.write(`${JSON.stringify({ format_version: 1, ...report }, null, 2)}\n`);
    return report.kind === 'checked' && report.problems.length > 0 ? 1 : 0;
  }
  if (report.kind === 'checked') {
    if (report.problems.length === 0) {
      ctx.io.stdout.write(`${ctx.out.green(`${report.file} is up to date`)}\n`);
      return 0;
    }
    ctx.io.stdout.write(
      `${formatDiagnostics(report.problems, ctx.out)}\n\n${ctx.out.red(`${report.file} is out of date: ${plural(report.problems.length, 'problem')}`)}\n`,
    );
    ctx.io.stderr.write('Run `envsync lock` and commit envsync.lock with the environment files.\n');
    return 1;
  }
  if (report.warnings.length > 0) ctx.io.stderr.write(`${formatDiagnostics(report.warnings, ctx.err)}\n\n`);
  const lines = report.changes.map(changeLine);
  const count = (test: (c: LockChange) => boolean) => report.changes.filter(test).length;
  const summary = [
    `${count((c) => c.before === null)} added`,
    `${count((c) => c.before !== null && c.after !== null)} changed`,
    `${count((c) => c.after === null)} removed`,
    `${report.kept} unchanged`,
  ].join(', ');
  const traffic = `${plural(report.requests, 'registry request')}, ${report.fromCache} answered from the cache`;
  const head = report.written
    ? `Wrote ${report.file}: ${summary}`
    : `${report.file} is up to date: ${summary}`;
  ctx.io.stdout.write(`${[...lines, ...(lines.length > 0 ? [''] : []), ctx.out.green(head)].join('\n')}\n`);
  if (!ctx.global.quiet) ctx.io.stderr.write(`${ctx.err.dim(`(${traffic})`)}\n`);
  return 0;
}

function declare(c: Subject) {
  return c
    .argument(
      '[names...]',
      'lock only these environments (default: every environment of every workspace); with --upgrade, the packages to upgrade (default: every one)',
    )
    .option('--check', 'write nothing; exit 1 when envsync.lock is not up to date with the files (offline)')
    .option(
      '--upgrade',
      'move locked versions to the newest the specs and policies allow (min_release_age), with a summary of what moved and what it fixes',
    )
    .option('--offline', 'use only envsync.lock and the registry cache; never the network')
    .addOption(formatOption(['text', 'json', 'markdown'], 'text'));
}
type LockOptions = OptionsOf<typeof declare>;

export default defineCommand({
  name: 'lock',
  description: 'resolve every package to one version with its registry and write envsync.lock',
  needs: ['registries'],
  examples: [
    'envsync lock                              # every environment of every workspace',
    'envsync lock --check                      # CI: exit 1 when envsync.lock is not up to date',
    'envsync lock data-analysis --workspace production',
    'envsync lock --upgrade pandas --format markdown   # a pull request body',
  ],
  exitCodes:
    '0 written or up to date, 1 error (a package or version that does not exist, a registry failure; --check: out of date)',
  conflicts: [{ flag: 'upgrade', with: ['check'], hint: 'upgrade first, then check the lock in CI' }],
  declare,
  handler: runLock,
});
