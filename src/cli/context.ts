// What every command receives: the IO edges, the global flags, and the ways to draw text.

import { statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { EnvsyncError } from '../errors.js';
import type { Redactor } from '../text/redact.js';
import { type CliIo, colorEnabled, type Paint, paint } from './io.js';
import { type OptsOf, timeoutOption } from './options.js';

/** The global flags, declared once on the program; their parsed values are typed from this declaration. */
export function declareGlobals(command: Command) {
  return command
    .option('--local', 'use the embedded local Environments API (state in .envsync/local/)')
    .option(
      '--base-url <url>',
      'Environments API base URL (default: $ANTHROPIC_BASE_URL or https://api.anthropic.com)',
    )
    .option('--workspace <name>', 'a workspace of the project file (required when it defines several)')
    .option(
      '--changelog <dir>',
      'the changelog: a directory of run files (default: .envsync/changelog/, per workspace .envsync/changelog/<name>/)',
    )
    .option(
      '--project-dir <dir>',
      'run as if started in DIR (as terraform -chdir): project file, paths, changelog',
    )
    .addOption(timeoutOption())
    .option('--no-color', 'never colour the output')
    .option('--quiet', 'print only results and errors')
    .option('--verbose', 'print request ids, timings and stack traces');
}

/** The program with its global flags: every command is declared on it, so it sees them typed too. */
export type Program = ReturnType<typeof declareGlobals>;

export interface GlobalOptions {
  local: boolean;
  baseUrl: string | undefined;
  changelog: string | undefined;
  workspace: string | undefined;
  /** `--timeout` in ms: the longest a command waits on the API for one answer or one list. */
  timeoutMs: number | undefined;
  /** `--project-dir`: the folder the command runs in instead of the process's own. */
  projectDir: string | undefined;
  color: boolean;
  quiet: boolean;
  verbose: boolean;
}

export function globalOptions(o: OptsOf<Program>): GlobalOptions {
  return {
    local: o.local === true,
    baseUrl: o.baseUrl,
    changelog: o.changelog,
    workspace: o.workspace,
    timeoutMs: o.timeout === undefined ? undefined : o.timeout * 1000,
    projectDir: o.projectDir,
    color: o.color,
    quiet: o.quiet === true,
    verbose: o.verbose === true,
  };
}

export interface Ctx {
  io: CliIo;
  global: GlobalOptions;
  /** Colours for what goes to stdout and to stderr. */
  out: Paint;
  err: Paint;
  /** Every secret this run knows (the API key, by value): nothing printed or written carries one. */
  redactor: Redactor;
}

/** The edges with `--project-dir` as the working folder: every relative path and the project search start there. */
function inProjectDir(io: CliIo, dir: string | undefined): CliIo {
  if (dir === undefined) return io;
  const cwd = path.resolve(io.cwd, dir);
  let isDir = false;
  try {
    isDir = statSync(cwd).isDirectory();
  } catch {
    // Missing: said below.
  }
  if (!isDir) {
    throw new EnvsyncError('invalid_flag', `--project-dir ${dir}: no such folder`, {
      hint: 'give the folder that holds envsync.yaml (or one below it)',
    });
  }
  return { ...io, cwd };
}

export function makeCtx(edges: CliIo, global: GlobalOptions, redactor: Redactor): Ctx {
  const io = inProjectDir(edges, global.projectDir);
  return {
    io,
    global,
    redactor,
    out: paint(colorEnabled(io.env, io.stdoutIsTTY, global.color)),
    err: paint(colorEnabled(io.env, io.stderrIsTTY, global.color)),
  };
}

/** The global flags that choose where a command runs, as a user would type them again. */
function scopeFlags(ctx: Ctx): string {
  const flags: string[] = [];
  if (ctx.global.local) flags.push('--local');
  if (ctx.global.workspace !== undefined) flags.push(`--workspace ${ctx.global.workspace}`);
  return flags.join(' ');
}

/** `envsync <command>` with the flags this run used (--local, --workspace), so it can be pasted as is. */
export function scopedCommandLine(ctx: Ctx, command: string): string {
  const flags = scopeFlags(ctx);
  return `envsync ${flags ? `${flags} ` : ''}${command}`;
}

/** The same, in backticks, for a hint. */
export function scopedCommand(ctx: Ctx, command: string): string {
  return `\`${scopedCommandLine(ctx, command)}\``;
}

/** Every `` `envsync …` `` in a hint, with this run's --local and --workspace put in. */
export function scopeHint(ctx: Ctx, text: string): string {
  const flags = scopeFlags(ctx);
  return flags ? text.replace(/`envsync (?!--local|--workspace)/g, `\`envsync ${flags} `) : text;
}

/** Human text: to stderr unless --quiet. */
export function say(ctx: Ctx, text: string): void {
  if (!ctx.global.quiet) ctx.io.stderr.write(`${text}\n`);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Wraps a command's handler as its commander action. The handler's parameters are inferred from the
 * command's declaration (arguments, then the typed options), so a misspelt option does not compile.
 */
export type ActionFactory = <A extends unknown[]>(
  handler: (ctx: Ctx, ...args: A) => Promise<number>,
) => (...args: A) => Promise<void>;
