// Whether a plan still matches the live environments: the check before a saved or confirmed plan is applied.

import { liveHash } from '../domain/ownership.js';
import type { LiveEnvironment, Plan } from '../model.js';

/** Why a plan no longer matches the live environments (archived ones included), or [] when it still does. */
export function staleReasons(plan: Plan, live: readonly LiveEnvironment[], target: string): string[] {
  const reasons: string[] = [];
  if (plan.target !== target) reasons.push(`the plan was made for ${plan.target}, not ${target}`);
  // Every action on an existing environment must carry its fingerprint: a plan without one (edited by
  // hand) would let apply overwrite a change it never saw.
  const printed = new Set(plan.live.map((fp) => fp.id));
  for (const action of plan.actions) {
    if (action.kind !== 'create' && action.kind !== 'noop' && !printed.has(action.env_id)) {
      reasons.push(`${action.name} (${action.env_id}) has no fingerprint in the plan (was the plan edited?)`);
    }
  }
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
