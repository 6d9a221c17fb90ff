// `envsync apply [DIR]` / `apply --plan FILE`: plan (or load a saved plan), confirm, apply, record.

import { createInterface } from 'node:readline';
import { BlockedError, EnvsyncError, StalePlanError } from '../errors.js';
import type { LockNotes, Plan } from '../model.js';
import { renderPlanText } from '../plan/render-text.js';
import { summaryLine } from '../plan/summary.js';
import { escapeText } from '../text/escape.js';
import { type ApplyOutcome, type ApplySource, applyChanges } from '../workflow/apply.js';
import { packageGate } from '../workflow/gate.js';
import type { Ctx } from './context.js';
import { defineCommand, type OptionsOf, type Subject } from './define.js';
import {
  addPackageFlags,
  addPlanFlags,
  intOption,
  lockTimeoutOption,
  rateLimitOption,
  targetOption,
} from './options.js';
import { registryRun } from './registries.js';
import { applySummaryLine } from './render-apply.js';
import { errorBlock } from './render-errors.js';
import { cliReporter } from './reporter.js';
import {
  checkRegistries,
  connectFrom,
  loadProjectFiles,
  planSettings,
  projectFor,
  readSavedPlan,
  refuseFileAsDir,
  runSetup,
  sayScope,
  scopedPlan,
  warnAboutWarnings,
} from './shared.js';

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

function outcomeCode(ctx: Ctx, outcome: ApplyOutcome): number {
  switch (outcome.status) {
    case 'blocked':
      throw new BlockedError(outcome.plan.blocked);
    case 'stale':
      throw new StalePlanError(outcome.reasons);
    case 'unchanged':
      return 0;
    case 'cancelled':
      // As Terraform: not applying what was asked for is not a success a script should go on from.
      ctx.io.stderr.write('Apply cancelled; nothing was changed.\n');
      return 1;
    case 'applied':
      break;
  }
  const result = outcome.result;
  // The messages carry a server's words: drawn like every other error, escaped.
  for (const f of result.failed) ctx.io.stderr.write(errorBlock(ctx, f.code, f.message, f.hint));
  if (result.stopped) {
    const { code, message, hint } = result.stopped;
    ctx.io.stderr.write(errorBlock(ctx, code, `${message}; no further change was sent`, hint));
  }
  const line = applySummaryLine(result);
  const bad =
    result.failed.length > 0 || result.stopped !== null || result.unrecorded.length > 0 || result.interrupted;
  ctx.io.stdout.write(`\n${bad ? ctx.out.red(line) : ctx.out.green(line)}\n`);
  if (!bad) return 0;
  if (result.interrupted) {
    const names = result.notStartedNames;
    ctx.io.stderr.write(
      `Interrupted: what was running finished and is recorded; not started: ${names.length > 0 ? names.map(escapeText).join(', ') : 'nothing'}.\nRun \`envsync plan\` to see what is left.\n`,
    );
    return 130;
  }
  ctx.io.stderr.write(`${closingAdvice(result.stopped?.code, result.unrecorded.length > 0)}\n`);
  return 1;
}

/** What to do after a run that stopped, by why it stopped: a lost lock is not a full disk. */
function closingAdvice(stoppedBy: string | undefined, unrecorded: boolean): string {
  if (stoppedBy === 'lock_lost')
    return 'This run lost the changelog lock, so it stopped writing; run apply again once the other apply is done: it records what this run could not.';
  if (stoppedBy?.startsWith('api_'))
    return 'The API gave an answer envsync could not believe, so this run stopped writing; run `envsync plan` to see where things stand.';
  if (stoppedBy !== undefined || unrecorded)
    return 'Run apply again once the changelog is writable: it records what this run could not, then finishes.';
  return 'Run `envsync plan` to see what is left; everything that did change is in the changelog.';
}

