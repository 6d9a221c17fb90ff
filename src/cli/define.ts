// A command as one definition (wrangler's createCommand is the model): its name, what it declares, which of
// its flags refuse each other, what it reaches beyond its files, its examples and exit codes, and its handler.
// The registry (commands.ts) lists the definitions; main loads only the one a command line names.

import type { Command, CommandUnknownOpts, OptionValues } from '@commander-js/extra-typings';
import { EnvsyncError } from '../errors.js';
import type { ActionFactory, Ctx, Program } from './context.js';
import type { OptsOf } from './options.js';

/** What a command reaches beyond its files; each adds the environment variables its help lists. */
export type Need = 'api' | 'registries';

/** A command as commander makes it under the program (or a group): no arguments yet, the global flags typed. */
// biome-ignore lint/complexity/noBannedTypes: `{}` is how commander's typings spell "no options yet"; another type would not match it.
export type Subject = Command<[], {}, OptsOf<Program>>;

/** Two or more flags that refuse each other: `flag` given with any of `with` is refused before the handler runs. */
export interface Conflict {
  /** Option keys as commander names them (`onlyUnmanaged` for `--only-unmanaged`). */
  flag: string;
  with: readonly string[];
  /** The message from the refused flags as typed (`--frozen, --target`); default: they cannot be used together. */
  message?: (refused: string) => string;
  hint: string;
}

/** A flag that means nothing without another. */
export interface Requirement {
  flag: string;
  needs: string;
  hint: string;
}

/** The parsed options of a declaration (`declare` of a definition): what its handler receives. */
export type OptionsOf<D extends (command: Subject) => unknown> = OptsOf<ReturnType<D>>;

/** What commander passes an action: the arguments, the options, the command. */
type ActionArgs<C> = C extends Command<infer A, infer O, infer _G> ? [...A, O, C] : never;

interface Described {
  name: string;
  description: string;
  needs?: readonly Need[];
  /** Two or three command lines a user would really type, shown at the end of its help. */
  examples?: readonly string[];
  /** What each exit code means for it; default `0 success, 1 error`. */
  exitCodes?: string;
}

export interface CommandSpec<C> extends Described {
  /** Arguments and options, on the command commander made: the handler's parameters are typed from them. */
  declare: (command: Subject) => C;
  conflicts?: readonly Conflict[];
  requires?: readonly Requirement[];
  handler: (ctx: Ctx, ...args: ActionArgs<C>) => Promise<number>;
}

export interface CommandDefinition {
  readonly name: string;
  readonly description: string;
  readonly needs: readonly Need[];
  readonly examples: readonly string[];
  readonly exitCodes: string | undefined;
  readonly subcommands: readonly CommandDefinition[];
  /** Declares it on `parent` (the program, or its group), wires its handler through `action`, returns it. */
  register(parent: Subject | Program, action: ActionFactory): CommandUnknownOpts;
}

/** `onlyUnmanaged` as typed: `--only-unmanaged`. */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Which source commander says an option's value came from; only what was typed can conflict. */
interface Sources {
  getOptionValueSource(key: string): string | undefined;
}

/** Refuses the flags that cannot go together, as the definition declares them: `conflicting_flags`, with its hint. */
export function checkFlags(
  command: Sources,
  conflicts: readonly Conflict[],
  requires: readonly Requirement[],
): void {
  const given = (key: string) => command.getOptionValueSource(key) === 'cli';
  for (const c of conflicts) {
    if (!given(c.flag)) continue;
    const refused = c.with.filter(given).map(flagOf).join(', ');
    if (refused === '') continue;
    throw new EnvsyncError(
      'conflicting_flags',
      c.message?.(refused) ?? `${flagOf(c.flag)} and ${refused} cannot be used together`,
      { hint: c.hint },
    );
  }
  for (const r of requires) {
    if (given(r.flag) && !given(r.needs))
      throw new EnvsyncError('conflicting_flags', `${flagOf(r.flag)} applies to ${flagOf(r.needs)}`, {
        hint: r.hint,
      });
  }
}

function described(spec: Described, subcommands: readonly CommandDefinition[]) {
  return {
    name: spec.name,
    description: spec.description,
    needs: spec.needs ?? [],
    examples: spec.examples ?? [],
    exitCodes: spec.exitCodes,
    subcommands,
  };
}

export function defineCommand<C extends Command<unknown[], OptionValues, OptionValues>>(
  spec: CommandSpec<C>,
): CommandDefinition {
  return {
    ...described(spec, []),
    register(parent, action) {
      const command = spec.declare((parent as Subject).command(spec.name).description(spec.description));
      const handler = async (ctx: Ctx, ...args: ActionArgs<C>): Promise<number> => {
        checkFlags(args.at(-1) as Sources, spec.conflicts ?? [], spec.requires ?? []);
        return spec.handler(ctx, ...args);
      };
      // commander's action takes the same arguments the handler is typed with; its generic cannot see that.
      (command as unknown as { action(f: (...a: unknown[]) => Promise<void>): void }).action(
        action(handler as (ctx: Ctx, ...args: unknown[]) => Promise<number>),
      );
      return command as unknown as CommandUnknownOpts;
    },
  };
}

/** A command whose work is done by its subcommands (`preview up|down|gc`); their help ends with its footer. */
export function defineGroup(
  spec: Described & { subcommands: readonly CommandDefinition[] },
): CommandDefinition {
  return {
    ...described(spec, spec.subcommands),
    register(parent, action) {
      const group = (parent as Subject)
        .command(spec.name)
        .description(spec.description) as unknown as Subject;
      for (const sub of spec.subcommands) sub.register(group, action);
      return group as unknown as CommandUnknownOpts;
    },
  };
}
