// The line an apply (or an import that applies) closes with: what did happen.

import type { ApplyResult } from '../workflow/apply.js';

/** `Apply complete: 2 created, 1 updated, 0 recreated, 1 archived, 0 failed.` — what did happen. */
export function applySummaryLine(r: ApplyResult): string {
  const adopted = r.adopted > 0 ? `, ${r.adopted} adopted` : '';
  const already = r.already.length > 0 ? `, ${r.already.length} already done by another apply` : '';
  const unrecorded = r.unrecorded.length > 0 ? `, ${r.unrecorded.length} not recorded` : '';
  const notStarted = r.notStarted > 0 ? `, ${r.notStarted} not started` : '';
  const head = r.interrupted
    ? 'Apply interrupted'
    : r.stopped
      ? 'Apply stopped'
      : r.failed.length > 0
        ? 'Apply failed'
        : 'Apply complete';
  return `${head}: ${r.created} created, ${r.updated} updated, ${r.recreated} recreated, ${r.archived} archived${adopted}${already}, ${r.failed.length} failed${unrecorded}${notStarted}.`;
}
