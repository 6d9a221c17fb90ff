// `envsync fmt [DIR] [--check]`: the environment files in their canonical layout (as terraform fmt), or a CI check.

import { formatFiles } from '../workflow/fmt.js';
import { type Ctx, plural, say } from './context.js';
import { defineCommand, type OptionsOf, type Subject } from './define.js';
import { formatDiagnostics } from './render-errors.js';
import { projectFor } from './shared.js';

async function runFmt(ctx: Ctx, dir: string | undefined, opts: FmtOptions): Promise<number> {
  const project = projectFor(ctx, 'files', dir);
  const check = opts.check === true;
  const report = await formatFiles({ dirs: project.dirs, cwd: ctx.io.cwd, check });
  // The file names on stdout, one a line, as terraform fmt prints them: what a script or CI log reads.
  for (const file of report.changed) ctx.io.stdout.write(`${file}\n`);
  if (report.skipped.length > 0) ctx.io.stderr.write(`${formatDiagnostics(report.skipped, ctx.err)}\n`);
  const total = report.changed.length + report.unchanged;
  if (check && report.changed.length > 0) {
    say(
      ctx,
      `${plural(report.changed.length, 'file')} of ${total} not formatted; run \`envsync fmt\` to format ${report.changed.length === 1 ? 'it' : 'them'}.`,
    );
    return 1;
  }
  say(
    ctx,
    check
      ? `${plural(total, 'file')} formatted.`
      : `${plural(report.changed.length, 'file')} formatted, ${report.unchanged} already were.`,
  );
  return report.skipped.some((d) => d.severity === 'error') ? 1 : 0;
}

function declare(c: Subject) {
  return c
    .argument('[dir]', "directory of environment files (default: the project file's dirs)")
    .option(
      '--check',
      'write nothing; list the files that are not formatted and exit 1 if there are any (for CI)',
    );
}
type FmtOptions = OptionsOf<typeof declare>;

export default defineCommand({
  name: 'fmt',
  description:
    'rewrite environment files in their canonical layout: key order, sorted package lists and hosts, the modeline; comments kept',
  examples: [
    'envsync fmt',
    'envsync fmt --check                        # in CI: exit 1 and the files to format',
  ],
  exitCodes:
    '0 formatted (with --check: nothing to format), 1 files to format (--check), or a file fmt cannot read',
  declare,
  handler: runFmt,
});
