// Wires the commands into commander and maps every outcome to an exit code; the only place that catches.

import { Command, CommanderError, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { EnvsyncError } from '../errors.js';
import { Redactor } from '../text/redact.js';
import { type CommandShape, commandNameIn, type GlobalFlags, habitProblem } from '../usage/habits.js';
import { COMMANDS, type LoadCommand } from './commands.js';
import { type ActionFactory, type Ctx, declareGlobals, globalOptions, makeCtx } from './context.js';
import { helpFooter } from './help.js';
import type { CliIo } from './io.js';
import { errorDocument, renderError } from './render-errors.js';

export const VERSION = '0.1.0';

/** The global flags as the program declares them, for the pre-scan that runs before any command is loaded. */
function globalFlags(program: CommandUnknownOpts): GlobalFlags {
  const withValue = program.options.filter((o) => o.required || o.optional);
  return {
    all: [...flagsOf(program), '--help', '--version'],
    withValue: new Set(
      withValue.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)),
    ),
  };
}

/**
 * Which command modules this command line needs: the one it names; none for `--version` alone; all of them
 * for help, no command, or an unknown one (so commander can list them or suggest the nearest).
 */
export function commandsToLoad(argv: readonly string[], globals: GlobalFlags): LoadCommand[] {
  const named = commandNameIn(argv, globals.withValue);
  const load = named === undefined ? undefined : COMMANDS[named];
  if (load) return [load];
  if (named === undefined && argv.some((a) => a === '--version' || a === '-V')) return [];
  return Object.values(COMMANDS);
}

/** A command's long flags as the habit table reads them (commander's `--no-x` options included). */
function flagsOf(command: { options: readonly { long?: string | undefined }[] }): string[] {
  return command.options.flatMap((o) => (o.long ? [o.long] : []));
}

function commandShapes(commands: readonly CommandUnknownOpts[]): CommandShape[] {
  // A command with subcommands (`preview up`) takes its subcommands' flags too.
  return commands.map((c) => ({
    name: c.name(),
    flags: [...flagsOf(c), ...c.commands.flatMap(flagsOf), '--help'],
  }));
}

export async function main(argv: string[], edges: CliIo): Promise<number> {
  // Nothing envsync prints carries a secret, whatever a server echoed: the key is removed by value.
  const redactor = new Redactor();
  redactor.addFromEnv(edges.env);
  // stdout carries at most one JSON document: an error document only if the command printed nothing yet.
  let stdoutUsed = false;
  const io: CliIo = {
    ...edges,
    stdout: {
      write: (s: string) => {
        stdoutUsed = true;
        return edges.stdout.write(redactor.redact(s));
      },
    },
    stderr: { write: (s: string) => edges.stderr.write(redactor.redact(s)) },
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
      ctx = makeCtx(io, globalOptions(program.opts()), redactor);
      const command = args.at(-1);
      jsonOutput = command instanceof Command && command.getOptionValue('format') === 'json';
      code = await handler(ctx, ...args);
    };

  // A command's help lists its own flags; the global ones are on `envsync --help`, named in each footer.
  program.configureHelp({ showGlobalOptions: false });
  const globals = globalFlags(program);
  for (const load of commandsToLoad(argv, globals)) {
    const definition = await load();
    const command = definition.register(program, action);
    // Then its examples, variables and exit codes; a subcommand (`preview up`) ends with its command's.
    command.addHelpText('after', helpFooter(definition));
    for (const sub of command.commands) sub.addHelpText('after', helpFooter(definition));
  }

  try {
    // Terraform and decK habits (`-out`, `plan --auto-approve`, `import`) get envsync's way, not a bare refusal.
    const habit = habitProblem(argv, commandShapes(program.commands), globals);
    if (habit) throw new EnvsyncError('usage', habit.message, { hint: habit.hint });
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
