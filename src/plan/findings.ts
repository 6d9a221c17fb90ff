// The supply-chain gate's findings as the plan carries them: those of the planned environments, and a blocked
// item for each one policies.vulnerabilities blocks.

import type { BlockedItem, PackageFinding } from '../model.js';

/** `pandas 2.2.0: GHSA-… (high), fixed in 2.2.2`: one finding in a line (untrusted text escaped by renderers). */
export function findingLine(f: PackageFinding): string {
  const v = f.vulnerability;
  const fixed = v.fixed.length > 0 ? `, fixed in ${v.fixed.join(', ')}` : ', no fixed version yet';
  return `${f.package} ${f.version}: ${v.id} (${v.severity})${fixed}`;
}

/** The findings of the environments this plan covers (every one without --target). */
export function plannedFindings(
  findings: readonly PackageFinding[],
  wanted: (name: string) => boolean,
): PackageFinding[] {
  return findings.flatMap((f) => {
    const environments = f.environments.filter(wanted);
    return environments.length === 0 ? [] : [{ ...f, environments }];
  });
}

/** A blocked item per blocked finding, named by the first environment that installs it. */
export function findingBlocks(findings: readonly PackageFinding[]): BlockedItem[] {
  return findings
    .filter((f) => f.verdict === 'block')
    .map((f) => ({
      rule: 'vulnerable_package',
      name: f.environments[0] ?? null,
      env_id: null,
      message: `${findingLine(f)} (${f.manager}; in ${f.environments.join(', ')}; ${f.because})`,
      hint:
        f.vulnerability.fixed.length > 0
          ? `move to a fixed version (\`envsync lock --upgrade ${f.package}\`, or pin one), or accept it for a while in policies.ignore with a reason and an expires date`
          : 'remove the package, or accept it for a while in policies.ignore with a reason and an expires date',
    }));
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
