// `envsync plan [DIR]`: what apply would do, in text, JSON or markdown; never changes anything.

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { EnvsyncError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import type { Plan } from '../model.js';
import { planExitCode } from '../plan/planner.js';
import { renderPlanMarkdown } from '../plan/render-markdown.js';
import { renderPlanText } from '../plan/render-text.js';
import type { ActionFactory, Ctx } from './context.js';
import { addPlanFlags, collect, planFiles } from './shared.js';

export type PlanFormat = 'text' | 'json' | 'markdown';

export function renderPlan(ctx: Ctx, plan: Plan, format: PlanFormat): string {
  if (format === 'json') return `${JSON.stringify(plan, null, 2)}\n`;
  if (format === 'markdown') return renderPlanMarkdown(plan);
  return renderPlanText(plan, ctx.out);
}

/** Where --out goes, checked before any API call: a directory or a missing parent is bad input. */
function outPath(ctx: Ctx, out: string): string {
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

async function runPlan(ctx: Ctx, dir: string | undefined, opts: Record<string, unknown>): Promise<number> {
  const format = opts.format as PlanFormat;
  const outFile = opts.out ? outPath(ctx, opts.out as string) : undefined;
  const { plan } = await planFiles(ctx, dir, opts);
  const text = renderPlan(ctx, plan, format);
  ctx.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  if (outFile) {
    try {
      await writeFileAtomic(outFile, `${JSON.stringify(plan, null, 2)}\n`);
    } catch (e) {
      throw new EnvsyncError(
        'write_failed',
        `could not write the plan to ${opts.out}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    if (!ctx.global.quiet)
      ctx.io.stderr.write(
        `Saved the plan to ${opts.out}; run \`envsync apply --plan ${opts.out}\` to apply exactly it.\n`,
      );
  }
  return planExitCode(plan, Boolean(opts.detailedExitcode));
}

export function registerPlan(program: Command, action: ActionFactory): void {
  const command = program
    .command('plan')
    .description('show what apply would change: create, update, recreate, archive, adopt')
    .argument('[dir]', "directory of environment files (default: the project file's dirs)")
    .option('--out <file>', 'save the plan for `apply --plan FILE`')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'),
    )
    .option('--detailed-exitcode', 'exit 0 without changes, 2 with changes (1 error, 3 blocked)')
    .option('--target <name>', 'plan only this environment (repeatable)', collect, []);
  addPlanFlags(command).action(action((ctx, [dir], opts) => runPlan(ctx, dir, opts)));
}
