// `envsync forget NAME...`: stop managing environments without archiving them (Terraform's removed { destroy = false }).

import { escapeText } from '../text/escape.js';
import { forgetEnvironments } from '../workflow/forget.js';
import { type ActionFactory, type Ctx, type Program, say, scopedCommand } from './context.js';
import { lockTimeoutOption, type OptsOf } from './options.js';
import { cliReporter } from './reporter.js';
import { connectFrom, loadProjectFiles, projectFor, runIdentity, sayScope } from './shared.js';

async function runForget(ctx: Ctx, names: string[], opts: ForgetOptions): Promise<number> {
  const project = projectFor(ctx, 'api');
  // Files with errors stop here, as for plan: which names they declare must be known for sure.
  const desired = loadProjectFiles(project);
  sayScope(ctx, project);
  const reporter = cliReporter(ctx);
  const conn = await connectFrom(ctx, project, reporter, undefined);
  try {
    const done = await forgetEnvironments({
      api: conn.api,
      changelogPath: project.changelogPath,
      reporter,
      identity: runIdentity(ctx, project, conn.api.target),
      now: () => new Date(),
      project: project.project,
      lockTimeoutMs: opts.lockTimeout,
      names,
      desired: desired.environments,
      dryRun: opts.dryRun === true,
    });
    const verb = opts.dryRun ? 'would forget' : 'forgot';
    for (const f of done)
      ctx.io.stdout.write(`${ctx.out.yellow(verb)}  ${escapeText(f.name)} (${f.env_id})\n`);
    say(
      ctx,
      opts.dryRun
        ? 'Nothing changed (--dry-run).'
        : `It keeps running as it is; envsync no longer plans for it (no archive, no update). To manage it again: a file for it and ${scopedCommand(ctx, 'apply --adopt')}.`,
    );
    return 0;
  } finally {
    await conn.close();
  }
}

function declareForget(program: Program) {
  return program
    .command('forget')
    .description(
      'stop managing environments without archiving them: remove envsync’s ownership tags, record it in the changelog',
    )
    .argument('<name...>', 'live environment names (already removed from the files)')
    .option('--dry-run', 'say which environments would be forgotten; change nothing')
    .addOption(lockTimeoutOption());
}
type ForgetOptions = OptsOf<ReturnType<typeof declareForget>>;

export function registerForget(program: Program, action: ActionFactory): void {
  declareForget(program).action(action(runForget));
}
