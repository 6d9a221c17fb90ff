// The supply-chain gate's findings as the plan carries them: those of the planned environments, and a blocked
// item for each one policies.vulnerabilities blocks.

import type { BlockedItem, PackageFinding } from '../model.js';
import { findingLine } from './render-findings.js';

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
