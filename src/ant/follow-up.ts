// What is left to do after an import from ant apply, each step as the exact command or edit to make.

import type { AntResourceOutcome } from '../model.js';

export interface FollowUpInput {
  /** This import as a user types it again. */
  command: string;
  /** The lock, as shown. */
  lock: string;
  apply: boolean;
  handOver: boolean;
}

/** What is left to do after this run, each as the exact command or edit. */
export function followUp(
  o: FollowUpInput,
  outcomes: readonly AntResourceOutcome[],
  taken: ReadonlySet<string>,
  handedOver: readonly string[] | null,
  references: number,
): string[] {
  const steps: string[] = [];
  const toAdopt = outcomes.filter((x) => x.verdict === 'adopt').length;
  if (!o.apply && toAdopt > 0)
    steps.push(
      o.handOver
        ? `adopt them and hand them over: \`${o.command} --apply --hand-over\``
        : `adopt them: \`${o.command} --apply\` (with --hand-over, also remove them from ${o.lock} in the same run)`,
    );
  if (o.apply && handedOver === null && taken.size > 0)
    steps.push(
      `ant apply still tracks ${[...taken].join(', ')} in ${o.lock}, so envsync's plan leaves them alone (managed_by_ant) until they leave it: \`${o.command} --apply --hand-over\` (what is adopted already is only handed over)`,
    );
  if (references > 0)
    steps.push(
      `in ant's deployment files, write each environment's ID where its path is (listed above): ant resolves paths through ${o.lock}, which ${o.apply && handedOver !== null ? 'no longer tracks' : 'will no longer track'} them`,
    );
  if (o.apply && handedOver !== null && handedOver.length > 0)
    steps.push(
      `run ant apply on its own files only (\`ant apply --yes agents deployments\`, not \`ant apply .\`): it would read envsync's environment files as new environments`,
    );
  return steps;
}
