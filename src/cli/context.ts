// What every command receives: the IO edges, the global flags, and the ways to draw text.

import { statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import {
  ApiError,
  EnvsyncError,
  isSystemError,
  StalePlanError,
  ValidationError,
  wrapFsError,
} from '../errors.js';
import type { Diagnostic } from '../model.js';
import { escapeText, escapeWorkflowCommand } from '../text/escape.js';
import type { Redactor } from '../text/redact.js';
import { compareNatural } from '../util/order.js';
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

/** `error[code]: <what happened>`, the first line of every error envsync prints. */
export function errorHeadline(p: Paint, code: string, message: string): string {
  return `${p.red(p.bold(`error[${code}]`))}: ${message}`;
}

/** An error that does not end the command (one failed action of an apply): headline and hint, escaped. */
export function errorBlock(ctx: Ctx, code: string, message: string, hint: string | undefined): string {
  const p = ctx.err;
  const head = errorHeadline(p, code, escapeText(message));
  return `${head}\n${hint ? `  ${p.cyan('hint')}: ${escapeText(scopeHint(ctx, hint))}\n` : ''}`;
}

/** What envsync was doing, in words, for the system calls a raw error can come from. */
const SYSCALL_WHAT: Record<string, string> = {
  mkdir: 'create the folder',
  open: 'open',
  read: 'read',
  write: 'write',
  rename: 'replace',
  unlink: 'remove',
  stat: 'look at',
  lstat: 'look at',
  scandir: 'list',
};

/**
 * Whatever reached the CLI edge, as an EnvsyncError: a raw system error is wrapped with its path and a hint
 * (never shown as a bug); anything else that is not an EnvsyncError is envsync's bug.
 */
export function toEnvsyncError(e: unknown): EnvsyncError {
  if (e instanceof EnvsyncError) return e;
  if (isSystemError(e)) return wrapFsError(e, e.path ?? 'a file', SYSCALL_WHAT[e.syscall ?? ''] ?? 'use');
  const message = e instanceof Error ? e.message : String(e);
  return new EnvsyncError('internal', `internal error: ${message}`, { cause: e, source: 'envsync' });
}

const BUG_HINT = 'this is a bug in envsync; run again with --verbose and report the output';

/** `error[code]: <what happened>` / `  --> file:line:column` / `  hint: <what to do>` (STYLE.md). */
export function renderError(ctx: Ctx | undefined, io: CliIo, raw: unknown, verbose: boolean): number {
  const e = toEnvsyncError(raw);
  const p = ctx?.err ?? paint(false);
  const lines: string[] = [];
  if (e instanceof ValidationError) {
    for (const d of e.diagnostics) lines.push(diagnosticAsError(d, p), '');
  }
  // Messages carry names from files and the API: escaped, so no control character reaches the terminal.
  if (e instanceof StalePlanError) for (const reason of e.reasons) lines.push(`  - ${escapeText(reason)}`);
  lines.push(errorHeadline(p, e.code, escapeText(e.message)));
  if (e.location) lines.push(`  --> ${escapeText(e.location.file)}:${e.location.line}:${e.location.column}`);
  if (e.hint) lines.push(`  ${p.cyan('hint')}: ${escapeText(ctx ? scopeHint(ctx, e.hint) : e.hint)}`);
  // Only envsync's own bugs ask for a report: "a bug" must never be said of bad input or a full disk.
  if (e.source === 'envsync') lines.push(`  ${p.cyan('hint')}: ${BUG_HINT}`);
  if (verbose && raw instanceof Error && raw.stack) lines.push(p.dim(raw.stack));
  io.stderr.write(`${lines.join('\n')}\n`);
  return e.exitCode;
}

/** The error as the one JSON document a `--format json` command prints instead of its result. */
export function errorDocument(raw: unknown): object {
  const e = toEnvsyncError(raw);
  const api =
    e instanceof ApiError
      ? { status: e.status, type: e.type, error_code: e.errorCode, request_id: e.requestId }
      : undefined;
  return {
    format_version: 1,
    error: {
      code: e.code,
      source: e.source,
      message: e.message,
      hint: e.hint ?? null,
      location: e.location ?? null,
      ...(api ? { api } : {}),
      ...(e instanceof ValidationError ? { diagnostics: e.diagnostics } : {}),
      ...(e instanceof StalePlanError ? { reasons: e.reasons } : {}),
    },
  };
}

/** A diagnostic in the `error: / --> / hint:` form of every other error (STYLE.md). */
export function diagnosticAsError(d: Diagnostic, p: Paint): string {
  const label = d.severity === 'error' ? p.red(p.bold('error')) : p.yellow(p.bold('warning'));
  const lines = [
    `${label}: ${d.path ? `${d.path}: ` : ''}${d.message}`,
    `  --> ${d.file}:${d.line}:${d.column}`,
  ];
  if (d.hint) lines.push(`  ${p.cyan('hint')}: ${d.hint}`);
  return lines.join('\n');
}

export function formatDiagnostic(d: Diagnostic, p: Paint): string {
  const label = d.severity === 'error' ? p.red('error  ') : p.yellow('warning');
  const where = `${d.file}:${d.line}:${d.column}`;
  const head = `${label}  ${p.bold(where)}  ${d.path ? `${p.cyan(d.path)}  ` : ''}${d.message}`;
  return d.hint ? `${head}\n         ${p.dim(`hint: ${d.hint}`)}` : head;
}

/** Diagnostics grouped by file, in file then line order. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], p: Paint): string {
  const sorted = [...diagnostics].sort(
    (a, b) => compareNatural(a.file, b.file) || a.line - b.line || a.column - b.column,
  );
  const blocks: string[] = [];
  let current: string | undefined;
  let block: string[] = [];
  for (const d of sorted) {
    if (d.file !== current) {
      if (block.length) blocks.push(block.join('\n'));
      block = [];
      current = d.file;
    }
    block.push(formatDiagnostic(d, p));
  }
  if (block.length) blocks.push(block.join('\n'));
  return blocks.join('\n\n');
}

/**
 * A diagnostic's file as GitHub wants it in an annotation: relative to the repository root
 * (`GITHUB_WORKSPACE`), since envsync may run in a sub-folder (the Action's `working-directory`).
 */
export function annotationPath(io: Pick<CliIo, 'cwd' | 'env'>, file: string): string {
  const root = io.env.GITHUB_WORKSPACE;
  if (!root) return file;
  const rel = path.relative(root, path.resolve(io.cwd, file));
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
}

/** `::error file=…,line=…,col=…::…` lines that GitHub Actions turns into annotations, files from the repository root. */
export function githubAnnotations(
  diagnostics: readonly Diagnostic[],
  io: Pick<CliIo, 'cwd' | 'env'>,
): string {
  const escapeData = (s: string) => escapeWorkflowCommand(s, 'data');
  const prop = (s: string) => escapeWorkflowCommand(s, 'property');
  return diagnostics
    .map((d) => {
      const text = [d.path, d.message].filter(Boolean).join(': ') + (d.hint ? ` (hint: ${d.hint})` : '');
      return `::${d.severity === 'error' ? 'error' : 'warning'} file=${prop(annotationPath(io, d.file))},line=${d.line},col=${d.column}::${escapeData(text)}`;
    })
    .join('\n');
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
