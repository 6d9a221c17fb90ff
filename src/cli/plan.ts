// `envsync plan [DIR]`: what apply would do, in text, JSON or markdown; never changes anything.

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import type { Plan } from '../model.js';
import { planExitCode } from '../plan/planner.js';
import { renderPlanMarkdown } from '../plan/render-markdown.js';
import { renderPlanText } from '../plan/render-text.js';
import { loadDesiredOrThrow, planOnly } from '../workflow/session.js';
import type { ActionFactory, Ctx } from './context.js';
import { cliReporter } from './reporter.js';
import {
  addPlanFlags,
  changelogPath,
  collect,
  connectFrom,
  planSettings,
  warnAboutWarnings,
} from './shared.js';

export type PlanFormat = 'text' | 'json' | 'markdown';

export function renderPlan(ctx: Ctx, plan: Plan, format: PlanFormat): string {
  if (format === 'json') return `${JSON.stringify(plan, null, 2)}\n`;
  if (format === 'markdown') return renderPlanMarkdown(plan);
  return renderPlanText(plan, ctx.out);
}

/** Writes a file whole or not at all. */
export function writeAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

async function runPlan(ctx: Ctx, dir: string, opts: Record<string, unknown>): Promise<number> {
  const format = opts.format as PlanFormat;
  const desired = loadDesiredOrThrow(path.resolve(ctx.io.cwd, dir), ctx.io.cwd);
  warnAboutWarnings(ctx, desired);
  const reporter = cliReporter(ctx);
  const conn = await connectFrom(ctx, reporter, undefined);
  try {
    const { plan } = await planOnly(desired, {
      api: conn.api,
      changelogPath: changelogPath(ctx),
      reporter,
      settings: planSettings(opts),
    });
    const out = renderPlan(ctx, plan, format);
    ctx.io.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
    if (opts.out) {
      const file = path.resolve(ctx.io.cwd, opts.out as string);
      writeAtomic(file, `${JSON.stringify(plan, null, 2)}\n`);
      if (!ctx.global.quiet)
        ctx.io.stderr.write(
          `Saved the plan to ${opts.out}; run \`envsync apply --plan ${opts.out}\` to apply exactly it.\n`,
        );
    }
    return planExitCode(plan, Boolean(opts.detailedExitcode));
  } finally {
    await conn.close();
  }
}

export function registerPlan(program: Command, action: ActionFactory): void {
  const command = program
    .command('plan')
    .description('show what apply would change: create, update, recreate, archive, adopt')
    .argument('[dir]', 'directory of environment files', 'environments')
    .option('--out <file>', 'save the plan for `apply --plan FILE`')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'),
    )
    .option('--detailed-exitcode', 'exit 0 without changes, 2 with changes (1 error, 3 blocked)')
    .option('--target <name>', 'plan only this environment (repeatable)', collect, []);
  addPlanFlags(command).action(action((ctx, [dir], opts) => runPlan(ctx, dir ?? 'environments', opts)));
}
