// How a finding reads in plans and audit-packages: one line, grouped by environment, its verdict.

import type { PackageFinding } from '../model.js';

/** `pandas 2.2.0: GHSA-… (high), fixed in 2.2.2`: one finding in a line (untrusted text escaped by renderers). */
export function findingLine(f: PackageFinding): string {
  const v = f.vulnerability;
  const fixed = v.fixed.length > 0 ? `, fixed in ${v.fixed.join(', ')}` : ', no fixed version yet';
  return `${f.package} ${f.version}: ${v.id} (${v.severity})${fixed}`;
}

/** The findings under each environment that installs them, environments in name order. */
export function findingsByEnvironment(
  findings: readonly PackageFinding[],
): Array<{ name: string; findings: PackageFinding[] }> {
  const byName = new Map<string, PackageFinding[]>();
  for (const f of findings) for (const n of f.environments) byName.set(n, [...(byName.get(n) ?? []), f]);
  return [...byName.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => ({ name, findings: byName.get(name) ?? [] }));
}

/** `[block]`, `[warn]`, `[ignored until 2027-01-31: reason]`. */
export function verdictText(f: PackageFinding): string {
  return f.verdict === 'ignored' ? f.because : f.verdict;
}
