// What read-only commands say when the history they read does not verify (`verify` says why).

import path from 'node:path';
import type { HistoryProblem } from '../model.js';
import { escapeText } from '../text/escape.js';
import type { Ctx } from './context.js';

/** The changelog as the user knows it: relative to where they are. */
export function shownPath(ctx: Ctx, file: string): string {
  return path.relative(ctx.io.cwd, file) || file;
}

/** Read-only commands still say when the history they read does not verify: `verify` says why. */
export function warnAboutProblems(
  ctx: Ctx,
  problems: readonly HistoryProblem[],
  count = problems.length,
): void {
  const shown = problems.slice(0, 3);
  for (const p of shown) {
    const where = p.file === null ? '' : `${shownPath(ctx, p.file)}:${p.line === null ? '' : `${p.line}:`} `;
    ctx.io.stderr.write(`${ctx.err.yellow('warning')}: ${where}${escapeText(p.message)}\n`);
  }
  if (count > shown.length)
    ctx.io.stderr.write(`${ctx.err.yellow('warning')}: and ${count - shown.length} more\n`);
  if (count > 0) ctx.io.stderr.write('  run envsync verify: lines that are not entries are left out\n');
}
