// What every command receives: the IO edges, the global flags, and the ways to draw text.

import type { Command } from 'commander';
import { EnvsyncError, StalePlanError, ValidationError } from '../errors.js';
import type { Diagnostic } from '../model.js';
import { type CliIo, colorEnabled, type Paint, paint } from './io.js';

export interface GlobalOptions {
  local: boolean;
  baseUrl: string | undefined;
  changelog: string | undefined;
  workspace: string | undefined;
  color: boolean;
  quiet: boolean;
  verbose: boolean;
}

export interface Ctx {
  io: CliIo;
  global: GlobalOptions;
  /** Colours for what goes to stdout and to stderr. */
  out: Paint;
  err: Paint;
}

export function makeCtx(io: CliIo, command: Command): Ctx {
  const o = command.optsWithGlobals() as Record<string, unknown>;
  const global: GlobalOptions = {
    local: Boolean(o.local),
    baseUrl: o.baseUrl as string | undefined,
    changelog: o.changelog as string | undefined,
    workspace: o.workspace as string | undefined,
    color: o.color !== false,
    quiet: Boolean(o.quiet),
    verbose: Boolean(o.verbose),
  };
  return {
    io,
    global,
    out: paint(colorEnabled(io, io.stdoutIsTTY, global.color)),
    err: paint(colorEnabled(io, io.stderrIsTTY, global.color)),
  };
}

/** Human text: to stderr unless --quiet. */
export function say(ctx: Ctx, text: string): void {
  if (!ctx.global.quiet) ctx.io.stderr.write(`${text}\n`);
}

/** `error: <what happened>` / `  --> file:line:column` / `  hint: <what to do>` (STYLE.md). */
export function renderError(ctx: Ctx | undefined, io: CliIo, e: unknown, verbose: boolean): number {
  const p = ctx?.err ?? paint(false);
  const lines: string[] = [];
  if (e instanceof ValidationError) {
    for (const d of e.diagnostics) lines.push(diagnosticAsError(d, p), '');
  }
  if (e instanceof StalePlanError) for (const reason of e.reasons) lines.push(`  - ${reason}`);
  if (e instanceof EnvsyncError) {
    lines.push(`${p.red(p.bold('error'))}: ${e.message}`);
    if (e.location) lines.push(`  --> ${e.location.file}:${e.location.line}:${e.location.column}`);
    if (e.hint) lines.push(`  ${p.cyan('hint')}: ${e.hint}`);
  } else {
    const message = e instanceof Error ? e.message : String(e);
    lines.push(`${p.red(p.bold('error'))}: internal error: ${message}`);
    lines.push(
      `  ${p.cyan('hint')}: this is a bug in envsync; run again with --verbose and report the output`,
    );
  }
  if (verbose && e instanceof Error && e.stack) lines.push(p.dim(e.stack));
  io.stderr.write(`${lines.join('\n')}\n`);
  return e instanceof EnvsyncError ? e.exitCode : 1;
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
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
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

/** `::error file=…,line=…,col=…::…` lines that GitHub Actions turns into annotations. */
export function githubAnnotations(diagnostics: readonly Diagnostic[]): string {
  const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return diagnostics
    .map((d) => {
      const text = [d.path, d.message].filter(Boolean).join(': ') + (d.hint ? ` (hint: ${d.hint})` : '');
      return `::${d.severity === 'error' ? 'error' : 'warning'} file=${prop(d.file)},line=${d.line},col=${d.column}::${escapeData(text)}`;
    })
    .join('\n');
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export type Handler = (ctx: Ctx, args: string[], opts: Record<string, unknown>) => Promise<number>;
/** Wraps a command's handler as a commander action that records its exit code. */
export type ActionFactory = (handler: Handler) => (...all: unknown[]) => Promise<void>;
