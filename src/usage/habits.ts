// What people type from Terraform, decK and habit, and what envsync says instead: a table per habit, all pure.

import { closest } from '../config/suggest.js';

/**
 * The program's global flags, as the program declares them (never a hand copy): every one, and those that take
 * a value — whose value is never the command's name.
 */
export interface GlobalFlags {
  all: readonly string[];
  withValue: ReadonlySet<string>;
}

/** The first word of the command line that is not a flag (or a global flag's value): the command's name. */
export function commandNameIn(argv: readonly string[], withValue: ReadonlySet<string>): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return undefined;
    if (withValue.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/**
 * Commands envsync does not have, and what does their job. A real command of the same name always wins:
 * this table is read only for a name no command has (so a later `import` command simply takes over).
 */
const COMMAND_HABITS: Record<string, string> = {
  import:
    'envsync adopts rather than imports: `envsync export --only-unmanaged` writes files for environments made by hand, then `envsync plan --adopt` and `envsync apply --adopt` take them over with the same IDs',
  destroy:
    'envsync archives what no file declares: remove the files, then `envsync plan` and `envsync apply` (more than 5 archives need --max-archive N); to stop managing one without archiving it: `envsync forget NAME`',
  version: 'run `envsync --version`',
  state:
    'envsync keeps no state file: `envsync status` shows each file against what is live, `envsync history` the changelog; `state rm` is `envsync forget NAME`',
  refresh:
    'every plan reads the live environments; `envsync status` shows them against the files, `envsync verify --live` against the changelog',
  output: '`envsync status --format json` gives each environment’s ID and config hash',
  workspace:
    'workspaces are defined in envsync.yaml (workspaces:); pick one with --workspace NAME on any command',
  login: 'envsync reads the API key from ANTHROPIC_API_KEY only; `envsync ping` checks it',
  taint:
    'there is no one-off recreate: `lifecycle.on_config_change: recreate` gives every new config a new ID',
  diff: 'envsync’s diff is `envsync plan`',
  sync: 'envsync’s sync is `envsync apply` (it shows the plan and asks first)',
  dump: 'envsync’s dump is `envsync export`',
  lint: 'envsync’s lint is `envsync validate` (and `envsync fmt --check`)',
};

/** Terraform's single-dash flags whose envsync spelling is not simply the same name with two dashes. */
const FLAG_SPELLINGS: Record<string, (value: string | undefined) => string> = {
  json: () => '--format json',
  chdir: (v) => `--project-dir ${v ?? 'DIR'}`,
  'var-file': () => '',
  var: () => '',
  input: () => '',
  refresh: () => '',
  lock: () => '',
};

/** Why a flag belongs to another command, when people often give it to this one. */
const MISPLACED: Record<string, Record<string, string>> = {
  plan: {
    '--auto-approve':
      '--auto-approve is a flag of `envsync apply`: plan never changes anything (apply shows the same plan, then applies without asking)',
    '--plan': 'to look at a saved plan: `envsync show FILE`; to apply it: `envsync apply --plan FILE`',
    '--parallelism': '--parallelism is a flag of `envsync apply`: plan makes no changes to run in parallel',
    '--lock-timeout': '--lock-timeout is a flag of `envsync apply`: plan takes no lock',
  },
};

export interface CommandShape {
  name: string;
  /** Its long flags, `--no-x` forms included. */
  flags: readonly string[];
}

export interface UsageProblem {
  message: string;
  hint: string;
}

/** What a single-dash word like `-out=plan.json` means in envsync, on this command. */
function singleDash(
  arg: string,
  command: CommandShape | undefined,
  all: readonly CommandShape[],
  globals: readonly string[],
): UsageProblem | null {
  const m = /^-([A-Za-z][A-Za-z0-9-]+)(?:=(.*))?$/.exec(arg);
  if (!m) return null;
  const [, name = '', value] = m;
  const spelled = FLAG_SPELLINGS[name];
  const message = `unknown option '${arg}'`;
  if (spelled) {
    const instead = spelled(value);
    return {
      message,
      hint: instead
        ? `envsync's flags take two dashes: did you mean ${instead}?`
        : `envsync has no -${name} (a Terraform flag); \`envsync ${command?.name ?? ''} --help\` lists its flags`.replace(
            '  ',
            ' ',
          ),
    };
  }
  const flag = `--${name}`;
  const withValue = value === undefined ? flag : `${flag} ${value}`;
  const known = [...(command?.flags ?? []), ...globals];
  if (known.includes(flag))
    return { message, hint: `envsync's flags take two dashes: did you mean ${withValue}?` };
  const owners = all.filter((c) => c.flags.includes(flag)).map((c) => `envsync ${c.name}`);
  if (owners.length > 0)
    return {
      message,
      hint: `envsync's flags take two dashes, and ${flag} is a flag of \`${owners.join('`, `')}\``,
    };
  const near = closest(flag, known);
  return {
    message,
    hint: near
      ? `envsync's flags take two dashes: did you mean ${near}?`
      : "envsync's flags take two dashes; --help lists them",
  };
}

/** A flag this command does not have, given where habit puts it: which command has it. */
function misplaced(
  flag: string,
  command: CommandShape,
  all: readonly CommandShape[],
  globals: readonly string[],
): UsageProblem | null {
  if (command.flags.includes(flag) || globals.includes(flag)) return null;
  const known = MISPLACED[command.name]?.[flag];
  const message = `unknown option '${flag}' for ${command.name}`;
  if (known) return { message, hint: known };
  const owners = all.filter((c) => c.flags.includes(flag)).map((c) => `envsync ${c.name}`);
  if (owners.length === 0) return null; // commander says it, with its own "did you mean"
  return { message, hint: `${flag} is a flag of \`${owners.join('`, `')}\`` };
}

/**
 * The habit this command line shows, if any: a command envsync does not have (from the table), a
 * single-dash flag, or a flag of another command. null leaves the line to commander.
 */
export function habitProblem(
  argv: readonly string[],
  commands: readonly CommandShape[],
  flags: GlobalFlags,
): UsageProblem | null {
  const globals = flags.all;
  const name = commandNameIn(argv, flags.withValue);
  const command = commands.find((c) => c.name === name);
  if (name !== undefined && !command) {
    const habit = COMMAND_HABITS[name];
    if (habit) return { message: `envsync has no ${name} command`, hint: habit };
  }
  const end = argv.indexOf('--');
  for (const arg of end === -1 ? argv : argv.slice(0, end)) {
    if (/^-[A-Za-z][A-Za-z0-9-]/.test(arg)) {
      const problem = singleDash(arg, command, commands, globals);
      if (problem) return problem;
    } else if (command && arg.startsWith('--') && arg.length > 2) {
      const problem = misplaced(arg.split('=')[0] as string, command, commands, globals);
      if (problem) return problem;
    }
  }
  return null;
}
