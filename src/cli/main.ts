// Wires the commands into commander and maps every outcome to an exit code; the only place that catches.

import { Command, CommanderError } from 'commander';
import { registerApply } from './apply.js';
import { type ActionFactory, type Ctx, makeCtx, renderError } from './context.js';
import { registerEmulator } from './emulator.js';
import { registerExport } from './export.js';
import { registerHistory } from './history.js';
import { registerInit } from './init.js';
import type { CliIo } from './io.js';
import { registerPlan } from './plan.js';
import { registerResolve } from './resolve.js';
import { registerShow } from './show.js';
import { registerStatus } from './status.js';
import { registerValidate } from './validate.js';
import { registerVerify } from './verify.js';

export const VERSION = '0.1.0';

export async function main(argv: string[], io: CliIo): Promise<number> {
  let code = 0;
  let ctx: Ctx | undefined;
  const program = new Command('envsync')
    .description('Keep Claude Managed Agents environments in step with a directory of YAML files.')
    .version(VERSION)
    .option('--local', 'use the embedded local Environments API (state in .envsync/local/)')
    .option(
      '--base-url <url>',
      'Environments API base URL (default: $ANTHROPIC_BASE_URL or https://api.anthropic.com)',
    )
    .option('--workspace <name>', 'a workspace of the project file (required when it defines several)')
    .option(
      '--changelog <path>',
      'changelog file (default: .envsync/changelog.jsonl, per workspace .envsync/changelog/<name>.jsonl)',
    )
    .option('--no-color', 'never colour the output')
    .option('--quiet', 'print only results and errors')
    .option('--verbose', 'print request ids, timings and stack traces')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });

  const action: ActionFactory =
    (handler) =>
    async (...all) => {
      const command = all[all.length - 1] as Command;
      const opts = all[all.length - 2] as Record<string, unknown>;
      const args = all.slice(0, -2) as string[];
      ctx = makeCtx(io, command);
      code = await handler(ctx, args, opts);
    };

  registerInit(program, action);
  registerValidate(program, action);
  registerPlan(program, action);
  registerApply(program, action);
  registerStatus(program, action);
  registerHistory(program, action);
  registerShow(program, action);
  registerResolve(program, action);
  registerVerify(program, action);
  registerExport(program, action);
  registerEmulator(program, action);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are successes; every usage error is exit 1.
      return e.exitCode === 0 ? 0 : 1;
    }
    return renderError(ctx, io, e, ctx?.global.verbose ?? argv.includes('--verbose'));
  }
}
