// Bounds on what validation reports, so output grows with the input at most linearly and stays readable.

import type { Diagnostic } from '../model.js';

/** Past this many problems in one file, the rest are counted, not listed. */
export const MAX_DIAGNOSTICS_PER_FILE = 50;

function byPlace(a: Diagnostic, b: Diagnostic): number {
  return a.line - b.line || a.column - b.column;
}

/**
 * The diagnostics in file order, each file's in the order of their places, at most
 * MAX_DIAGNOSTICS_PER_FILE per file, then one that counts the ones left out.
 */
export function capPerFile(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    const list = byFile.get(d.file);
    if (list) list.push(d);
    else byFile.set(d.file, [d]);
  }
  const out: Diagnostic[] = [];
  for (const [file, list] of byFile) {
    list.sort(byPlace);
    out.push(...list.slice(0, MAX_DIAGNOSTICS_PER_FILE));
    const left = list.slice(MAX_DIAGNOSTICS_PER_FILE);
    if (left.length === 0) continue;
    const errors = left.filter((d) => d.severity === 'error').length;
    const first = left[0] as Diagnostic;
    out.push({
      severity: errors > 0 ? 'error' : 'warning',
      file,
      line: first.line,
      column: first.column,
      path: '',
      message: `and ${left.length} more problems in this file (${errors} errors, ${left.length - errors} warnings)`,
      hint: 'fix the ones above and run validate again',
    });
  }
  return out;
}
