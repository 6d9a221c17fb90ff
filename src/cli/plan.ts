// `envsync plan [DIR]`: what apply would do, in text, JSON or markdown; never changes anything.

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { EnvsyncError, wrapFsError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import type { LockNotes, Plan } from '../model.js';
import { renderPlanMarkdown } from '../plan/render-markdown.js';
import { renderPlanText } from '../plan/render-text.js';
import { planExitCode } from '../plan/summary.js';
import type { Ctx } from './context.js';
import { defineCommand, type OptionsOf, type Subject } from './define.js';
import { addPackageFlags, addPlanFlags, formatOption, intOption, targetOption } from './options.js';
import { planFiles, refuseFileAsDir, scopedPlan } from './shared.js';

export type PlanFormat = 'text' | 'json' | 'markdown';

export function renderPlan(
  ctx: Ctx,
  plan: Plan,
  format: PlanFormat,
  opts: { compact?: true | undefined; explain?: true | undefined; maxBytes: number },
  locks: LockNotes = {},
): string {
  const explain = opts.explain === true;
  if (format === 'json') return `${JSON.stringify(plan, null, 2)}\n`;
  if (format === 'markdown') return renderPlanMarkdown(plan, { maxChars: opts.maxBytes, explain, locks });
  return renderPlanText(plan, ctx.out, { compact: opts.compact === true, explain, locks });
}

/** Where --out goes, checked before any API call: a directory or a missing parent is bad input. */
export function outPath(ctx: Ctx, out: string): string {
  const file = path.resolve(ctx.io.cwd, out);
  const problem =
    existsSync(file) && statSync(file).isDirectory()
      ? 'is a directory'
      : !existsSync(path.dirname(file))
        ? 'is in a directory that does not exist'
        : undefined;
  if (problem)
    throw new EnvsyncError('invalid_out', `--out ${out} ${problem}`, {
      hint: 'pass the path of a file to write, e.g. plan.json',
    });
  return file;
}

async function runPlan(ctx: Ctx, dir: string | undefined, opts: PlanOptions): Promise<number> {
  const format: PlanFormat = opts.format;
  const out = opts.out || undefined;
  const outFile = out ? outPath(ctx, out) : undefined;
  refuseFileAsDir(ctx, dir, (file) => `to look at a saved plan: \`envsync show ${file}\``);
  const { plan, desired } = await planFiles(ctx, dir, opts);
  // Hints in what people read carry this run's --local/--workspace; JSON stays the plan as made.
  const text = renderPlan(ctx, format === 'json' ? plan : scopedPlan(ctx, plan), format, opts, desired.locks);
  ctx.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  if (out && outFile) {
    try {
      await writeFileAtomic(outFile, ctx.redactor.redact(`${JSON.stringify(plan, null, 2)}\n`));
    } catch (e) {
      throw wrapFsError(e, out, 'write the plan to');
    }
    if (!ctx.global.quiet)
      ctx.io.stderr.write(
        `Saved the plan to ${out}; run \`envsync apply --plan ${out}\` to apply exactly it.\n`,
      );
  }
  return planExitCode(plan, opts.detailedExitcode === true);
}

function declare(c: Subject) {
  const command = c
    .argument('[dir]', "directory of environment files (default: the project file's dirs)")
    .option('--out <file>', 'save the plan for `apply --plan FILE`')
    .addOption(formatOption(['text', 'json', 'markdown'], 'text'))
    .option('--detailed-exitcode', 'exit 0 without changes, 2 with changes (1 error, 3 blocked)')
    .option('--compact', 'one line per environment (text format)')
    .option(
      '--explain',
      'after each field change, the file and line it comes from (a base, for an inherited value); JSON always has it',
    )
    .addOption(
      intOption(
        '--max-bytes <n>',
        'markdown: above N characters keep warnings and the summary, list the rest by name (GitHub comments hold 65,536)',
        60_000,
        1000,
      ),
    )
    .addOption(targetOption());
  return addPackageFlags(addPlanFlags(command));
}
export type PlanOptions = OptionsOf<typeof declare>;

export default defineCommand({
  name: 'plan',
  description: 'show what apply would change: create, update, recreate, archive, adopt',
  needs: ['api', 'registries'],
  examples: [
    'envsync plan --local                      # against the embedded local API',
    'envsync plan --workspace staging --out plan.json',
    'envsync plan --format markdown --detailed-exitcode > plan.md   # a PR comment',
  ],
  exitCodes:
    '0 success (with --detailed-exitcode: no changes), 1 error, 2 changes (--detailed-exitcode), 3 blocked by a safety rule',
  declare,
  handler: runPlan,
});