async function runApply(ctx: Ctx, dir: string | undefined, opts: ApplyOptions): Promise<number> {
  refuseFileAsDir(ctx, dir, (file) => `to apply a saved plan: \`envsync apply --plan ${file}\``);
  const project = projectFor(ctx, 'api', dir);
  // The input, read before connecting: bad files or a bad plan file stop here.
  const input = opts.plan
    ? { kind: 'saved' as const, plan: readSavedPlan(ctx, opts.plan) }
    : { kind: 'files' as const, locked: loadProjectFiles(ctx, project, opts.frozen === true) };
  const reporter = cliReporter(ctx);
  // From the moment changes start: the first Ctrl-C lets what runs finish and be recorded, then stops.
  const interrupt = new AbortController();
  let stopListening: (() => void) | undefined;
  const beginApplying = (total: number) => {
    reporter.start(total);
    stopListening = ctx.io.onInterrupt?.(() => {
      ctx.io.stderr.write(
        '\nInterrupted: finishing the changes in flight and recording them (Ctrl-C again stops at once; the next apply recovers).\n',
      );
      interrupt.abort();
    });
  };
  const confirmation = async (plan: Plan): Promise<boolean> => {
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
    const yes = await confirm(ctx, `\nApply these ${n} change${n === 1 ? '' : 's'}? [y/N] `);
    if (yes) beginApplying(n);
    return yes;
  };
  // Connecting checks the base URL and the key, sending nothing: bad input stops before any request.
  const conn = await connectFrom(ctx, project, reporter, opts.rateLimit);
  try {
    let source: ApplySource;
    if (input.kind === 'saved') {
      source = {
        kind: 'saved',
        plan: input.plan,
        project: project.project,
        workspace: project.workspace?.name ?? null,
      };
    } else {
      const checked = await checkRegistries(ctx, project, input.locked, opts.offline === true);
      // The supply-chain gate holds for apply as for plan: a blocked finding blocks the plan apply makes.
      const gate = await packageGate(project, checked, registryRun(ctx, opts.offline === true));
      const desired = { ...checked, diagnostics: [...checked.diagnostics, ...gate.warnings] };
      warnAboutWarnings(ctx, desired);
      source = {
        kind: 'files',
        desired,
        settings: { ...planSettings(opts, project), findings: gate.findings },
      };
    }
    sayScope(ctx, project);
    const locks: LockNotes = input.kind === 'files' ? input.locked.locks : {};
    const outcome = await applyChanges(source, {
      ...runSetup(ctx, project, conn, reporter, opts.lockTimeout),
      parallelism: opts.parallelism,
      interrupt: interrupt.signal,
      host: {
        planned: (plan) => {
          // --quiet: the one-line summary stands for the plan (errors and the question still show).
          const text = ctx.global.quiet
            ? summaryLine(plan)
            : renderPlanText(scopedPlan(ctx, plan), ctx.out, {
                compact: opts.compact === true,
                explain: opts.explain === true,
                locks,
              });
          ctx.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
          // A saved plan or --auto-approve runs at once: progress counts from here.
          if (opts.autoApprove || opts.plan) beginApplying(changeCount(plan));
        },
        confirm: opts.autoApprove ? 'auto' : confirmation,
      },
    });
    reporter.stop();
    return outcomeCode(ctx, outcome);
  } finally {
    stopListening?.();
    reporter.stop();
    await conn.close();
  }
}

function declare(c: Subject) {
  const command = c
    .argument('[dir]', "directory of environment files (default: the project file's dirs)")
    .option('--plan <file>', 'apply exactly this saved plan (from `plan --out`), if nothing changed since')
    .option('--auto-approve', 'do not ask for confirmation (for CI)')
    .option('--compact', 'print the plan one line per environment')
    .option('--explain', 'after each field change in the plan, the file and line it comes from')
    .addOption(intOption('--parallelism <n>', 'actions in flight at once', 8, 1))
    .addOption(lockTimeoutOption())
    .addOption(rateLimitOption())
    .addOption(targetOption());
  return addPackageFlags(addPlanFlags(command));
}
type ApplyOptions = OptionsOf<typeof declare>;

export default defineCommand({
  name: 'apply',
  description: 'apply the plan: make the live environments match the files, recording every change',
  needs: ['api', 'registries'],
  examples: [
    'envsync apply --local --auto-approve',
    'envsync apply --plan plan.json           # exactly the saved plan',
    'envsync apply --workspace production --target data-analysis',
    'envsync apply --auto-approve --lock-timeout 5m   # wait for another apply',
  ],
  exitCodes:
    '0 success or nothing to do, 1 error (bad input, API failure, stale plan, a failed action, a --target that matches nothing, cancelled at the prompt), 3 blocked by a safety rule',
  declare,
  // Flags that shape a plan cannot change a saved one: said, rather than ignored.
  conflicts: [
    {
      flag: 'plan',
      with: ['adopt', 'maxArchive', 'allowReferenced', 'target', 'frozen', 'offline'],
      message: (refused) => `${refused} cannot change a saved plan`,
      hint: 'a saved plan runs exactly as it was made: make a new one with `envsync plan --out FILE` and those flags',
    },
  ],
  handler: runApply,
});
