// `envsync apply [DIR]` / `apply --plan FILE`: plan (or load a saved plan), confirm, apply, record.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { actorFrom, gitCommit } from '../apply/context.js';
import { applySummaryLine } from '../apply/execute.js';
import { BlockedError, EnvsyncError } from '../errors.js';
import type { Plan } from '../model.js';
import { parsePlanFile } from '../plan/plan-file.js';
import { planHasChanges } from '../plan/planner.js';
import { renderPlanText } from '../plan/render-text.js';
import { ApplySession, loadDesiredOrThrow } from '../workflow/session.js';
import type { ActionFactory, Ctx, Program } from './context.js';
import { addPlanFlags, intOption, type OptsOf, rateLimitOption } from './options.js';
import { cliReporter } from './reporter.js';
import { changelogPath, connectFrom, planSettings, warnAboutWarnings } from './shared.js';

function changeCount(plan: Plan): number {
  return plan.actions.filter((a) => a.kind !== 'noop').length;
}

/** Asks on the terminal; only an explicit yes applies. */
async function confirm(ctx: Ctx, question: string): Promise<boolean> {
  ctx.io.stderr.write(question);
  const rl = createInterface({ input: ctx.io.stdin, terminal: false });
  const answer = await new Promise<string>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(''));
  });
  rl.close();
  return /^\s*(y|yes)\s*$/i.test(answer);
}

function readPlan(ctx: Ctx, file: string): Plan {
  let text: string;
  try {
    text = readFileSync(path.resolve(ctx.io.cwd, file), 'utf8');
  } catch {
    throw new EnvsyncError('no_plan_file', `cannot read the plan file ${file}`, {
      hint: 'make one with `envsync plan --out FILE`',
    });
  }
  return parsePlanFile(text, file);
}

async function runApply(ctx: Ctx, dir: string, opts: ApplyOptions): Promise<number> {
  const saved = opts.plan ? readPlan(ctx, opts.plan) : undefined;
  const desired = saved ? undefined : loadDesiredOrThrow(path.resolve(ctx.io.cwd, dir), ctx.io.cwd);
  if (desired) warnAboutWarnings(ctx, desired);
  const reporter = cliReporter(ctx);
  const conn = await connectFrom(ctx, reporter, opts.rateLimit);
  try {
    const session = await ApplySession.open({
      api: conn.api,
      changelogPath: changelogPath(ctx),
      reporter,
      identity: {
        actor: actorFrom(ctx.io.env),
        git_commit: gitCommit(
          existsSync(path.resolve(ctx.io.cwd, dir)) ? path.resolve(ctx.io.cwd, dir) : ctx.io.cwd,
        ),
        target: conn.api.target,
      },
      now: () => new Date(),
    });
    try {
      let plan: Plan;
      if (saved) {
        plan = saved;
        session.checkSaved(plan);
      } else {
        plan = session.plan(desired as NonNullable<typeof desired>, planSettings(opts));
      }
      ctx.io.stdout.write(renderPlanText(plan, ctx.out));
      if (plan.blocked.length > 0) throw new BlockedError(plan.blocked);
      if (!planHasChanges(plan)) return 0;
      if (!saved && !opts.autoApprove) {
        if (!ctx.io.stdinIsTTY) {
          throw new EnvsyncError(
            'not_approved',
            'refusing to apply without confirmation: stdin is not a terminal',
            {
              hint: 'review the plan, then run again with --auto-approve (as CI does)',
            },
          );
        }
        const n = changeCount(plan);
        if (!(await confirm(ctx, `\nApply these ${n} change${n === 1 ? '' : 's'}? [y/N] `))) {
          ctx.io.stderr.write('Apply cancelled; nothing was changed.\n');
          return 0;
        }
        await session.checkFresh(plan);
      }
      const result = await session.apply(plan, opts.parallelism);
      for (const f of result.failed) {
        ctx.io.stderr.write(
          `${ctx.err.red('error')}: ${f.message}\n${f.hint ? `  ${ctx.err.cyan('hint')}: ${f.hint}\n` : ''}`,
        );
      }
      const line = applySummaryLine(result);
      ctx.io.stdout.write(`\n${result.failed.length > 0 ? ctx.out.red(line) : ctx.out.green(line)}\n`);
      if (result.failed.length > 0) {
        ctx.io.stderr.write(
          'Run `envsync plan` to see what is left; everything that did change is in the changelog.\n',
        );
        return 1;
      }
      return 0;
    } finally {
      session.close();
    }
  } finally {
    await conn.close();
  }
}

function declareApply(program: Program) {
  const command = program
    .command('apply')
    .description('apply the plan: make the live environments match the files, recording every change')
    .argument('[dir]', 'directory of environment files', 'environments')
    .option('--plan <file>', 'apply exactly this saved plan (from `plan --out`), if nothing changed since')
    .option('--auto-approve', 'do not ask for confirmation (for CI)')
    .addOption(intOption('--parallelism <n>', 'actions in flight at once', 8, 1))
    .addOption(rateLimitOption());
  return addPlanFlags(command);
}
type ApplyOptions = OptsOf<ReturnType<typeof declareApply>>;

export function registerApply(program: Program, action: ActionFactory): void {
  declareApply(program).action(action(runApply));
}
