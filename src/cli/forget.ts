// `envsync forget NAME...`: stop managing environments without archiving them (Terraform's removed { destroy = false }).

import { escapeText } from '../text/escape.js';
import { forgetEnvironments } from '../workflow/forget.js';
import { type Ctx, say, scopedCommand } from './context.js';
import { defineCommand, type OptionsOf, type Subject } from './define.js';
import { lockTimeoutOption } from './options.js';
import { cliReporter } from './reporter.js';
import { connectFrom, loadProjectFiles, projectFor, runSetup, sayScope } from './shared.js';

async function runForget(ctx: Ctx, names: string[], opts: ForgetOptions): Promise<number> {
  const project = projectFor(ctx, 'api');
  // Files with errors stop here, as for plan: which names they declare must be known for sure.
  const desired = loadProjectFiles(ctx, project);
  sayScope(ctx, project);
  const reporter = cliReporter(ctx);
  const conn = await connectFrom(ctx, project, reporter, undefined);
  try {
    const done = await forgetEnvironments({
      ...runSetup(ctx, project, conn, reporter, opts.lockTimeout),
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

function declare(c: Subject) {
  return c
    .argument('<name...>', 'live environment names (already removed from the files)')
    .option('--dry-run', 'say which environments would be forgotten; change nothing')
    .addOption(lockTimeoutOption());
}
type ForgetOptions = OptionsOf<typeof declare>;

export default defineCommand({
  name: 'forget',
  description:
    'stop managing environments without archiving them: remove envsync’s ownership tags, record it in the changelog',
  needs: ['api'],
  examples: [
    'envsync forget legacy-runner --dry-run',
    'envsync forget legacy-runner             # after removing its file; it keeps running, unmanaged',
  ],
  exitCodes:
    '0 forgotten (or, with --dry-run, would be), 1 error: unknown, not managed, still declared, another project’s',
  declare,
  handler: runForget,
});
