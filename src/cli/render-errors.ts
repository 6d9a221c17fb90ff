// How a failure reaches the user: the error block (`error[code]: … / --> / hint:`), the JSON error document,
// the exit code each kind of error means (DESIGN §11), and diagnostics as text and as GitHub annotations.

import path from 'node:path';
import {
  ApiError,
  BlockedError,
  EnvsyncError,
  isSystemError,
  StalePlanError,
  ValidationError,
  wrapFsError,
} from '../errors.js';
import type { Diagnostic } from '../model.js';
import { escapeText, escapeWorkflowCommand } from '../text/escape.js';
import { compareNatural } from '../util/order.js';
import { type Ctx, scopeHint } from './context.js';
import { type CliIo, type Paint, paint } from './io.js';

/** The errors that are a safety rule's refusal, not a failure: exit 3, as a blocked plan (DESIGN §11). */
/**
 * The process exit code an error means: 3 when a safety rule stopped a plan (the plan is printed beside it)
 * or a preview would take a name something else holds; 1 for everything else, a command's own refusal
 * (`forget` of another project's environment) included.
 */
export function exitCodeOf(e: EnvsyncError): number {
  return e instanceof BlockedError || e.code === 'preview_conflict' ? 3 : 1;
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
  if (e instanceof ValidationError && e.diagnostics.length > 0)
    lines.push(formatDiagnostics(e.diagnostics, p), '');
  // Messages carry names from files and the API: escaped, so no control character reaches the terminal.
  if (e instanceof StalePlanError) for (const reason of e.reasons) lines.push(`  - ${escapeText(reason)}`);
  lines.push(errorHeadline(p, e.code, escapeText(e.message)));
  if (e.location) lines.push(`  --> ${escapeText(e.location.file)}:${e.location.line}:${e.location.column}`);
  if (e.hint) lines.push(`  ${p.cyan('hint')}: ${escapeText(ctx ? scopeHint(ctx, e.hint) : e.hint)}`);
  // Only envsync's own bugs ask for a report: "a bug" must never be said of bad input or a full disk.
  if (e.source === 'envsync') lines.push(`  ${p.cyan('hint')}: ${BUG_HINT}`);
  if (verbose && raw instanceof Error && raw.stack) lines.push(p.dim(raw.stack));
  io.stderr.write(`${lines.join('\n')}\n`);
  return exitCodeOf(e);
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

/**
 * A diagnostic, in the one form every command prints it (DESIGN §3): `error  file:line:column  path  message`
 * and its hint under it. The file, the path and the message carry names and values from the files, so each is
 * escaped here, where they reach the terminal.
 */
export function formatDiagnostic(d: Diagnostic, p: Paint): string {
  const label = d.severity === 'error' ? p.red('error  ') : p.yellow('warning');
  const where = `${escapeText(d.file)}:${d.line}:${d.column}`;
  const head = `${label}  ${p.bold(where)}  ${d.path ? `${p.cyan(escapeText(d.path))}  ` : ''}${escapeText(d.message)}`;
  return d.hint ? `${head}\n         ${p.dim(`hint: ${escapeText(d.hint)}`)}` : head;
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
