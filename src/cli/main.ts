// Wires the commands into commander and maps every outcome to an exit code; the only place that catches.

import { Command, CommanderError } from '@commander-js/extra-typings';
import { registerApply } from './apply.js';
import {
  type ActionFactory,
  type Ctx,
  declareGlobals,
  errorDocument,
  globalOptions,
  makeCtx,
  renderError,
} from './context.js';
import { registerEmulator } from './emulator.js';
import { registerExport } from './export.js';
import { helpFooter } from './help.js';
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

export async function main(argv: string[], edges: CliIo): Promise<number> {
  // stdout carries at most one JSON document: an error document only if the command printed nothing yet.
  let stdoutUsed = false;
  const io: CliIo = {
    ...edges,
    stdout: {
      write: (s: string) => {
        stdoutUsed = true;
        return edges.stdout.write(s);
      },
    },
  };
  let code = 0;
  let ctx: Ctx | undefined;
  /** Set once a command with `--format json` runs: its errors then also go to stdout as a JSON document. */
  let jsonOutput = false;
  const program = declareGlobals(
    new Command('envsync')
      .description('Keep Claude Managed Agents environments in step with a directory of YAML files.')
      .version(VERSION),
  )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Usage errors read like every other error, with their code.
      outputError: (s, write) => write(s.replace(/^error: /, 'error[usage]: ')),
    });

  const action: ActionFactory =
    (handler) =>
    async (...args) => {
      // Global flags are the program's own options: commander reads them anywhere on the line.
      ctx = makeCtx(io, globalOptions(program.opts()));
      const command = args.at(-1);
      jsonOutput = command instanceof Command && command.getOptionValue('format') === 'json';
      code = await handler(ctx, ...args);
    };

  // Every command's help shows the global flags too (commands copy this setting when they are made).
  program.configureHelp({ showGlobalOptions: true });
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

  // Then its examples, variables and exit codes.
  for (const command of program.commands) command.addHelpText('after', helpFooter(command.name()));

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are successes; every usage error is exit 1.
      return e.exitCode === 0 ? 0 : 1;
    }
    if (jsonOutput && !stdoutUsed) io.stdout.write(`${JSON.stringify(errorDocument(e), null, 2)}\n`);
    return renderError(ctx, io, e, ctx?.global.verbose ?? argv.includes('--verbose'));
  }
}
