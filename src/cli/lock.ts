// `envsync lock [NAME]...`: resolve every package spec to one version and write envsync.lock; --check reads it.

import { escapeText } from '../text/escape.js';
import { type LockChange, lockProject } from '../workflow/lock.js';
import { allWorkspaces } from '../workflow/project.js';
import { type Ctx, plural } from './context.js';
import { defineCommand, type OptionsOf, type Subject } from './define.js';
import { formatOption } from './options.js';
import { registryRun } from './registries.js';
import { formatDiagnostics } from './render-errors.js';
import { projectFor } from './shared.js';

function changeLine(c: LockChange): string {
  const where = c.section === null ? '' : ` [workspace ${c.section}]`;
  const what = `${c.manager} ${escapeText(c.spec)}${where}`;
  if (c.before === null) return `  + ${what}  ${c.after}`;
  if (c.after === null) return `  - ${what}  (no environment installs it)`;
  return `  ~ ${what}  ${c.before} → ${c.after}`;
}

async function runLock(ctx: Ctx, names: string[], opts: LockOptions): Promise<number> {
  const one = ctx.global.workspace !== undefined;
  const projects = one
    ? [projectFor(ctx, 'files')]
    : allWorkspaces({
        cwd: ctx.io.cwd,
        local: ctx.global.local,
        changelog: undefined,
        dir: undefined,
        needs: 'files',
      });
  const report = await lockProject({
    ...registryRun(ctx, opts.offline === true),
    projects,
    names,
    whole: names.length === 0 && (!one || projects.length <= 1),
    check: opts.check === true,
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
    .argument('[names...]', 'lock only these environments (default: every environment of every workspace)')
    .option('--check', 'write nothing; exit 1 when envsync.lock is not up to date with the files (offline)')
    .option('--offline', 'use only envsync.lock and the registry cache; never the network')
    .addOption(formatOption(['text', 'json'], 'text'));
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
  ],
  exitCodes:
    '0 written or up to date, 1 error (a package or version that does not exist, a registry failure; --check: out of date)',
  declare,
  handler: runLock,
});
