// Whether a plan still matches the live environments: the check before a saved or confirmed plan is applied.

import { liveHash } from '../domain/ownership.js';
import type { LiveEnvironment, Plan } from '../model.js';

/** Why a plan no longer matches the live environments (archived ones included), or [] when it still does. */
export function staleReasons(plan: Plan, live: readonly LiveEnvironment[], target: string): string[] {
  const reasons: string[] = [];
  if (plan.target !== target) reasons.push(`the plan was made for ${plan.target}, not ${target}`);
  const active = live.filter((e) => !e.archived_at);
  const byId = new Map(active.map((e) => [e.id, e]));
  for (const fp of plan.live) {
    const env = byId.get(fp.id);
    if (!env) reasons.push(`${fp.name} (${fp.id}) is gone or archived`);
    else if (env.updated_at !== fp.updated_at || liveHash(env) !== fp.config_hash) {
      reasons.push(`${fp.name} (${fp.id}) changed at ${env.updated_at}`);
    } else if (env.name !== fp.name) reasons.push(`${fp.id} was renamed from ${fp.name} to ${env.name}`);
  }
  // Archived environments count: the API may still hold their names, and the plan fixed the names it uses.
  const names = new Set(live.map((e) => e.name));
  for (const name of plan.absent) if (names.has(name)) reasons.push(`an environment named ${name} appeared`);
  return reasons;
}
